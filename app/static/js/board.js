/* Live retrospective board: progressive enhancement over the plain forms (surveys/boards/live.py has the protocol).
   Without this script every form still posts and the page shows the board as of the last load. */
(function () {
  "use strict";
  var root = document.getElementById("board");
  if (!root || !window.WebSocket || !window.fetch) return;
  var role = root.dataset.role;
  var seq = -1;
  var socket = null;
  var retry = 500;
  var unacked = [];            // posts and votes sent (or waiting to be sent) and not yet acknowledged
  var refreshing = false, refreshAgain = false;

  function newRef() {
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return (b + 256).toString(16).slice(1); }).join("");
  }

  function setNote(text) {
    var note = document.querySelector("[data-live-note]");
    if (note) { note.hidden = false; note.textContent = text; }
  }

  function showError(message) {
    var box = document.getElementById("board-live-error");
    if (!box) {
      box = document.createElement("div");
      box.id = "board-live-error";
      box.className = "error-summary";
      box.setAttribute("role", "alert");
      var board = document.getElementById("board");
      board.insertBefore(box, board.children[1] || null);
    }
    box.textContent = message;
  }

  function clearError() {
    var box = document.getElementById("board-live-error");
    if (box) box.remove();
  }

  /* Redraw the board from the server's own page (the same template a reload shows), keeping what is being typed. */
  function refresh() {
    if (refreshing) { refreshAgain = true; return; }
    refreshing = true;
    var typing = document.getElementById("card-text");
    var typed = typing ? typing.value : "";
    var hadFocus = typing && document.activeElement === typing;
    fetch(location.pathname, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (response) { return response.text(); })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("board");
        if (fresh) {
          document.getElementById("board").innerHTML = fresh.innerHTML;
          var again = document.getElementById("card-text");
          if (again && typed) again.value = typed;
          if (again && hadFocus) again.focus();
          setNote(liveText);
          tick();
        }
      })
      .catch(function () {})
      .then(function () {
        refreshing = false;
        if (refreshAgain) { refreshAgain = false; refresh(); }
      });
  }

  var liveText = (document.querySelector("[data-live-note]") || {}).textContent || "";

  function send(message) {
    if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(message));
  }

  function act(message) {
    message.ref = message.ref || newRef();
    unacked.push(message);
    send(message);
  }

  function onEvent(event) {
    var kind = event.kind;
    if (kind === "card_written" || kind === "card_declined") {
      var count = document.querySelector('[data-count="' + event.column + '"]');
      if (count) count.textContent = event.count;
      if (role === "facilitator") refresh();  // the review queue may have grown
    } else if (kind === "votes") {
      /* Tallies stay hidden until voting closes: only the number of votes cast moves. */
    } else {
      refresh();
    }
  }

  function onFrame(frame) {
    if (frame.type === "state") {
      var first = seq < 0;
      seq = frame.seq;
      if (!first) refresh();
    } else if (frame.type === "event") {
      if (frame.seq <= seq) return;
      if (frame.seq > seq + 1) { send({ action: "resync" }); return; }  // a gap: catch up from the full state
      seq = frame.seq;
      onEvent(frame.event);
    } else if (frame.type === "presence") {
      document.querySelectorAll("[data-presence]").forEach(function (el) { el.textContent = frame.count; });
    } else if (frame.type === "ack" || frame.type === "error") {
      unacked = unacked.filter(function (m) { return m.ref !== frame.ref; });
      if (frame.type === "error") { showError(frame.message); return; }
      clearError();
      if (frame.action === "post") {
        var text = document.getElementById("card-text");
        if (text) text.value = "";
      }
      refresh();
    }
  }

  function connect() {
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    socket = new WebSocket(scheme + location.host + root.dataset.live);
    socket.onopen = function () {
      retry = 500;
      setNote(liveText);
      if (unacked.length) {  // sent while offline: again with the same refs, so nothing is made twice
        unacked.forEach(send);
        send({ action: "resync" });
      }
    };
    socket.onmessage = function (message) {
      try { onFrame(JSON.parse(message.data)); } catch (e) { /* a frame we cannot read: the next resync mends it */ }
    };
    socket.onclose = function (closed) {
      if (closed.code === 4403) return;  // not joined: the page says what to do
      setNote("Reconnecting…");
      setTimeout(connect, retry);
      retry = Math.min(retry * 2, 10000);
    };
  }

  function fields(form) {
    var message = {};
    new FormData(form).forEach(function (value, name) { if (name !== "_csrf_token") message[name] = value; });
    return message;
  }

  document.addEventListener("submit", function (submitted) {
    var form = submitted.target;
    var kind = form.dataset && form.dataset.boardForm;
    if (!kind || !socket) return;
    var message = fields(form);
    if (kind === "post") { message = { action: "post", column: message.column, text: message.text }; }
    else if (kind === "vote") { message = { action: message.take_back ? "unvote" : "vote", card: Number(message.card) }; }
    else {
      message.action = message.action || kind;
      ["card", "group"].forEach(function (key) { if (message[key]) message[key] = Number(message[key]); });
      delete message.ref;
    }
    if (socket.readyState !== WebSocket.OPEN && message.action !== "post") return;  // the plain form still works
    submitted.preventDefault();
    act(message);
  });

  /* Dragging a card onto a group (facilitator); "Move to…" on each card does the same in one tap. */
  if (role === "facilitator") {
    document.addEventListener("dragstart", function (e) {
      var card = e.target.closest && e.target.closest("[data-card]");
      if (card) e.dataTransfer.setData("text/plain", card.dataset.card);
    });
    document.addEventListener("dragover", function (e) {
      if (e.target.closest && e.target.closest("[data-group],[data-column]")) e.preventDefault();
    });
    document.addEventListener("drop", function (e) {
      var zone = e.target.closest && e.target.closest("[data-group],[data-column]");
      var card = Number(e.dataTransfer.getData("text/plain"));
      if (!zone || !card) return;
      e.preventDefault();
      act({ action: "move", card: card, group: zone.dataset.group ? Number(zone.dataset.group) : null });
    });
    var markDraggable = function () {
      document.querySelectorAll(".board-page [data-card]").forEach(function (c) { c.setAttribute("draggable", "true"); });
    };
    new MutationObserver(markDraggable).observe(root, { childList: true, subtree: true });
    markDraggable();
  }

  /* The phase timer counts down here; the server's page says the same at load. */
  function tick() {
    document.querySelectorAll("[data-timer]").forEach(function (el) {
      var minutes = Number(el.dataset.minutes);
      if (!minutes) return;
      var left = Math.max(0, Math.round(minutes * 60 - (Date.now() - Date.parse(el.dataset.started)) / 1000));
      el.textContent = Math.floor(left / 60) + " min " + (left % 60) + " s";
    });
  }
  setInterval(tick, 1000);
  connect();
})();
