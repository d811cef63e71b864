// Meeting mode's notes: htmx saves them on the server as they are typed (a draft); this keeps
// a copy in the browser too, so a lost connection or a closed tab loses nothing, and says
// whether the latest words reached the server.
(function () {
  "use strict";

  function start() {
    var form = document.getElementById("session-notes");
    var status = document.getElementById("notes-status");
    if (!form || !status) return;
    var key = form.dataset.draftKey;
    var fields = Array.prototype.slice.call(form.querySelectorAll("textarea[name]"));
    var store = null;
    try { store = window.localStorage; } catch (e) { store = null; }

    function values() {
      var v = {};
      fields.forEach(function (f) { v[f.name] = f.value; });
      return v;
    }
    function same(a, b) {
      return !!a && !!b && fields.every(function (f) { return (a[f.name] || "") === (b[f.name] || ""); });
    }
    function read() {
      try { return JSON.parse(store.getItem(key)); } catch (e) { return null; }
    }
    function write(entry) {
      if (!store) return;
      entry.at = Date.now();
      try { store.setItem(key, JSON.stringify(entry)); } catch (e) { /* full or private mode */ }
    }
    function say(text) {
      if (text && status.textContent !== text) status.textContent = text;
    }

    // What the server rendered is its saved draft; `confirmed` is what it last acknowledged.
    var confirmed = values();
    var sending = null;
    var local = store ? read() : null;
    // The copy here is newer than the server's when the server never acknowledged it and has
    // not changed since the copy was typed (if it has, another screen saved later: it wins).
    if (local && !local.synced && local.values && same(local.base, confirmed) && !same(local.values, confirmed)) {
      fields.forEach(function (f) {
        if (typeof local.values[f.name] === "string") f.value = local.values[f.name];
      });
      say(form.dataset.restoredText);
      // Send the restored words on: the first input event on a field always passes htmx's check.
      fields[0].dispatchEvent(new Event("input", { bubbles: true }));
    } else {
      write({ values: confirmed, base: confirmed, synced: true });
    }

    form.addEventListener("input", function () {
      var now = values();
      write({ values: now, base: confirmed, synced: same(now, confirmed) });
      if (!same(now, confirmed) && sending === null) say(form.dataset.pendingText);
    });
    form.addEventListener("htmx:beforeRequest", function () { sending = values(); });
    form.addEventListener("htmx:beforeSwap", function (event) {
      // 409: the session was closed elsewhere; the answer says so in the status line.
      if (event.detail.xhr.status === 409) { event.detail.shouldSwap = true; event.detail.isError = false; }
    });
    form.addEventListener("htmx:afterRequest", function (event) {
      if (event.detail.successful && sending !== null) {
        confirmed = sending;
        var now = values();
        write({ values: now, base: confirmed, synced: same(now, confirmed) });
      }
      sending = null;
    });
    // The status line tells what happened; the page-wide "did not go through" alert would
    // interrupt the meeting for a draft that is kept here and sent again.
    form.addEventListener("htmx:sendError", function (event) {
      sending = null;
      say(form.dataset.offlineText);
      event.stopPropagation();
    });
    form.addEventListener("htmx:responseError", function (event) {
      sending = null;
      if (event.detail.xhr.status !== 409) say(form.dataset.offlineText);
      event.stopPropagation();
    });
    window.addEventListener("online", function () {
      var entry = read();
      if (entry && !entry.synced && fields.length) {
        // A fresh value for htmx's "changed" check: send what is here now.
        fields[0].dispatchEvent(new Event("input", { bubbles: true }));
      }
    });
  }

  // After htmx has set the form up (it does so on DOMContentLoaded, and was loaded first), so
  // the restored words can be sent through it.
  if (document.readyState === "complete") start();
  else document.addEventListener("DOMContentLoaded", start);
})();
