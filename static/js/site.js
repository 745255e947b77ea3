// Progressive enhancement of the header menu (<details class="site-menu"> and its groups, <details
// class="nav-group">, in base.html); everything works without this file. Escape closes the innermost
// open group (or else the menu) and gives focus back to its button; a click outside closes what is
// open; opening a group closes the others, so at most one list drops down over the page.
(function () {
  "use strict";
  var OPEN = "details.site-menu[open], details.nav-group[open]";
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") { return; }
    var open = document.querySelectorAll(OPEN);
    if (!open.length) { return; }
    // The focused element's own group first; else the last open one (groups sit inside the menu).
    var focused = document.activeElement && document.activeElement.closest ? document.activeElement.closest(OPEN) : null;
    var target = focused || open[open.length - 1];
    target.open = false;
    target.querySelector("summary").focus();
  });
  document.addEventListener("click", function (event) {
    document.querySelectorAll(OPEN).forEach(function (details) {
      if (!details.contains(event.target)) { details.open = false; }
    });
  });
  document.querySelectorAll("details.nav-group").forEach(function (group) {
    group.addEventListener("toggle", function () {
      if (!group.open) { return; }
      document.querySelectorAll("details.nav-group[open]").forEach(function (other) {
        if (other !== group) { other.open = false; }
      });
    });
  });
})();

// Print buttons (<button data-print hidden>): shown only when this script runs, as they need it.
document.querySelectorAll("button[data-print]").forEach(function (button) {
  button.hidden = false;
  button.addEventListener("click", function () { window.print(); });
});
