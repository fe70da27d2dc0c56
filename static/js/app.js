/* Small behaviours of every page, wired by data attributes: the Content-Security-Policy
   (config/settings.py) runs no inline script and no on* attribute. Without JavaScript
   each control still works as a plain form. */
(function () {
  "use strict";

  document.addEventListener("click", function (event) {
    // "Use as requested amount": copy a computed amount into the form's field.
    var fill = event.target.closest("[data-fill-field]");
    if (fill) {
      var field = document.getElementById(fill.dataset.fillField);
      if (field) { field.value = fill.dataset.amount; field.focus(); }
      return;
    }
    // A form's "Cancel": back to the page before (its href is the fallback).
    var back = event.target.closest("[data-history-back]");
    if (back && window.history.length > 1) {
      event.preventDefault();
      window.history.back();
      return;
    }
    // A confirmation dialog's "Back, change nothing": close it without leaving the page.
    var dismiss = event.target.closest("[data-dismiss-confirm]");
    if (dismiss) {
      event.preventDefault();
      ["confirm-dialog", "confirm-backdrop"].forEach(function (id) {
        var element = document.getElementById(id);
        if (element) { element.remove(); }
      });
    }
  });

  document.addEventListener("change", function (event) {
    var target = event.target;
    // A select that submits its form (the language switch).
    if (target.matches("[data-submit-on-change]")) { target.form.submit(); return; }
    // A select that reloads the page with its value as a query parameter.
    if (target.matches("[data-reload-with]")) {
      window.location.search = "?" + target.dataset.reloadWith + "=" + encodeURIComponent(target.value);
      return;
    }
    // "Select all": tick or untick every checkbox of the named field.
    if (target.matches("[data-select-all]")) {
      document.querySelectorAll('input[name="' + target.dataset.selectAll + '"]').forEach(function (box) {
        box.checked = target.checked;
      });
    }
  });
})();
