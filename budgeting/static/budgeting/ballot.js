/* Running totals on the ballot (the server checks everything again; this only helps). */
(function () {
  "use strict";
  var form = document.querySelector("form.ballot");
  if (!form) { return; }
  var type = form.dataset.type;
  function update() {
    form.querySelectorAll("fieldset[data-pool]").forEach(function (fieldset) {
      var budget = parseFloat(fieldset.dataset.budget);
      var cost = 0, count = 0, points = 0;
      fieldset.querySelectorAll("[data-cost]").forEach(function (input) {
        var value = input.type === "checkbox" ? (input.checked ? 1 : 0) : (parseInt(input.value, 10) || 0);
        if (value > 0) { count += 1; cost += parseFloat(input.dataset.cost); points += value; }
      });
      var out = fieldset.querySelector("output");
      if (!out) { return; }
      var text = out.dataset.template
        .replace("{count}", count)
        .replace("{cost}", Math.round(cost).toLocaleString(document.documentElement.lang))
        .replace("{points}", points);
      out.textContent = text;
      var over = type === "knapsack" && cost > budget;
      out.classList.toggle("field-error", over);
    });
  }
  form.addEventListener("input", update);
  form.addEventListener("change", update);
  update();
})();
