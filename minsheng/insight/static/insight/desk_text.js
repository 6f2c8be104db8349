/* 话务台, text helpers (minsheng.insight): recognise the place named in the description and
   pre-select it; look for open tickets about the same problem by text. Optional like desk.js. */
(function () {
  "use strict";
  var form = document.getElementById("desk-form");
  if (!form || !window.fetch || !window.URLSearchParams) return;
  var desc = form.elements.description, title = form.elements.title;
  var township = form.elements.township, village = form.elements.village, category = form.elements.category;
  var guessSlot = document.getElementById("place-guess"), similarSlot = document.getElementById("similar-slot");
  var token = form.elements.csrfmiddlewaretoken ? form.elements.csrfmiddlewaretoken.value : "";
  var chosenByHand = false, seq = {};

  function post(url, data, key, done) {
    var n = (seq[key] || 0) + 1; seq[key] = n;
    fetch(url, {
      method: "POST", credentials: "same-origin", body: new URLSearchParams(data),
      headers: { "X-CSRFToken": token, "X-Requested-With": "fetch" }
    }).then(function (r) { return r.ok ? r.text() : ""; })
      .then(function (html) { if (html && seq[key] === n) done(html); })
      .catch(function () { /* the panel keeps its old content */ });
  }
  function debounce(fn, ms) { var t; return function () { clearTimeout(t); t = setTimeout(fn, ms); }; }
  function place() { return (village && village.value) || (township && township.value) || ""; }
  function setPlace(button) {
    if (!township || !village) return;
    township.value = button.dataset.township;
    village.value = button.dataset.code === button.dataset.township ? "" : button.dataset.code;
    township.dispatchEvent(new Event("change"));
  }
  function guessPlace() {
    if (!guessSlot || !desc || !desc.value.trim()) return;
    post(guessSlot.dataset.url, { text: desc.value }, "place", function (html) {
      guessSlot.innerHTML = html;
      var best = guessSlot.querySelector("button[data-best]");
      if (best && !chosenByHand && !place()) setPlace(best);
    });
  }
  function similar() {
    if (!similarSlot || !desc || !desc.value.trim()) return;
    post(similarSlot.dataset.url, {
      text: desc.value, title: title ? title.value : "", division: place(),
      category: category ? category.value : ""
    }, "similar", function (html) { similarSlot.querySelector(".slot-body").innerHTML = html; });
  }
  if (desc) desc.addEventListener("input", debounce(function () { guessPlace(); similar(); }, 700));
  if (title) title.addEventListener("input", debounce(similar, 700));
  // desk.js reloads the place-only list on these changes; ours follows it with the text.
  [township, village, category].forEach(function (el) {
    if (!el) return;
    el.addEventListener("change", function (e) { if (e.isTrusted && el !== category) chosenByHand = true; });
    el.addEventListener("change", debounce(similar, 300));
  });
  if (guessSlot) guessSlot.addEventListener("click", function (e) {
    var b = e.target.closest("button[data-code]");
    if (b) { chosenByHand = true; setPlace(b); }
  });
})();
