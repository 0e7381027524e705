// Progressive enhancement for survey pages; without this script the server does the same work a
// page later. (1) Show or hide a question as soon as the earlier answer it depends on changes;
// hidden questions' inputs are disabled, so they send nothing. (2) Keep "Page n of N" and the main
// button ("Next" or "Send my answers") right as answers on this page add or remove later pages.
// (3) Count characters in text answers against their limit, saying when a text is too long.
(function () {
  "use strict";
  var form = document.querySelector("form[data-survey]");
  if (!form) { return; }
  var conditionals = Array.prototype.slice.call(form.querySelectorAll("[data-show-if]"));
  var outlook = form.hasAttribute("data-page-totals") ? JSON.parse(form.getAttribute("data-page-totals")) : null;
  var pageNumber = parseInt(form.getAttribute("data-page"), 10);

  function chosen(name) {
    var values = [];
    form.querySelectorAll("[name='" + name + "']").forEach(function (input) {
      if (!input.disabled && input.checked) { values.push(input.value); }
    });
    return values;
  }

  function showRevealed() {
    // In page order, so a question that depends on a revealed one follows it.
    conditionals.forEach(function (block) {
      var wanted = block.getAttribute("data-show-values").split(" ");
      var show = chosen(block.getAttribute("data-show-if")).some(function (v) { return wanted.indexOf(v) !== -1; });
      block.hidden = !show;
      block.querySelectorAll("input, select, textarea").forEach(function (input) { input.disabled = !show; });
    });
  }

  function countPages() {
    if (!outlook) { return; }
    var current = outlook.keys.map(function (key) {
      var value = chosen(key)[0] || "";
      return value === "_declined" ? "" : value;
    });
    var total = outlook.totals[current.join("|")];
    if (total === undefined) { return; }
    // As on the server: while a question here is unanswered and some answer to it would add a
    // page, the button says "Next" (pressing it on what is truly the last page asks, never sends).
    var couldGrow = Object.keys(outlook.totals).some(function (combination) {
      var values = combination.split("|");
      return outlook.totals[combination] > pageNumber && values.every(function (value, i) {
        return value === current[i] || current[i] === "";
      });
    });
    var label = document.querySelector("label[for='progress']");
    var bar = document.getElementById("progress");
    label.textContent = label.getAttribute("data-text").replace("{total}", total);
    bar.max = total;
    var button = document.getElementById("send");
    var sends = total <= pageNumber && !couldGrow;
    button.value = sends ? "submit" : "next";
    button.textContent = button.getAttribute(sends ? "data-send-text" : "data-next-text");
  }

  function grouped(n) { return n.toLocaleString("en-GB"); }

  function countCharacters(field) {
    var counter = document.getElementById(field.id + "-count");
    var announce = form.querySelector("[data-count-announce='" + field.id + "']");
    if (!counter) { return; }
    var limit = parseInt(counter.getAttribute("data-limit"), 10);
    var count = field.value.trim().length;
    var over = count > limit;
    var text = counter.getAttribute(over ? "data-over-text" : "data-count-text")
      .replace("{count}", grouped(count)).replace("{limit}", grouped(limit)).replace("{over}", grouped(count - limit));
    counter.textContent = text;
    counter.classList.toggle("over-limit", over);
    // Announce only the change that matters, not every key press.
    if (announce && over !== (announce.getAttribute("data-over") === "1")) {
      announce.setAttribute("data-over", over ? "1" : "0");
      announce.textContent = over ? text : "";
    }
  }

  var counted = Array.prototype.slice.call(form.querySelectorAll("[data-counted]"));
  counted.forEach(function (field) {
    field.addEventListener("input", function () { countCharacters(field); });
    countCharacters(field);
  });
  form.addEventListener("change", function () { showRevealed(); countPages(); });
  showRevealed();
  countPages();
})();
