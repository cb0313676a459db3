// Enhancements only: every page works without this file.
(function () {
  "use strict";

  // One rule for focus: the server marks what should have it with data-autofocus (an error summary, the item just
  // saved, the Change button of a change that was cancelled). After a page load or any htmx swap, focus goes to the
  // first mark in the new content; a mark "field" on a container means its first field. Without a mark, a page
  // load focuses the element its address names (#item-12 after a move), a swap of the main content its heading.
  function marked(root) {
    var inside = root.querySelector ? root.querySelector("[data-autofocus]") : null;
    if (inside) return inside;
    return root.matches && root.matches("[data-autofocus]") ? root : null;
  }

  function focusOn(target) {
    if (target.getAttribute("data-autofocus") === "field") {
      var field = target.querySelector("input:not([type=hidden]), select, textarea");
      if (field) { field.focus(); return; }
    }
    if (!target.matches("a[href], button, input, select, textarea") && !target.hasAttribute("tabindex")) {
      target.setAttribute("tabindex", "-1");
    }
    target.focus();
  }

  function named() {
    var id = window.location.hash.slice(1);
    try { return id ? document.getElementById(decodeURIComponent(id)) : null; } catch (e) { return null; }
  }

  // After htmx swaps the main content, start at the new heading (screen readers, keyboard users).
  function focusHeading(root) {
    var target = marked(root) || root.querySelector("h1");
    if (target) focusOn(target);
  }

  // The item form: a typed date or time makes the date exact ("on this day") unless the precision was chosen by
  // hand; the server reads the form the same way (plans.services.builder.ItemInput.meant_precision).
  function itemFormChanged(field) {
    var form = field.form;
    if (!form || !form.hasAttribute("data-item-form")) return;
    var el = form.elements;
    if (!el.precision || !el.shown_precision) return;
    if (field === el.precision) { el.shown_precision.value = "chosen"; return; }
    if (field !== el.day && field !== el.clock) return;
    var typed = el.clock.value || (el.day.value && el.day.value !== el.shown_day.value);
    if (typed && el.precision.value === (el.shown_precision.value || "day")) el.precision.value = "day";
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
    var target = marked(document.body) || named();
    if (target) focusOn(target);
    showPrintButtons(document);
  });

  document.addEventListener("click", function (event) {
    if (event.target.closest && event.target.closest("[data-print]")) window.print();
  });

  document.addEventListener("input", function (event) {
    if (event.target.matches && event.target.matches("textarea[data-max]")) updateCount(event.target);
    itemFormChanged(event.target);
  });
  document.addEventListener("change", function (event) { itemFormChanged(event.target); });

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
    var target = el === document.body ? null : marked(el);
    if (target) focusOn(target);
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
