// Offer form: show only the benefit fields the chosen kind uses. Hidden groups are also
// disabled, so their stale values are not posted; the server checks everything anyway.
(function () {
  "use strict";
  function update(select) {
    var kind = select.value;
    document.querySelectorAll("fieldset.benefit-group").forEach(function (set) {
      var show = kind !== "" && set.classList.contains("for-" + kind);
      set.hidden = !show;
      set.querySelectorAll("input, select, textarea").forEach(function (el) {
        el.disabled = !show;
      });
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    var select = document.getElementById("id_benefit_kind");
    if (!select) {
      return;
    }
    select.addEventListener("change", function () { update(select); });
    update(select);
  });
})();
