/*
 * Django admin, on every admin page (templates/admin/base_site.html). No inline scripts (strict CSP).
 *
 * Autocomplete boxes (Django's select2) name their combobox after the chosen value only, so an empty one had no
 * accessible name at all (WCAG 4.1.2): each is named after its field's label instead.
 */
(function () {
  "use strict";

  function nameAutocompletes(root) {
    root.querySelectorAll("select.admin-autocomplete").forEach(function (select) {
      var label = select.id ? document.querySelector("label[for='" + select.id + "']") : null;
      var container = select.nextElementSibling;
      var box = container && container.querySelector(".select2-selection");
      if (!label || !box) {
        return;
      }
      var name = label.textContent.replace(/:\s*$/, "").trim();
      box.removeAttribute("aria-labelledby");
      box.setAttribute("aria-label", name);
      // the chosen value inside is a read-only textbox of its own: the same name, its text is the value
      var value = box.querySelector(".select2-selection__rendered");
      if (value) {
        value.setAttribute("aria-label", name);
      }
    });
  }

  // Django starts select2 in a jQuery ready handler, which jQuery 3 may run after the load event: a ready handler
  // of our own runs after it (this deferred script runs after the page's scripts registered theirs).
  if (window.django && window.django.jQuery) {
    window.django.jQuery(function () {
      nameAutocompletes(document);
    });
  }
  document.addEventListener("formset:added", function (event) {
    window.setTimeout(function () {
      nameAutocompletes(event.target);
    }, 0);
  });
})();
