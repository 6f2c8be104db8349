/* 单位选择: a filter box above every unit picker (select[data-unit-picker], tickets/forms.py
   UnitPicker). Typing a part of the name ("孙口", "执法") or the pinyin initials ("skz") hides
   the other options and groups; Enter or ArrowDown moves to the list; Escape clears. The
   select stays a plain select: without this script everything still works. */
(function () {
  "use strict";
  function setup(select) {
    var box = document.createElement("input");
    box.type = "search";
    box.className = "unit-filter";
    box.placeholder = select.dataset.filterLabel || "";
    box.setAttribute("aria-label", select.dataset.filterLabel || "");
    box.autocomplete = "off";
    select.parentNode.insertBefore(box, select);
    var options = Array.prototype.slice.call(select.querySelectorAll("option"));
    function apply() {
      var q = box.value.trim().toLowerCase();
      var first = null;
      options.forEach(function (o) {
        if (!o.value) return;
        var hit = !q || o.textContent.toLowerCase().indexOf(q) !== -1 ||
          (o.dataset.py || "").indexOf(q) !== -1;
        o.hidden = !hit;
        o.disabled = !hit && !o.selected;
        if (hit && !first) first = o;
      });
      Array.prototype.forEach.call(select.querySelectorAll("optgroup"), function (g) {
        g.hidden = !Array.prototype.some.call(g.children, function (o) { return !o.hidden; });
      });
      if (q && first && !select.multiple) select.value = first.value;
    }
    box.addEventListener("input", apply);
    box.addEventListener("keydown", function (e) {
      if (e.key === "Enter" || e.key === "ArrowDown") { e.preventDefault(); select.focus(); }
      if (e.key === "Escape") { box.value = ""; apply(); }
    });
  }
  Array.prototype.forEach.call(document.querySelectorAll("select[data-unit-picker]"), setup);
})();
