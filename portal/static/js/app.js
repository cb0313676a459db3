// Enhancements only: every page works without this file.
(function () {
  "use strict";

  // After htmx swaps the main content, start at the new heading (screen readers, keyboard users).
  function focusHeading(root) {
    var target = root.querySelector("[data-autofocus]") || root.querySelector("h1");
    if (target) {
      if (!target.hasAttribute("tabindex")) target.setAttribute("tabindex", "-1");
      target.focus();
    }
  }

  // The message box: "N characters left" as you type (the limit is also written out for no-JS users).
  // The sentences come translated from the server in data-left / data-over.
  function updateCount(textarea) {
    var out = document.querySelector('[data-count-for="' + textarea.id + '"]');
    if (!out) return;
    var max = parseInt(textarea.getAttribute("data-max"), 10);
    var left = max - textarea.value.length;
    var fmt = new Intl.NumberFormat(document.documentElement.lang);
    var text = out.getAttribute(left >= 0 ? "data-left" : "data-over") || "";
    out.textContent = text.replace("{n}", fmt.format(Math.abs(left)));
    out.classList.toggle("mv-compose__count--over", left < 0);
  }

  // The same message can arrive twice (a poll racing a send): keep the first.
  function dropDuplicates() {
    var seen = {};
    document.querySelectorAll("#thread-list > [id]").forEach(function (el) {
      if (seen[el.id]) el.remove(); else seen[el.id] = true;
    });
  }

  // The paper plan: a "Print" button only where scripts run (without them the page says how to print).
  function showPrintButtons(root) {
    root.querySelectorAll("[data-print]").forEach(function (button) { button.hidden = false; });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var summary = document.querySelector("[data-autofocus]");
    if (summary) summary.focus();
    showPrintButtons(document);
  });

  document.addEventListener("click", function (event) {
    if (event.target.closest && event.target.closest("[data-print]")) window.print();
  });

  document.addEventListener("input", function (event) {
    if (event.target.matches && event.target.matches("textarea[data-max]")) updateCount(event.target);
  });

  document.addEventListener("htmx:load", function (event) {
    var el = event.detail.elt;
    if (!el.querySelectorAll) return;
    showPrintButtons(el);
    el.querySelectorAll("textarea[data-max]").forEach(updateCount);
    if (el.matches && el.matches("textarea[data-max]")) updateCount(el);
    if (el.hasAttribute && el.hasAttribute("data-refocus")) {
      var field = el.querySelector("textarea, input:not([type=hidden])");
      if (field) field.focus();
    }
  });

  // Polling stops while the tab is hidden and catches up when it is shown again.
  document.addEventListener("htmx:beforeRequest", function (event) {
    if (document.hidden && event.detail.elt.hasAttribute("data-poll")) event.preventDefault();
  });
  document.addEventListener("visibilitychange", function () {
    if (!document.hidden) document.dispatchEvent(new CustomEvent("mv:visible"));
  });

  document.addEventListener("htmx:afterSettle", function (event) {
    var target = event.detail.target;
    if (!target) return;
    if (target.id === "main-content") {
      focusHeading(target);
      window.scrollTo(0, 0);
    } else if (target.id === "thread-older") {
      var first = document.querySelector("#thread-list > .mv-msg");
      var link = document.querySelector("#thread-older a");
      if (link) link.focus(); else if (first) { first.setAttribute("tabindex", "-1"); first.focus(); }
    }
    dropDuplicates();
  });
})();
