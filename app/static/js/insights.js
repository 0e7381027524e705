// Live progress of a theme run: the bar follows the run over a websocket and the page reloads
// when it finishes. Without this script the page refreshes itself (a <noscript> meta refresh).
(function () {
  "use strict";
  var bar = document.getElementById("run-progress");
  if (!bar || !window.WebSocket) { return; }
  var percent = document.querySelector(".run-percent");
  var stage = document.querySelector(".run-stage");
  var scheme = location.protocol === "https:" ? "wss://" : "ws://";
  var socket = new WebSocket(scheme + location.host + bar.getAttribute("data-live"));
  socket.onmessage = function (event) {
    var status = JSON.parse(event.data);
    if (typeof status.progress === "number") {
      bar.value = status.progress;
      bar.textContent = status.progress + "%";
      percent.textContent = status.progress + "%";
    }
    if (status.stage) { stage.textContent = status.stage; }
    if (status.state === "done" || status.state === "failed") {
      socket.close();
      location.replace(bar.getAttribute("data-done"));
    }
  };
  socket.onerror = function () {
    // No websocket (a proxy that refuses them): fall back to reloading the page now and then.
    window.setTimeout(function () { location.reload(); }, 3000);
  };
}());
