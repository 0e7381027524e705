// Quick exit: leave for a neutral site and replace this page in the history, so "Back" does not
// return here. Pressing Escape three times within two seconds does the same.
// Back can still reach the pages before this one (the survey's start page, earlier pages), so
// leaving also notes in this tab's sessionStorage that the person left: a participant page reached
// by Back or Forward while that note is there hides itself at once and leaves again. Opening a
// participant page afresh (a link, a QR code, a typed address) clears the note.
// Loaded in <head>, without defer, so the check runs before anything is drawn.
(function () {
  "use strict";
  var LEFT = "chorus-left";
  var neutral = document.currentScript.getAttribute("data-neutral-site");

  function note(value) {
    try {
      if (value) { sessionStorage.setItem(LEFT, "1"); } else { sessionStorage.removeItem(LEFT); }
    } catch (e) { /* storage switched off: the history entry is replaced all the same */ }
  }

  function hasLeft() {
    try { return sessionStorage.getItem(LEFT) === "1"; } catch (e) { return false; }
  }

  function leave(destination) {
    note(true);
    document.documentElement.style.display = "none";
    window.location.replace(destination || neutral);
  }

  function reachedByHistory() {
    var entries = window.performance && performance.getEntriesByType ? performance.getEntriesByType("navigation") : [];
    return entries.length > 0 && entries[0].type === "back_forward";
  }

  if (hasLeft()) {
    if (reachedByHistory()) { leave(); return; }
    note(false);
  }
  // A page restored from the back/forward cache runs no script again: check when it is shown.
  window.addEventListener("pageshow", function (event) {
    if (event.persisted && hasLeft()) { leave(); }
  });

  document.addEventListener("DOMContentLoaded", function () {
    var button = document.querySelector("[data-quick-exit]");
    if (!button) { return; }
    // Mid-survey the link goes through Chorus first, which deletes the unsent answers.
    var destination = button.getAttribute("href");
    button.addEventListener("click", function (event) {
      event.preventDefault();
      leave(destination);
    });
    var presses = [];
    document.addEventListener("keydown", function (event) {
      if (event.key !== "Escape") { return; }
      var now = Date.now();
      presses = presses.filter(function (t) { return now - t < 2000; });
      presses.push(now);
      if (presses.length >= 3) { leave(destination); }
    });
  });
})();
