/*
 * Django admin, on every admin page (templates/admin/base_site.html). No inline scripts (strict CSP).
 *
 * Autocomplete boxes (Django's select2) name their combobox after the chosen value only, so an empty one had no
 * accessible name at all (WCAG 4.1.2): each is named after its field's label instead.
 *
 * On a phone Django's inline tables scroll sideways inside their box; one with nothing to focus inside (read-only
 * rows) could not be scrolled from the keyboard (WCAG 2.1.1): the box takes the focus, named by its heading.
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

  document.querySelectorAll(".inline-group").forEach(function (group) {
    if (group.querySelector("a[href], button, input:not([type=hidden]), select, textarea, [tabindex]")) {
      return;
    }
    var heading = group.querySelector("h2[id]");
    group.tabIndex = 0;
    group.setAttribute("role", "region");
    if (heading) {
      group.setAttribute("aria-labelledby", heading.id);
    }
  });

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
