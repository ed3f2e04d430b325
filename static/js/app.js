/*
 * Marketplace: the little JavaScript the pages use. Everything works without it; this only makes
 * things nicer. No inline scripts anywhere (strict CSP), no eval, no injected styles.
 *
 * - Forms or submit buttons with data-confirm="..." ask before submitting (destructive actions).
 * - The header's <details class="menu"> closes on an outside click or Escape.
 * - Plain (non-htmx) POST forms disable their submit buttons while the request is in flight,
 *   so nothing is sent twice; the buttons come back when the page is shown again from history.
 * - Flash messages stay until the user closes them (Bootstrap's alert dismiss, no timers).
 * - A section menu that scrolls sideways (the seller cabinet's on a phone) shows its current item.
 * - Search suggestions close on Escape or an outside click; the arrow keys move between the search box and
 *   its suggestions (plain links: Tab reaches them too).
 */
(function () {
  "use strict";

  // ------------------------------------------------------------- confirmations
  function confirmMessage(form, submitter) {
    if (submitter && submitter.hasAttribute("data-confirm")) {
      return submitter.getAttribute("data-confirm");
    }
    return form.getAttribute("data-confirm");
  }

  document.addEventListener(
    "submit",
    function (event) {
      var form = event.target;
      if (!(form instanceof HTMLFormElement)) {
        return;
      }
      var message = confirmMessage(form, event.submitter);
      if (message && !window.confirm(message)) {
        // Capture phase on document: stops htmx's handler on the form as well.
        event.preventDefault();
        event.stopImmediatePropagation();
        return;
      }
      disableWhileSubmitting(form, event);
    },
    true
  );

  // ------------------------------------------------------------- no double submit
  function isHtmxForm(form) {
    return form.hasAttribute("hx-post") || form.hasAttribute("hx-get") || form.hasAttribute("hx-put") ||
      form.hasAttribute("hx-patch") || form.hasAttribute("hx-delete") || form.closest("[hx-boost='true']");
  }

  function disableWhileSubmitting(form, event) {
    if ((form.method || "").toLowerCase() !== "post" || isHtmxForm(form) || form.hasAttribute("data-no-disable")) {
      return;
    }
    // After this tick the browser has already collected the form data (including the submitter).
    window.setTimeout(function () {
      if (event.defaultPrevented) {
        return;
      }
      form.querySelectorAll("button[type='submit'], button:not([type]), input[type='submit']").forEach(
        function (button) {
          button.disabled = true;
          button.setAttribute("data-was-enabled", "");
        }
      );
    }, 0);
  }

  window.addEventListener("pageshow", function () {
    document.querySelectorAll("[data-was-enabled]").forEach(function (button) {
      button.disabled = false;
      button.removeAttribute("data-was-enabled");
    });
  });

  // ------------------------------------------------------------- header menus (<details class="menu">)
  function openMenus() {
    return document.querySelectorAll("details.menu[open]");
  }

  document.addEventListener("click", function (event) {
    openMenus().forEach(function (menu) {
      if (!menu.contains(event.target)) {
        menu.removeAttribute("open");
      }
    });
  });

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") {
      return;
    }
    openMenus().forEach(function (menu) {
      menu.removeAttribute("open");
      var summary = menu.querySelector("summary");
      if (summary && menu.contains(document.activeElement)) {
        summary.focus();
      }
    });
  });

  // Opening one menu closes the others.
  document.addEventListener(
    "toggle",
    function (event) {
      var opened = event.target;
      if (!(opened instanceof HTMLDetailsElement) || !opened.classList.contains("menu") || !opened.open) {
        return;
      }
      openMenus().forEach(function (menu) {
        if (menu !== opened) {
          menu.removeAttribute("open");
        }
      });
    },
    true
  );

  // ------------------------------------------------------------- sideways section menus
  // Only the menu scrolls (scrollLeft): scrollIntoView would also move the page, e.g. away from a #fragment.
  document.querySelectorAll(".cabinet-nav .nav").forEach(function (menu) {
    var current = menu.querySelector(".nav-link.active");
    if (current && menu.scrollWidth > menu.clientWidth) {
      menu.scrollLeft = current.offsetLeft - (menu.clientWidth - current.offsetWidth) / 2;
    }
  });

  // Search suggestions (header and search page): Escape or a click elsewhere closes them.
  function closeSuggestions(except) {
    document.querySelectorAll(".search-suggest, .catalog-search__suggest").forEach(function (box) {
      if (box !== except) {
        box.innerHTML = "";
      }
    });
  }
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape" && event.key !== "ArrowDown" && event.key !== "ArrowUp") {
      return;
    }
    var form = event.target.closest && event.target.closest("form[role=search]");
    if (event.key === "Escape") {
      closeSuggestions(null);
      if (form && event.target.classList.contains("suggest__item")) {
        form.q.focus(); // the suggestion that had the focus is gone: back to the box
      }
      return;
    }
    var items = form ? Array.prototype.slice.call(form.querySelectorAll(".suggest__item")) : [];
    if (!items.length) {
      return;
    }
    // from the box: down to the first suggestion; between suggestions: up and down; above the first: the box
    var at = items.indexOf(event.target);
    var next = event.key === "ArrowDown" ? at + 1 : (at === -1 ? items.length : at) - 1;
    event.preventDefault();
    if (next < 0) {
      form.q.focus();
    } else {
      items[Math.min(next, items.length - 1)].focus();
    }
  });
  document.addEventListener("click", function (event) {
    var form = event.target.closest && event.target.closest("form[role=search]");
    closeSuggestions(form ? form.querySelector(".search-suggest, .catalog-search__suggest") : null);
  });
})();
