// Passkeys: forms marked data-passkey="create" or "get" carry the server's options (JSON). On submit, the browser
// makes or uses a passkey, its answer goes into the hidden "credential" field, and the form is sent on. Browsers
// without passkeys never see these forms (they stay hidden) and use a code from an app instead.
(function () {
  "use strict";

  var PKC = window.PublicKeyCredential;
  if (!PKC || !PKC.parseCreationOptionsFromJSON || !PKC.parseRequestOptionsFromJSON || !navigator.credentials) return;

  function ask(form) {
    var options = JSON.parse(form.getAttribute("data-passkey-options"));
    if (form.getAttribute("data-passkey") === "create") {
      return navigator.credentials.create({ publicKey: PKC.parseCreationOptionsFromJSON(options) });
    }
    return navigator.credentials.get({ publicKey: PKC.parseRequestOptionsFromJSON(options) });
  }

  function enhance(form) {
    var section = form.closest("[data-passkey-section]");
    if (section) section.hidden = false;
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var error = form.querySelector("[data-passkey-error]");
      if (error) error.hidden = true;
      ask(form).then(function (credential) {
        form.querySelector("input[name=credential]").value = JSON.stringify(credential.toJSON());
        form.submit();
      }).catch(function () {
        if (error) error.hidden = false;
      });
    });
  }

  function start() {
    document.querySelectorAll("form[data-passkey]").forEach(enhance);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
