// Small progressive enhancements; every page works without them.
(function () {
  "use strict";

  // Pre-select the browser's time zone on a fresh form (the person can still change it).
  function detectTimezone(root) {
    root.querySelectorAll("select[data-detect-timezone]").forEach(function (select) {
      if (select.value !== "UTC" || select.dataset.touched) return;
      var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
      if (zone && select.querySelector('option[value="' + zone + '"]')) select.value = zone;
    });
  }

  // Close the account menu when clicking elsewhere or pressing Escape.
  function closeMenus(event) {
    document.querySelectorAll(".nav-menu details[open]").forEach(function (menu) {
      if (event.type === "keydown" ? event.key === "Escape" : !menu.contains(event.target)) {
        menu.removeAttribute("open");
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () { detectTimezone(document); });
  document.addEventListener("htmx:afterSwap", function (event) { detectTimezone(event.target); });
  document.addEventListener("click", closeMenus);
  document.addEventListener("keydown", closeMenus);
})();
