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
  var sent = {};               // ids of fields whose words were sent: not typed back after a redraw

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
    root.dataset.refreshing = "now";  // tests (and styles) can tell a redraw is on its way
    fetch(root.dataset.page || location.pathname, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (response) { return response.text(); })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("board");
        if (fresh) {
          var typed = {};  // what is being typed at this moment survives the redraw
          document.querySelectorAll("#board input[id]:not([type=hidden]):not([type=radio]), #board textarea[id]").forEach(function (el) {
            if (el.value) typed[el.id] = el.value;
          });
          var focused = document.activeElement && document.activeElement.id;
          document.getElementById("board").innerHTML = fresh.innerHTML;
          Object.keys(typed).forEach(function (id) {
            var el = document.getElementById(id);
            if (el && !sent[id]) el.value = typed[id];
          });
          if (focused && document.getElementById(focused)) document.getElementById(focused).focus();
          setNote(liveText);
          tick();
        }
      })
      .catch(function () {})
      .then(function () {
        refreshing = false;
        if (!refreshAgain) sent = {};
        if (refreshAgain) { refreshAgain = false; refresh(); }
        else if (!soon) delete root.dataset.refreshing;
      });
  }

  var liveNote = document.querySelector("[data-live-note]") || { dataset: {} };
  var liveText = liveNote.textContent || "";
  var reconnectingText = liveNote.dataset.reconnectingText || "Reconnecting…";  // the page's words, in its language

  /* A room of phones must not all fetch the page at the same instant after one facilitator tap:
     each waits a moment (a different one per phone), and whatever else happens meanwhile rides along. */
  var soon = null;
  function refreshSoon() {
    if (role === "facilitator") { refresh(); return; }
    if (soon) return;
    root.dataset.refreshing = "soon";
    soon = setTimeout(function () { soon = null; refresh(); }, 200 + Math.random() * 1300);
  }

  /* The events a facilitator repeats card after card are applied here, with no fetch at all. */
  function placeInOrder(list, card) {
    var id = Number(card.dataset.card), next = null;
    list.querySelectorAll(":scope > [data-card]").forEach(function (other) {
      if (!next && Number(other.dataset.card) > id) next = other;
    });
    list.insertBefore(card, next);
  }

  function moveCard(cardId, groupId) {
    var card = document.getElementById("card-" + cardId);
    if (!card) return false;
    var zone = groupId ? document.querySelector('[data-group="' + groupId + '"] .board-cards')
                       : document.querySelector('[data-column="' + card.dataset.columnKey + '"] .board-cards');
    if (!zone) return false;
    placeInOrder(zone, card);
    return true;
  }

  function focusCard(cardId) {
    var cards = document.querySelector("[data-cards]");
    if (!cards) return false;
    document.querySelectorAll("#board .board-focus").forEach(function (old) {
      old.classList.remove("board-focus");
      var mark = old.querySelector(".board-focus-mark");
      if (mark) mark.remove();
    });
    if (!cardId) return true;
    var card = document.getElementById("card-" + cardId);
    if (!card) return false;
    card.classList.add("board-focus");
    var mark = document.createElement("strong");
    mark.className = "board-focus-mark";
    mark.textContent = cards.dataset.focusText;
    card.insertBefore(mark, card.querySelector(".board-card-text"));
    return true;
  }

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
    } else if (role !== "facilitator" && kind === "card_moved") {
      if (!moveCard(event.card, event.group)) refreshSoon();
    } else if (role !== "facilitator" && kind === "focus") {
      if (!focusCard(event.card)) refreshSoon();
    } else {
      refreshSoon();
    }
  }

  function onFrame(frame) {
    if (frame.type === "state") {
      var first = seq < 0;
      seq = frame.seq;
      if (!first) refreshSoon();
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
      /* Done: empty the form it came from (its kind is the action's name). */
      document.querySelectorAll('[data-board-form="' + frame.action + '"] input[type=text], [data-board-form="' + frame.action + '"] input[type=date], [data-board-form="' + frame.action + '"] textarea').forEach(function (el) { el.value = ""; if (el.id) sent[el.id] = true; });
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
      setNote(reconnectingText);
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

  /* The phase timer counts down here, in the page's own words (data-timer-text, "%(m)s min %(s)s s left"
     translated); the server's page says the same at load. */
  function tick() {
    document.querySelectorAll("[data-timer]").forEach(function (el) {
      var minutes = Number(el.dataset.minutes);
      if (!minutes) return;
      var left = Math.max(0, Math.round(minutes * 60 - (Date.now() - Date.parse(el.dataset.started)) / 1000));
      var words = el.dataset.timerText || "%(m)s min %(s)s s left";
      el.textContent = words.replace("%(m)s", Math.floor(left / 60)).replace("%(s)s", left % 60);
    });
  }
  setInterval(tick, 1000);
  connect();
})();
