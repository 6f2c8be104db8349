/* The handler's phone (issue 23), on every back-office page:
   - drafts: what is typed in a ticket page's action form (form[data-draft]) is kept in
     localStorage until the form goes through, so a dropped connection or a reload loses
     nothing. The draft keeps the form's one-time token: sent again, the server recognises
     the form (actions.ticket_action_once) and records nothing twice. The ticket page after a
     success carries ?done=<token>; that draft is forgotten. Logging out (form[data-logout])
     forgets every draft, and so does any page shown to nobody logged in.
   - the citizen's number (a.tel[data-contact]): the call goes out, and a small form asks the
     handler to record the contact once it went through.
   - the photo viewer (a[data-viewer] in dialog#photo-viewer).
   No UI text lives here: labels come from the page. */
(function () {
  "use strict";
  var PREFIX = "minsheng:draft:";
  var store = null;
  try { store = window.localStorage; } catch (e) { store = null; }

  function clearDrafts(token) {
    if (!store) return;
    for (var i = store.length - 1; i >= 0; i--) {
      var key = store.key(i);
      if (!key || key.indexOf(PREFIX) !== 0) continue;
      if (token) {
        try { if (JSON.parse(store.getItem(key)).token !== token) continue; } catch (e) { /* drop it */ }
      }
      store.removeItem(key);
    }
  }

  function fields(form) {
    return Array.prototype.filter.call(form.elements, function (el) {
      return el.name && el.name !== "csrfmiddlewaretoken" && el.name !== "version" &&
        el.type !== "file" && el.type !== "hidden" && el.type !== "submit" && el.type !== "button";
    });
  }

  function save(form) {
    if (!store) return;
    var data = {}, any = false;
    fields(form).forEach(function (el) {
      var value = el.type === "checkbox" ? el.checked : el.value;
      data[el.name] = value;
      if (el.type !== "checkbox" && el.tagName === "TEXTAREA" && value.trim()) any = true;
    });
    var key = PREFIX + form.dataset.draft;
    if (!any) { store.removeItem(key); return; }
    var token = form.elements.form_token ? form.elements.form_token.value : "";
    try { store.setItem(key, JSON.stringify({ token: token, fields: data })); } catch (e) { /* full */ }
  }

  function restore(form) {
    var raw = store && store.getItem(PREFIX + form.dataset.draft);
    if (!raw) return;
    var draft;
    try { draft = JSON.parse(raw); } catch (e) { return; }
    fields(form).forEach(function (el) {
      if (!(el.name in draft.fields)) return;
      if (el.type === "checkbox") el.checked = !!draft.fields[el.name];
      else if (!el.value || el.tagName === "TEXTAREA") el.value = draft.fields[el.name];
    });
    if (draft.token && form.elements.form_token) form.elements.form_token.value = draft.token;
    form.classList.add("restored");
    var details = form.closest("details");
    if (details) details.open = true;
  }

  function drafts() {
    if (!document.querySelector("form[data-logout]")) { clearDrafts(); return; }
    var params = new URLSearchParams(window.location.search);
    var done = params.get("done");
    if (done) {
      clearDrafts(done);
      params.delete("done");
      var rest = params.toString();
      history.replaceState(null, "", window.location.pathname + (rest ? "?" + rest : "") + window.location.hash);
    }
    document.querySelectorAll("form[data-draft]").forEach(function (form) {
      restore(form);
      form.addEventListener("input", function () { save(form); });
      form.addEventListener("change", function () { save(form); });
      form.addEventListener("submit", function () { save(form); });
    });
    document.querySelectorAll("form[data-logout]").forEach(function (form) {
      form.addEventListener("submit", function () { clearDrafts(); });
    });
  }

  function telephone() {
    document.querySelectorAll("a.tel[data-contact]").forEach(function (link) {
      var confirm = document.getElementById(link.dataset.contact);
      if (!confirm) return;
      link.addEventListener("click", function () {
        // The dialler opens; when the handler comes back the question is waiting.
        confirm.hidden = false;
      });
      var dismiss = confirm.querySelector("[data-dismiss]");
      if (dismiss) dismiss.addEventListener("click", function () { confirm.hidden = true; });
    });
  }

  function viewer() {
    var dialog = document.getElementById("photo-viewer");
    if (!dialog || typeof dialog.showModal !== "function") return;
    var img = dialog.querySelector("img"), caption = dialog.querySelector(".caption");
    document.addEventListener("click", function (event) {
      var link = event.target.closest && event.target.closest("a[data-viewer]");
      if (!link) return;
      event.preventDefault();
      img.src = link.href;
      caption.textContent = link.dataset.caption || "";
      dialog.showModal();
    });
    dialog.addEventListener("click", function (event) { if (event.target === dialog) dialog.close(); });
  }

  function start() { drafts(); telephone(); viewer(); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
