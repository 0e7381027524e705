// Progressive enhancement for survey pages: show or hide a question as soon as the earlier answer
// it depends on changes, instead of after "Next". Hidden questions' inputs are disabled, so they
// send nothing; without this script the server does the same work a page later.
(function () {
  "use strict";
  var form = document.querySelector("form[data-survey]");
  if (!form) { return; }
  var conditionals = Array.prototype.slice.call(form.querySelectorAll("[data-show-if]"));
  if (!conditionals.length) { return; }

  function chosen(name) {
    var values = [];
    form.querySelectorAll("[name='" + name + "']").forEach(function (input) {
      if (!input.disabled && input.checked) { values.push(input.value); }
    });
    return values;
  }

  function update() {
    // In page order, so a question that depends on a revealed one follows it.
    conditionals.forEach(function (block) {
      var wanted = block.getAttribute("data-show-values").split(" ");
      var show = chosen(block.getAttribute("data-show-if")).some(function (v) { return wanted.indexOf(v) !== -1; });
      block.hidden = !show;
      block.querySelectorAll("input, select, textarea").forEach(function (input) { input.disabled = !show; });
    });
  }

  form.addEventListener("change", update);
  update();
})();
