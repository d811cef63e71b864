// Meeting mode: a small countdown per agenda section so the group keeps time. Its state is
// kept in the browser, so a reload (or a dropped connection) does not reset a running timer.
(function () {
  "use strict";
  var store = null;
  try { store = window.localStorage; } catch (e) { store = null; }
  function format(seconds) {
    var m = Math.floor(Math.abs(seconds) / 60), s = Math.abs(seconds) % 60;
    return (seconds < 0 ? "-" : "") + m + ":" + (s < 10 ? "0" : "") + s;
  }
  function load(key) {
    try { return JSON.parse(store.getItem(key)); } catch (e) { return null; }
  }
  function save(key, state) {
    if (!store) return;
    try { store.setItem(key, JSON.stringify(state)); } catch (e) { /* full or private mode */ }
  }
  document.querySelectorAll(".timer[data-minutes]").forEach(function (box, index) {
    var key = "impact:timer:" + location.pathname + ":" + index;
    var total = parseInt(box.dataset.minutes, 10) * 60, left = total, handle = null;
    var display = document.createElement("span");
    var button = document.createElement("button");
    display.className = "timer-display";
    display.setAttribute("aria-live", "off");
    button.type = "button"; button.className = "button button-secondary button-small";
    button.textContent = "Start " + box.dataset.minutes + " min";
    function show() {
      display.textContent = format(left);
      box.classList.toggle("timer-over", left < 0);
    }
    function run() {
      button.textContent = "Pause";
      box.dataset.running = "1";
      // Counted from the clock, not from ticks: a busy or hidden tab still keeps time.
      var startedAt = Date.now(), startedLeft = left;
      save(key, { left: left, running: true, at: startedAt });
      handle = setInterval(function () {
        left = startedLeft - Math.floor((Date.now() - startedAt) / 1000);
        show();
      }, 1000);
    }
    function pause() {
      clearInterval(handle); handle = null;
      button.textContent = "Resume";
      delete box.dataset.running;
      save(key, { left: left, running: false, at: Date.now() });
    }
    button.addEventListener("click", function () { if (handle) pause(); else run(); });
    var saved = store ? load(key) : null;
    if (saved && typeof saved.left === "number") {
      left = saved.running ? saved.left - Math.floor((Date.now() - saved.at) / 1000) : saved.left;
      if (saved.running) { show(); run(); } else if (left !== total) { button.textContent = "Resume"; }
    }
    show();
    box.appendChild(display); box.appendChild(button);
  });
})();
