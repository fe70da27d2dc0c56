/* The agreement form (banks): the region and the listed buyers matter for their scope
   only, so the others are hidden (all are shown without JavaScript, and the service
   ignores what the scope does not use). */
(function () {
  "use strict";
  var radios = document.querySelectorAll('input[name="scope"]');
  function show() {
    var scope = (document.querySelector('input[name="scope"]:checked') || {}).value;
    document.querySelectorAll("[data-scope-field]").forEach(function (element) {
      element.hidden = element.dataset.scopeField !== scope;
    });
  }
  radios.forEach(function (radio) { radio.addEventListener("change", show); });
  show();
})();
