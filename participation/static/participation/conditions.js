// Shows a conditional question only when the earlier answer matches (progressive enhancement:
// without JavaScript every question is shown with a note, and the server ignores answers that do not apply).
(function () {
  "use strict";
  var blocks = document.querySelectorAll("[data-condition]");
  if (!blocks.length) { return; }
  function chosen(name) {
    var values = [];
    document.querySelectorAll('input[name="' + name + '"]:checked').forEach(function (input) { values.push(input.value); });
    document.querySelectorAll('select[name^="' + name + '_"]').forEach(function (select) { if (select.value) { values.push(select.name.split("_o")[1]); } });
    document.querySelectorAll('input[name^="' + name + '_r"]:checked').forEach(function (input) { values.push(input.value); });
    return values;
  }
  function update() {
    blocks.forEach(function (block) {
      var wanted = (block.getAttribute("data-condition-options") || "").split(",").filter(Boolean);
      var got = chosen(block.getAttribute("data-condition"));
      var show = wanted.length ? got.some(function (v) { return wanted.indexOf(v) !== -1; }) : got.length > 0;
      block.hidden = !show;
      var note = block.querySelector(".condition-note");
      if (note) { note.hidden = true; }
    });
  }
  document.addEventListener("change", update);
  update();
})();
