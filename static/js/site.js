// Progressive enhancement of the header menu (<details class="site-menu"> in base.html); everything
// works without this file. Escape closes the open menu and gives focus back to its button, and a
// click outside the open menu closes it, as people expect of a menu on a phone.
(function () {
  "use strict";
  function openMenu() { return document.querySelector("details.site-menu[open]"); }
  document.addEventListener("keydown", function (event) {
    var menu = openMenu();
    if (event.key !== "Escape" || !menu) { return; }
    menu.open = false;
    menu.querySelector("summary").focus();
  });
  document.addEventListener("click", function (event) {
    var menu = openMenu();
    if (menu && !menu.contains(event.target)) { menu.open = false; }
  });
})();

// Print buttons (<button data-print hidden>): shown only when this script runs, as they need it.
document.querySelectorAll("button[data-print]").forEach(function (button) {
  button.hidden = false;
  button.addEventListener("click", function () { window.print(); });
});
