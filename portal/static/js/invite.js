// The invitation link carries its code after "#", which the browser never sends to the server, so the code is in
// no request line and no access log. This script takes it out of the address (and so out of the history), puts it
// in the form for the code and sends the form. Without JavaScript the person writes the code from the e-mail.
(function () {
  "use strict";

  // The code's own shape (20 letters and digits, maybe in groups): never "#main-content" or another page anchor.
  var CODE = /^[0-9A-Za-z]{5}(-?[0-9A-Za-z]{5}){3}$/;

  function openInvitation(code) {
    var form = document.querySelector("form[data-invite-open]");
    var field = form && form.querySelector("input[name=invitation_code]");
    if (!field) return;
    field.value = code;
    form.submit();
  }

  var code = window.location.hash.slice(1);
  if (!CODE.test(code)) return;
  window.history.replaceState(null, "", window.location.pathname + window.location.search);
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { openInvitation(code); });
  } else {
    openInvitation(code);
  }
})();
