// On a phone the filters start folded, so that the results come first on the screen (the chosen filters stay
// in view as removable links above them); without this script the page works the same with the filters open.
(function () {
  "use strict";
  var box = document.querySelector("details[data-closed-on-phone]");
  if (box && window.matchMedia("(max-width: 56rem)").matches) {
    box.open = false;
  }
})();
