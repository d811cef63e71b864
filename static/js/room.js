// The live meeting room: one socket per screen keeps the room bar (step, timer, who is here,
// who is ready, who facilitates) as the server holds it, and fetches a part of the page again
// when someone changes it. Without the socket, every control is a form that posts and reloads.
(function () {
  "use strict";

  var bar = document.getElementById("room-bar");
  var initial = document.getElementById("room-state");
  if (!bar || !initial || !window.WebSocket) return;

  var me = parseInt(bar.dataset.me, 10);
  var canDrive = bar.dataset.canDrive === "1";
  var text = bar.dataset;
  var state = JSON.parse(initial.textContent);
  var socket = null, retry = 0, live = false, closed = false;
  var viewing = null; // a step this screen looks at while the group is elsewhere
  var shownStep = null, shownStandIn = null; // as last drawn: pickers follow only real changes
  var timerLeft = null, timerRunning = false, timerAt = 0;

  var stepName = document.getElementById("room-step-name");
  var follow = document.getElementById("room-follow");
  var timer = document.getElementById("room-timer");
  var status = document.getElementById("room-status");
  var present = document.getElementById("room-present");
  var facilitator = document.getElementById("room-facilitator");
  var ready = document.getElementById("room-ready");
  var takeOver = document.getElementById("room-take-over");
  var moveStep = document.getElementById("room-move-step");
  var sections = Array.prototype.slice.call(document.querySelectorAll(".agenda-section"));
  var tabs = Array.prototype.slice.call(document.querySelectorAll("nav.agenda a[href^='#']"));
  var labels = {};
  if (moveStep) Array.prototype.forEach.call(moveStep.options, function (o) { labels[o.value] = o.textContent; });
  tabs.forEach(function (a, i) { labels[a.getAttribute("href").slice(1)] = labels[a.getAttribute("href").slice(1)] || a.textContent; });

  var notice = document.createElement("p");
  notice.className = "message message-error room-error"; notice.setAttribute("role", "alert"); notice.hidden = true;
  bar.appendChild(notice);

  function format(seconds) {
    var m = Math.floor(seconds / 60), s = seconds % 60;
    return m + ":" + (s < 10 ? "0" : "") + s;
  }

  function showStatus(kind) {
    status.textContent = kind === "live" ? text.textLive : kind === "closed" ? text.textClosed
      : kind === "connecting" ? text.textConnecting : text.textOffline;
    status.dataset.kind = kind;
  }

  // Which section this screen shows: the group's step, or the one it chose to look at.
  function showSection() {
    var shown = viewing || state.step;
    document.body.classList.add("room-live");
    sections.forEach(function (s) {
      s.classList.toggle("is-shown", s.id === shown);
      s.classList.toggle("is-current", s.id === state.step);
    });
    tabs.forEach(function (a) {
      var id = a.getAttribute("href").slice(1);
      if (id === shown) a.setAttribute("aria-current", "step"); else a.removeAttribute("aria-current");
      a.classList.toggle("is-group-step", id === state.step);
    });
    follow.hidden = !viewing || viewing === state.step;
  }

  function tick() {
    if (timerLeft === null) {
      timer.textContent = text.textNoTimer;
      timer.classList.remove("timer-over");
      return;
    }
    var left = timerRunning ? timerLeft - Math.floor((Date.now() - timerAt) / 1000) : timerLeft;
    left = Math.max(0, left);
    timer.textContent = format(left) + (timerRunning ? "" : " (" + text.textPaused + ")");
    timer.classList.toggle("timer-over", timerRunning && left === 0);
  }

  function chip(person) {
    var li = document.createElement("li");
    var avatar = document.createElement("span");
    var name = document.createElement("span");
    li.title = person.name + (person.ready ? " (" + text.textReady + ")" : "");
    if (person.ready) li.className = "is-ready";
    avatar.className = "avatar"; avatar.setAttribute("aria-hidden", "true");
    avatar.textContent = person.initials;
    name.className = "visually-hidden"; name.textContent = li.title;
    li.appendChild(avatar); li.appendChild(name);
    return li;
  }

  function render() {
    stepName.textContent = labels[state.step] || state.step;
    // The step picker follows the group only when the group moves: a presence or timer change
    // arriving between picking a step and pressing the button must not undo the pick.
    if (moveStep && state.step !== shownStep) moveStep.value = state.step;
    shownStep = state.step;
    timerLeft = state.timer.left; timerRunning = state.timer.running; timerAt = Date.now();
    tick();
    present.textContent = "";
    if (!state.present.length) {
      var empty = document.createElement("li");
      empty.className = "muted small"; empty.textContent = text.textNoOne;
      present.appendChild(empty);
    }
    state.present.forEach(function (p) { present.appendChild(chip(p)); });
    facilitator.textContent = state.facilitator ? state.facilitator.name : text.textNobody;
    var mine = state.present.filter(function (p) { return p.id === me; })[0];
    ready.value = mine && mine.ready ? "0" : "1";
    ready.setAttribute("aria-pressed", mine && mine.ready ? "true" : "false");
    var facilitating = state.facilitator && state.facilitator.id === me;
    var standIn = document.getElementById("room-stand-in");
    if (standIn && state.stand_in !== shownStandIn) standIn.value = state.stand_in || "";
    shownStandIn = state.stand_in;
    takeOver.hidden = facilitating || !(canDrive || state.stand_in === me);
    var drive = document.getElementById("room-drive");
    if (drive) drive.classList.toggle("is-waiting", !!state.facilitator && !facilitating);
    showSection();
  }

  // A part of the page someone changed: fetched again and swapped in place. What is being
  // typed stays: forms are outside the parts, and notes in progress are never overwritten.
  function refresh(parts) {
    fetch(location.pathname, { credentials: "same-origin", headers: { "X-Room-Refresh": "1" } })
      .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
      .then(function (html) {
        var page = new DOMParser().parseFromString(html, "text/html");
        parts.forEach(function (part) {
          if (part === "notes") return refreshNotes(page);
          var fresh = page.querySelector("[data-room-part='" + part + "']");
          document.querySelectorAll("[data-room-part='" + part + "']").forEach(function (old) {
            if (fresh) old.innerHTML = fresh.innerHTML;
          });
          if (window.htmx) document.querySelectorAll("[data-room-part='" + part + "']").forEach(function (el) { window.htmx.process(el); });
        });
      })
      .catch(function () { /* the next change or reconnect tries again */ });
  }

  function refreshNotes(page) {
    var fresh = page.querySelector("[data-room-part='notes']");
    var old = document.querySelector("[data-room-part='notes']");
    if (fresh && old) { old.innerHTML = fresh.innerHTML; return; }
    // A moderator's screen: the notes count their saves. Nothing newer than this screen's own
    // last save: nothing to do (it was this screen's). Newer: another screen saved. Its words
    // are taken only into a field untouched here since the page was drawn; otherwise this
    // screen keeps what is typed and says so (and the server refuses to save over theirs).
    var form = document.getElementById("session-notes");
    var mine = document.getElementById("notes-version");
    var theirs = page.getElementById("notes-version");
    if (!form || !mine || !theirs || parseInt(theirs.value, 10) <= parseInt(mine.value, 10)) return;
    var fields = Array.prototype.slice.call(form.querySelectorAll("textarea[name]"));
    var untouched = fields.every(function (f) { return f.value === f.defaultValue && document.activeElement !== f; });
    if (untouched) {
      fields.forEach(function (f) {
        var other = page.querySelector("#session-notes textarea[name='" + f.name + "']");
        if (other) { f.value = other.value; f.defaultValue = other.value; }
      });
      mine.value = theirs.value;
    } else {
      var note = document.getElementById("notes-status");
      if (note) note.textContent = text.textChanged;
    }
  }

  function send(message) {
    if (socket && socket.readyState === WebSocket.OPEN) { socket.send(JSON.stringify(message)); return true; }
    return false;
  }

  // The room's forms travel over the socket while it is open (no reload), as posts otherwise.
  document.querySelectorAll("form[data-room-form]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      var data = new FormData(form);
      if (event.submitter && event.submitter.name) data.set(event.submitter.name, event.submitter.value);
      var kind = data.get("do"), message = { type: kind };
      if (kind === "move") message.step = data.get("step");
      if (kind === "timer") { message.action = data.get("action"); message.minutes = parseInt(data.get("minutes"), 10); }
      if (kind === "ready") message.ready = data.get("ready") === "1";
      if (kind === "stand_in") message.user = data.get("user") ? parseInt(data.get("user"), 10) : null;
      if (send(message)) event.preventDefault();
    });
  });

  // What a member adds (a question, a raised hand, a next action) is posted without leaving
  // the page; the room then shows it on every screen. Refused: the reason, and the words stay.
  document.querySelectorAll("form[data-room-add]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.fetch) return;
      event.preventDefault();
      var button = form.querySelector("button[type=submit]");
      if (button) button.disabled = true;
      fetch(form.action, { method: "POST", body: new FormData(form), credentials: "same-origin", headers: { "HX-Request": "true" } })
        .then(function (r) {
          if (r.status === 204) { form.reset(); return; }
          return r.text().then(function (why) { say(why || text.textOffline); });
        })
        .catch(function () { say(text.textOffline); })
        .then(function () { if (button) button.disabled = false; });
    });
  });

  function say(message) {
    notice.textContent = message; notice.hidden = false;
    setTimeout(function () { notice.hidden = true; }, 6000);
  }

  // After a conflict over the notes: the moderator read the other words and keeps their own,
  // saving on the version that is now current.
  document.addEventListener("click", function (event) {
    var keep = event.target.closest("[data-keep-mine]");
    var version = document.getElementById("notes-version");
    var save = document.querySelector("#session-notes button[value='save']");
    if (!keep || !version || !save) return;
    version.value = keep.dataset.keepMine;
    save.click();
  });

  tabs.forEach(function (a) {
    a.addEventListener("click", function (event) {
      if (!live) return;
      event.preventDefault();
      var id = a.getAttribute("href").slice(1);
      viewing = id === state.step ? null : id;
      showSection();
    });
  });
  follow.addEventListener("click", function () { viewing = null; showSection(); });

  var retryTimer = null;
  function connect() {
    clearTimeout(retryTimer);
    if (closed || socket) return; // one socket per screen, whichever retry comes first
    showStatus("connecting");
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    var mine = socket = new WebSocket(scheme + location.host + bar.dataset.socket);
    socket.onopen = function () {
      retry = 0; live = true; showStatus("live");
      // Caught up on what was missed while away: the state comes first, the parts here.
      refresh(["impact", "reflections", "help", "questions", "review", "next", "notes"]);
    };
    socket.onmessage = function (event) {
      var message = JSON.parse(event.data);
      if (message.type === "state") {
        // States from different processes can cross on the way: an older one changes nothing.
        if (message.version < state.version) return;
        state = message; render();
        if (message.closed) { closed = true; showStatus("closed"); }
      } else if (message.type === "changed") {
        refresh([message.part]);
      } else if (message.type === "closed") {
        closed = true; showStatus("closed");
        if (message.message) say(message.message);
      } else if (message.type === "error") {
        say(message.message);
      }
    };
    socket.onclose = function () {
      if (socket !== mine) return;
      live = false; socket = null;
      if (closed) { showStatus("closed"); return; }
      showStatus("offline");
      retry = Math.min(retry + 1, 6);
      retryTimer = setTimeout(connect, Math.min(10000, 500 * Math.pow(2, retry - 1)));
    };
  }

  // The heartbeat: the room counts this screen as here while it beats, and proxies that close
  // quiet sockets (often after 60 s) keep this one open.
  setInterval(function () {
    if (socket && live) socket.send(JSON.stringify({ type: "ping" }));
  }, 45000);
  setInterval(tick, 500);
  render();
  connect();
  window.addEventListener("online", function () { if (!socket) { retry = 0; connect(); } });
})();
