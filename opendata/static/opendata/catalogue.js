// On a phone the filters start folded, so that the results come first on the screen; the page works
// without this script (the filters are then open). Left open when a filter is ticked: the person is using them.
(function () {
  "use strict";
  var box = document.querySelector("details[data-closed-on-phone='yes']");
  if (box && window.matchMedia("(max-width: 56rem)").matches) {
    box.open = false;
  }
})();
