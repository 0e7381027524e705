// Quick exit: leave for a neutral site and replace this page in the history, so "Back" does not
// return here. Pressing Escape three times within two seconds does the same.
(function () {
  "use strict";
  var button = document.querySelector("[data-quick-exit]");
  if (!button) { return; }
  var destination = button.getAttribute("href");

  function leave(event) {
    if (event) { event.preventDefault(); }
    document.body.hidden = true;
    window.location.replace(destination);
  }

  button.addEventListener("click", leave);

  var presses = [];
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") { return; }
    var now = Date.now();
    presses = presses.filter(function (t) { return now - t < 2000; });
    presses.push(now);
    if (presses.length >= 3) { leave(); }
  });
})();
