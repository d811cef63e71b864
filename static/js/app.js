// Small progressive enhancements; every page works without them.
(function () {
  "use strict";

  // The words shown from here come from Django's JavaScript catalogue (/jsi18n/, loaded before
  // this file) in the page's language; in English when it did not arrive (offline, say).
  var gettext = window.gettext || function (text) { return text; };

  // Pre-select the browser's time zone on a fresh form (the person can still change it).
  function detectTimezone(root) {
    root.querySelectorAll("select[data-detect-timezone]").forEach(function (select) {
      if (select.value !== "UTC" || select.dataset.touched) return;
      var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
      if (!zone || zone === "UTC") return;
      // A name the list leaves out (Chrome says "Asia/Calcutta" for Asia/Kolkata): the server
      // accepts any real zone, so it is added and chosen.
      if (!Array.prototype.some.call(select.options, function (o) { return o.value === zone; })) {
        select.add(new Option(zone.replace(/_/g, " "), zone));
      }
      select.value = zone;
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

  // The quick log without a connection: the action waits on this device (localStorage) and is
  // sent when the connection returns, with the idempotency key its form carried, so a send
  // repeated after an answer that never arrived makes no second action.
  var OUTBOX = "impact-outbox";
  var sending = false;
  // Everything waiting on this device, everyone's: each item names who logged it, so on a
  // shared phone nobody's action is ever sent as someone else's.
  function everything() {
    try { return JSON.parse(localStorage.getItem(OUTBOX)) || []; } catch (e) { return []; }
  }
  function me() { return document.body.dataset.user || ""; }
  function outbox() {
    return everything().filter(function (item) { return item.user === me(); });
  }
  function keep(items) {
    var others = everything().filter(function (item) { return item.user !== me(); });
    localStorage.setItem(OUTBOX, JSON.stringify(others.concat(items)));
  }
  function keyOf(item) {
    var found = item.fields.filter(function (f) { return f[0] === "idempotency_key"; })[0];
    return found ? found[1] : "";
  }
  function newKey() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }
  function showOutbox() {
    var form = document.getElementById("quick-log");
    var note = form && form.querySelector("[data-outbox]");
    if (!note) return;
    var waiting = outbox().length;
    note.hidden = waiting === 0;
    note.textContent = waiting ? note.dataset.text.replace("{n}", waiting) : "";
  }
  function queue(form) {
    var data = new FormData(form);
    data.delete("csrfmiddlewaretoken");
    var items = outbox();
    items.push({ user: me(), url: form.getAttribute("action"), fields: Array.from(data.entries()) });
    keep(items);
    // The form is ready for the next action; the key went with the one waiting.
    form.querySelector("[name=description]").value = "";
    form.querySelectorAll(".impact-fields input").forEach(function (input) { input.value = ""; });
    form.querySelector("[name=idempotency_key]").value = newKey();
    showOutbox();
    setTimeout(flush, 2000); // online but unanswered: try again shortly
  }
  function csrfToken() {
    try { return JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRFToken"]; } catch (e) { return ""; }
  }
  function flush() {
    var items = outbox();
    if (sending || !navigator.onLine || !items.length || !me()) return;
    sending = true;
    var item = items[0], body = new FormData();
    item.fields.forEach(function (f) { body.append(f[0], f[1]); });
    fetch(item.url, {
      method: "POST", body: body, credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(), "HX-Request": "true" },
    }).then(function (response) {
      if (!response.ok) throw new Error(String(response.status)); // kept: tried again later
      var logged = (response.headers.get("HX-Trigger") || "").indexOf("impact-logged") !== -1;
      return response.text().then(function (html) {
        keep(outbox().filter(function (other) { return keyOf(other) !== keyOf(item); }));
        if (logged) {
          document.body.dispatchEvent(new CustomEvent("impact-logged", { bubbles: true }));
          return true;
        }
        // Refused (a day too long ago, say): the form comes back with the reason beside what
        // was typed, nothing lost.
        var form = document.getElementById("quick-log");
        if (form) {
          form.outerHTML = html;
          if (window.htmx) htmx.process(document.getElementById("quick-log"));
        }
        return false;
      });
    }).then(function (more) {
      sending = false; showOutbox();
      if (more) flush();
    }, function () { sending = false; showOutbox(); });
  }
  function offlineLog(event) {
    var form = event.detail.elt;
    if (!form || form.id !== "quick-log" || navigator.onLine) return;
    event.preventDefault();
    if (!form.querySelector("[name=description]").value.trim()) {
      form.querySelector("[name=description]").focus();
      return;
    }
    queue(form);
  }
  function lostLog(event) {
    var form = event.detail.elt;
    if (form && form.id === "quick-log") queue(form); // maybe sent: the key makes it once
  }

  // An htmx request the server refused swaps nothing, so say so; the form keeps its input.
  function reportFailure(event) {
    if (event.type === "htmx:sendError" && event.detail.elt && event.detail.elt.id === "quick-log") return;
    var status = event.detail.xhr ? event.detail.xhr.status : 0;
    var text = status === 429
      ? gettext("That was a lot of changes in a short time. Wait a minute and try again; what you typed is still here.")
      : gettext("That did not go through. What you typed is still here; please try again.");
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

  // On a phone the section tabs scroll sideways: bring the current one into view.
  function showCurrentTab() {
    document.querySelectorAll(".tabs").forEach(function (tabs) {
      var current = tabs.querySelector("[aria-current=page]");
      if (current && tabs.scrollWidth > tabs.clientWidth) {
        tabs.scrollLeft = current.offsetLeft - tabs.offsetLeft - 16;
      }
    });
  }

  // The quick log's "Log it" bar sticks to the screen's foot once a description is typed (it is
  // then on the first screen), not before: stuck, it would sit over the fields under it. A
  // field it would cover scrolls above it (scroll-margin-bottom in app.css).
  function stickLogButton(event) {
    var form = document.getElementById("quick-log");
    if (!form || (event && event.target && !form.contains(event.target))) return;
    var description = form.elements.description;
    var typed = !!(description && description.value.trim());
    if (typed === form.classList.contains("is-typed")) return;
    form.classList.toggle("is-typed", typed);
    var field = document.activeElement;
    var bar = form.querySelector(".form-actions");
    if (typed && field && form.contains(field) && bar &&
        field.getBoundingClientRect().bottom > bar.getBoundingClientRect().top) {
      field.scrollIntoView({ block: "nearest" });
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    stickLogButton();
    detectTimezone(document);
    showCurrentTab();
    showEffortChips(document);
    if (document.getElementById("quick-log")) flush();
  });
  // The installable app's service worker: pages seen open again without a connection.
  if ("serviceWorker" in navigator && window.isSecureContext) {
    window.addEventListener("load", function () {
      navigator.serviceWorker.register("/sw.js").catch(function () {});
    });
  }
  document.addEventListener("htmx:beforeRequest", offlineLog);
  document.addEventListener("htmx:sendError", lostLog);
  document.addEventListener("htmx:afterSwap", function () {
    showOutbox();
    // The home page's quick log (and the week it updates) arrived: send what waits now, so
    // the week counts it.
    if (document.getElementById("quick-log")) flush();
  });
  window.addEventListener("online", flush);
  setInterval(flush, 30000);
  document.addEventListener("click", pickEffort);
  document.addEventListener("input", stickLogButton);
  document.addEventListener("htmx:afterSwap", function () { stickLogButton(); });
  document.addEventListener("htmx:afterSwap", function (event) { showEffortChips(event.target); });
  document.addEventListener("click", goBack);
  document.addEventListener("htmx:responseError", reportFailure);
  document.addEventListener("htmx:sendError", reportFailure);
  document.addEventListener("htmx:afterSwap", function (event) { detectTimezone(event.target); });
  document.addEventListener("click", closeMenus);
  document.addEventListener("keydown", closeMenus);
})();
