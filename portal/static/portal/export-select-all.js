// The export page's "Select all" box ticks or clears every field box. django-import-export wires it
// with an inline onchange attribute, which the Content-Security-Policy blocks: the portal's copy of
// the page (templates/admin/import_export/export.html) drops the attribute, and this file does the
// same work.
(function () {
  "use strict";
  function start() {
    document.querySelectorAll("input.select-toggle").forEach(function (toggle) {
      toggle.addEventListener("change", function () {
        var boxes = toggle.form.querySelectorAll(
          '.selectable-field-export-row input[type="checkbox"]'
        );
        boxes.forEach(function (box) {
          box.checked = toggle.checked;
        });
      });
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
