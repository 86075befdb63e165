// Weekday boxes (pricing.models.fields.WeekdaysWidget): buttons that tick "every day", "weekdays"
// or "weekends" at once. Inline rows added later get their buttons when they appear.
(function () {
  "use strict";
  var PRESETS = [
    ["Every day", [0, 1, 2, 3, 4, 5, 6]],
    ["Weekdays", [0, 1, 2, 3, 4]],
    ["Weekends", [5, 6]]
  ];

  function tick(group, days) {
    group.querySelectorAll("input[type=checkbox]").forEach(function (box) {
      box.checked = days.indexOf(parseInt(box.value, 10)) !== -1;
      box.dispatchEvent(new Event("change", { bubbles: true }));
    });
  }

  function decorate(group) {
    if (group.dataset.presets || group.closest(".empty-form")) {
      return;
    }
    group.dataset.presets = "1";
    var bar = document.createElement("span");
    bar.className = "weekday-presets";
    PRESETS.forEach(function (preset) {
      var button = document.createElement("button");
      button.type = "button";
      button.textContent = preset[0];
      button.addEventListener("click", function () { tick(group, preset[1]); });
      bar.appendChild(button);
    });
    group.appendChild(bar);
  }

  function decorateAll() {
    document.querySelectorAll("div.weekdays").forEach(decorate);
  }

  document.addEventListener("DOMContentLoaded", decorateAll);
  document.addEventListener("formset:added", decorateAll);
})();
