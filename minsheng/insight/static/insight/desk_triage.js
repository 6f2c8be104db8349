/* 话务台, 智能分类建议 (minsheng.insight.triage): as the description is typed, ask for the top
   categories; a click (or Alt+1/2/3) fills the category field, and
   desk.js then reloads the unit and the same-place tickets. Never fills the field by itself:
   what the operator picks is what the model later learns from. Optional like desk.js. */
(function () {
  "use strict";
  var form = document.getElementById("desk-form");
  var slot = document.getElementById("category-slot");
  if (!form || !slot || !window.fetch || !window.URLSearchParams) return;
  var body = slot.querySelector(".slot-body");
  var desc = form.elements.description, title = form.elements.title, category = form.elements.category;
  var township = form.elements.township, village = form.elements.village;
  var token = form.elements.csrfmiddlewaretoken ? form.elements.csrfmiddlewaretoken.value : "";
  var seq = 0;

  function place() { return (village && village.value) || (township && township.value) || ""; }
  function debounce(fn, ms) { var t; return function () { clearTimeout(t); t = setTimeout(fn, ms); }; }
  function refresh() {
    if (!desc || !(desc.value.trim() || (title && title.value.trim()))) return;
    var n = ++seq;
    fetch(slot.dataset.url, {
      method: "POST", credentials: "same-origin",
      body: new URLSearchParams({ text: desc.value, title: title ? title.value : "", division: place() }),
      headers: { "X-CSRFToken": token, "X-Requested-With": "fetch" }
    }).then(function (r) { return r.ok ? r.text() : ""; })
      .then(function (html) { if (html && n === seq) body.innerHTML = html; })
      .catch(function () { /* the panel keeps its old content */ });
  }
  function choose(button) {
    if (!category || !button.dataset.category) return;
    category.value = button.dataset.category;
    category.dispatchEvent(new Event("change"));
    Array.prototype.forEach.call(body.querySelectorAll("button[data-category]"), function (b) {
      b.setAttribute("aria-pressed", b === button ? "true" : "false");
    });
  }
  if (desc) desc.addEventListener("input", debounce(refresh, 700));
  if (title) title.addEventListener("input", debounce(refresh, 700));
  [township, village].forEach(function (el) { if (el) el.addEventListener("change", debounce(refresh, 300)); });
  body.addEventListener("click", function (e) {
    var b = e.target.closest("button[data-category]");
    if (b) choose(b);
  });
  // Alt+1/2/3 from anywhere on the desk: the operator's hands stay on the keyboard. (Not
  // accesskey: browsers keep Alt+digit for their tabs.) e.code, since Alt changes e.key on macOS.
  document.addEventListener("keydown", function (e) {
    var m = e.altKey && !e.ctrlKey && !e.metaKey && /^Digit([1-3])$/.exec(e.code || "");
    if (!m) return;
    var b = body.querySelector('button[data-category][data-key="' + m[1] + '"]');
    if (b) { e.preventDefault(); choose(b); }
  });
})();
