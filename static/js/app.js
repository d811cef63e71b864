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

  // "Go back" buttons (the 429 page): history.back() keeps what the person typed in the form.
  function goBack(event) {
    if (event.target.closest("[data-history-back]")) history.back();
  }

  // An htmx request the server refused swaps nothing, so say so; the form keeps its input.
  function reportFailure(event) {
    var status = event.detail.xhr ? event.detail.xhr.status : 0;
    var text = status === 429
      ? "That was a lot of changes in a short time. Wait a minute and try again; what you typed is still here."
      : "That did not go through. What you typed is still here; please try again.";
    var main = document.getElementById("main");
    var region = document.getElementById("request-failure");
    if (!region) {
      region = document.createElement("div");
      region.id = "request-failure";
      region.className = "messages";
      region.setAttribute("role", "alert");
      main.insertBefore(region, main.firstChild);
    }
    region.innerHTML = "";
    var message = document.createElement("p");
    message.className = "message message-error";
    message.textContent = text;
    region.appendChild(message);
  }

  // Effort picked with a tap: the chips fill the minutes field (shown only with JavaScript).
  function showEffortChips(root) {
    root.querySelectorAll("[data-effort-chips]").forEach(function (chips) {
      var input = chips.closest("form").querySelector("input[name=effort_minutes]");
      if (!input) return;
      var mark = function () {
        chips.querySelectorAll("[data-effort]").forEach(function (chip) {
          chip.setAttribute("aria-pressed", String(chip.dataset.effort === input.value));
        });
      };
      chips.hidden = false;
      input.addEventListener("input", mark);
      mark();
    });
  }
  function pickEffort(event) {
    var chip = event.target.closest("[data-effort]");
    if (!chip) return;
    var input = chip.closest("form").querySelector("input[name=effort_minutes]");
    input.value = chip.dataset.effort;
    input.dispatchEvent(new Event("input", { bubbles: true }));
  }

  document.addEventListener("DOMContentLoaded", function () {
    detectTimezone(document);
    showEffortChips(document);
  });
  document.addEventListener("click", pickEffort);
  document.addEventListener("htmx:afterSwap", function (event) { showEffortChips(event.target); });
  document.addEventListener("click", goBack);
  document.addEventListener("htmx:responseError", reportFailure);
  document.addEventListener("htmx:sendError", reportFailure);
  document.addEventListener("htmx:afterSwap", function (event) { detectTimezone(event.target); });
  document.addEventListener("click", closeMenus);
  document.addEventListener("keydown", closeMenus);
})();
