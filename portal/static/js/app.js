// Enhancements only: the pages work without this file.
// After htmx swaps the main content, move focus to the new heading so screen readers
// and keyboard users start at the top of the new page; focus an error summary on load.
(function () {
  "use strict";
  function focusHeading(root) {
    var target = root.querySelector("[data-autofocus]") || root.querySelector("h1");
    if (target) {
      if (!target.hasAttribute("tabindex")) target.setAttribute("tabindex", "-1");
      target.focus();
    }
  }
  document.addEventListener("DOMContentLoaded", function () {
    var summary = document.querySelector("[data-autofocus]");
    if (summary) summary.focus();
  });
  document.addEventListener("htmx:afterSettle", function (event) {
    var target = event.detail.target;
    if (target && target.id === "main-content") {
      focusHeading(target);
      window.scrollTo(0, 0);
    }
  });
})();
