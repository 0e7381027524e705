// Run mode on a tablet: nothing typed is lost on a dropped connection. Every change is kept in
// localStorage at once (the draft); Save sends the form with fetch, and a send that fails stays
// pending and is sent again when the browser is back online. Without JavaScript the forms post.
(function () {
  "use strict";
  var PREFIX = "chorus-user-test:";
  var FIELDS = ["outcome", "seconds", "seq", "note", "note_kind", "issue", "severity"];

  function read(form) {
    var values = {};
    FIELDS.forEach(function (name) {
      var field = form.elements[name];
      if (!field) return;
      values[name] = field.value !== undefined ? field.value : "";
      if (field.length && field[0] && field[0].type === "radio") {
        var checked = Array.prototype.find.call(field, function (r) { return r.checked; });
        values[name] = checked ? checked.value : "";
      }
    });
    return values;
  }

  function write(form, values) {
    FIELDS.forEach(function (name) {
      var field = form.elements[name];
      if (!field || values[name] === undefined) return;
      if (field.length && field[0] && field[0].type === "radio") {
        Array.prototype.forEach.call(field, function (r) { r.checked = r.value === values[name]; });
      } else {
        field.value = values[name];
      }
    });
  }

  function key(form) { return PREFIX + form.dataset.draftKey; }
  function say(form, message) { form.querySelector("[data-save-status]").textContent = message; }

  function keep(form, pending) {
    localStorage.setItem(key(form), JSON.stringify({ values: read(form), pending: pending }));
  }

  function send(form) {
    var draft = JSON.parse(localStorage.getItem(key(form)) || "null");
    var body = new FormData(form);
    if (draft) Object.keys(draft.values).forEach(function (name) { body.set(name, draft.values[name]); });
    var noted = (body.get("note") || "").trim() || (body.get("issue") || "").trim();
    return fetch(form.action, { method: "POST", body: body, headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        return response.json().then(function (answer) {
          if (!response.ok) {
            say(form, "Not saved: " + (answer.error || "please check the form") + " What you typed is kept on this tablet.");
            return;
          }
          localStorage.removeItem(key(form));
          if (noted) {
            window.location.reload();  // show the note with its time, and clear the fields
            return;
          }
          say(form, answer.held ? "Saved. The note went to the safeguarding lead." : "Saved at " + new Date().toLocaleTimeString() + ".");
        });
      })
      .catch(function () {
        keep(form, true);
        say(form, "Not sent: no connection. Kept on this tablet; it will be sent when the connection is back.");
      });
  }

  function startTimer(form) {
    var seconds = form.elements.seconds;
    var start = Date.now() - (parseInt(seconds.value, 10) || 0) * 1000;
    stopTimer(form);
    form._timer = window.setInterval(function () {
      seconds.value = String(Math.round((Date.now() - start) / 1000));
      keep(form, true);
    }, 1000);
    say(form, "Timer running.");
  }

  function stopTimer(form) {
    if (form._timer) {
      window.clearInterval(form._timer);
      form._timer = null;
      say(form, "Timer stopped at " + form.elements.seconds.value + " seconds.");
    }
  }

  var forms = Array.prototype.slice.call(document.querySelectorAll("form[data-autosave]"));
  forms.forEach(function (form) {
    var draft = JSON.parse(localStorage.getItem(key(form)) || "null");
    if (draft && draft.pending) {
      write(form, draft.values);
      say(form, "Restored what was typed on this tablet; not sent yet.");
    }
    form.addEventListener("input", function () { keep(form, true); });
    form.addEventListener("change", function () { keep(form, true); });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      stopTimer(form);
      keep(form, true);
      say(form, "Saving…");
      send(form);
    });
    var timer = form.querySelector("[data-timer]");
    timer.hidden = false;
    timer.querySelector("[data-timer-start]").addEventListener("click", function () { startTimer(form); });
    timer.querySelector("[data-timer-stop]").addEventListener("click", function () { stopTimer(form); });
  });

  window.addEventListener("online", function () {
    forms.forEach(function (form) {
      var draft = JSON.parse(localStorage.getItem(key(form)) || "null");
      if (draft && draft.pending && form.querySelector("[data-save-status]").textContent.indexOf("Not sent") === 0) {
        say(form, "Back online: sending…");
        send(form);
      }
    });
  });
})();
