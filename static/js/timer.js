// Meeting mode: a small countdown per agenda section so the group keeps time.
(function () {
  "use strict";
  function format(seconds) {
    var m = Math.floor(Math.abs(seconds) / 60), s = Math.abs(seconds) % 60;
    return (seconds < 0 ? "-" : "") + m + ":" + (s < 10 ? "0" : "") + s;
  }
  document.querySelectorAll(".timer[data-minutes]").forEach(function (box) {
    var total = parseInt(box.dataset.minutes, 10) * 60, left = total, handle = null;
    var display = document.createElement("span");
    var button = document.createElement("button");
    display.className = "timer-display"; display.textContent = format(left);
    display.setAttribute("aria-live", "off");
    button.type = "button"; button.className = "button button-secondary button-small"; button.textContent = "Start " + box.dataset.minutes + " min";
    button.addEventListener("click", function () {
      if (handle) { clearInterval(handle); handle = null; button.textContent = "Resume"; return; }
      button.textContent = "Pause";
      handle = setInterval(function () {
        left -= 1; display.textContent = format(left);
        box.classList.toggle("timer-over", left < 0);
      }, 1000);
    });
    box.appendChild(display); box.appendChild(button);
  });
})();
