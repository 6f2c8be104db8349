/* 话务台 helpers. Optional: the desk works without this file; it only saves keystrokes. */
(function () {
  "use strict";
  var form = document.getElementById("desk-form");
  if (!form) return;
  var township = form.elements.township, village = form.elements.village, category = form.elements.category;
  var placeQ = document.getElementById("place-q"), placeSlot = document.getElementById("place-slot");
  var unitSlot = document.getElementById("unit-slot"), similarSlot = document.getElementById("similar-slot");

  function load(url, target) {
    fetch(url, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
      .then(function (r) { return r.ok ? r.text() : ""; })
      .then(function (html) { target.innerHTML = html; })
      .catch(function () { /* the panel keeps its old content */ });
  }
  function debounce(fn, ms) {
    var t; return function () { clearTimeout(t); t = setTimeout(fn, ms); };
  }
  function place() { return (village && village.value) || (township && township.value) || ""; }
  function refreshSuggestions() {
    var q = "?division=" + encodeURIComponent(place()) + "&category=" + encodeURIComponent(category ? category.value : "");
    if (similarSlot) load(similarSlot.dataset.url + q, similarSlot.querySelector(".slot-body"));
    if (unitSlot) load(unitSlot.dataset.url + q, unitSlot.querySelector(".slot-body"));
  }
  [township, village, category].forEach(function (el) { if (el) el.addEventListener("change", refreshSuggestions); });

  function choose(button) {
    township.value = button.dataset.township;
    village.value = button.dataset.code === button.dataset.township ? "" : button.dataset.code;
    placeSlot.innerHTML = "";
    placeQ.value = button.textContent;
    refreshSuggestions();
    form.elements.address.focus();
  }
  if (placeQ && placeSlot) {
    placeQ.addEventListener("input", debounce(function () {
      if (!placeQ.value.trim()) { placeSlot.innerHTML = ""; return; }
      load(placeQ.dataset.url + "?q=" + encodeURIComponent(placeQ.value), placeSlot);
    }, 150));
    placeQ.addEventListener("keydown", function (e) {
      var first = placeSlot.querySelector("button");
      if (e.key === "Enter") { e.preventDefault(); if (first) choose(first); }
      if (e.key === "ArrowDown" && first) { e.preventDefault(); first.focus(); }
    });
    placeSlot.addEventListener("click", function (e) {
      var b = e.target.closest("button[data-code]"); if (b) choose(b);
    });
    placeSlot.addEventListener("keydown", function (e) {
      var b = e.target.closest("li"); if (!b) return;
      if (e.key === "ArrowDown" && b.nextElementSibling) { e.preventDefault(); b.nextElementSibling.querySelector("button").focus(); }
      if (e.key === "ArrowUp") { e.preventDefault(); (b.previousElementSibling ? b.previousElementSibling.querySelector("button") : placeQ).focus(); }
    });
  }

  // 来电记录: the number's earlier tickets as soon as it is typed (posted: the number stays out
  // of the access log). Only the latest answer is shown, so a slow reply cannot overwrite it.
  var phone = form.elements.citizen_phone, callerSlot = document.getElementById("caller-slot");
  var token = form.elements.csrfmiddlewaretoken ? form.elements.csrfmiddlewaretoken.value : "";
  if (phone && callerSlot && window.fetch && window.URLSearchParams) {
    var callerSeq = 0, lastPhone = null;
    var refreshCaller = function () {
      var value = phone.value.trim();
      if (value === lastPhone) return;
      lastPhone = value;
      var n = ++callerSeq;
      fetch(callerSlot.dataset.url, {
        method: "POST", credentials: "same-origin", body: new URLSearchParams({ phone: value }),
        headers: { "X-CSRFToken": token, "X-Requested-With": "fetch" }
      }).then(function (r) { return r.ok ? r.text() : ""; })
        .then(function (html) { if (html && n === callerSeq) callerSlot.querySelector(".slot-body").innerHTML = html; })
        .catch(function () { /* the panel keeps its old content */ });
    };
    phone.addEventListener("input", debounce(refreshCaller, 400));
    phone.addEventListener("change", refreshCaller);
    if (phone.value.trim()) lastPhone = phone.value.trim();  // the server rendered its history
  }

  var kbForm = document.getElementById("kb-form"), kbResults = document.getElementById("kb-results");
  if (kbForm && kbResults) {
    kbForm.addEventListener("submit", function (e) {
      e.preventDefault();
      load(kbForm.action + "?insert=1&q=" + encodeURIComponent(kbForm.elements.q.value), kbResults);
    });
    // 插入答复: the article's text into the answer (after what is there), for 直接答复并办结;
    // the article is recorded with the answer, and an unchosen kind becomes 咨询.
    kbResults.addEventListener("click", function (e) {
      var b = e.target.closest("button.kb-insert"), answer = form.elements.answer;
      if (!b || !answer) return;
      var before = answer.value.replace(/\s+$/, "");
      answer.value = before ? before + "\n\n" + b.dataset.text : b.dataset.text;
      if (form.elements.article) form.elements.article.value = b.dataset.article;
      if (form.elements.kind && !form.elements.kind.value) form.elements.kind.value = "consultation";
      answer.focus();
    });
  }
})();
