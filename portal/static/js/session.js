// Shortly before the sign-in runs out, ask "Do you want to stay signed in?" (WCAG 2.2.1, timing adjustable).
// Enhancement only: without this file the next request after the time simply finds the person signed out.
(function () {
  "use strict";

  var dialog, warning, timer;

  function later(seconds, then) {
    window.clearTimeout(timer);
    timer = window.setTimeout(then, Math.max(0, seconds) * 1000);
  }

  // Ask the server (this does not extend the sign-in): another tab may have kept it alive.
  function ask(then) {
    fetch(dialog.getAttribute("data-status-url"), { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(then)
      .catch(function () { later(30, check); });
  }

  function schedule(left) {
    if (left <= 0) { end(); return; }
    if (left > warning) {
      if (dialog.open) dialog.close();
      later(left - warning, check);
      return;
    }
    if (!dialog.open) dialog.showModal();
    later(left + 1, check);
  }

  function check() {
    ask(function (status) { if (status.signed_in) schedule(status.seconds_left); else end(); });
  }

  // Signed out. A message being written goes to the server as it is: the sign-in page that answers keeps it.
  function end() {
    var forms = document.querySelectorAll("form[data-keep-on-timeout]");
    for (var i = 0; i < forms.length; i++) {
      var text = forms[i].querySelector("textarea");
      if (text && text.value.trim()) { HTMLFormElement.prototype.submit.call(forms[i]); return; }
    }
    window.location.assign(dialog.getAttribute("data-signed-out-url"));
  }

  function stay(event) {
    event.preventDefault();
    var form = event.target;
    fetch(form.action, {
      method: "POST", body: new FormData(form), credentials: "same-origin",
      headers: { Accept: "application/json", "X-CSRFToken": form.elements.csrf_token.value }
    })
      .then(function (response) { if (!response.ok) throw new Error(response.status); return response.json(); })
      .then(function (status) { if (dialog.open) dialog.close(); schedule(status.seconds_left); })
      .catch(function () { HTMLFormElement.prototype.submit.call(form); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    dialog = document.getElementById("session-dialog");
    if (!dialog || typeof dialog.showModal !== "function") return;
    warning = parseInt(dialog.getAttribute("data-session-warning"), 10);
    dialog.querySelector("form[data-session-extend]").addEventListener("submit", stay);
    schedule(parseInt(dialog.getAttribute("data-session-left"), 10));
  });
})();
