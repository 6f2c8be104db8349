/* 群众端: a form marked data-once is sent once — a double tap or an impatient second tap on a
   slow network does nothing more (the server also turns a resent report into the first one). */
(function () {
  "use strict";
  Array.prototype.forEach.call(document.querySelectorAll("form[data-once]"), function (form) {
    form.addEventListener("submit", function () {
      Array.prototype.forEach.call(form.querySelectorAll("button[type=submit]"), function (b) {
        setTimeout(function () { b.disabled = true; }, 0);
      });
    });
  });
})();
/* 村务公开 poster: a print button where JavaScript runs (the browser's own print works without). */
(function () {
  "use strict";
  Array.prototype.forEach.call(document.querySelectorAll("[data-print]"), function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });
})();
