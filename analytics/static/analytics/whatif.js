/* The what-if run page: polls the run's progress (a small JSON view) and reloads the page
   when the run has finished, so its result appears. No inline script (strict CSP). */
(function () {
  "use strict";
  var bar = document.getElementById("whatif-progress");
  if (!bar || bar.getAttribute("data-finished") === "1") { return; }
  var status = document.getElementById("whatif-status");
  function poll() {
    fetch(bar.getAttribute("data-url"), { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (p) {
        if (!p) { return; }
        bar.value = p.percent;
        bar.textContent = p.percent + "%";
        status.textContent = p.status + ": " + p.done + " of " + p.total + " sessions";
        if (p.finished) { window.location.reload(); } else { window.setTimeout(poll, 1500); }
      });
  }
  window.setTimeout(poll, 1000);
})();
