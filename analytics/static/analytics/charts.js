/* Draws every <canvas data-chart="..."> from the JSON block it names (json_script), with
   Chart.js from our own static files. Charts are kept in window.cpoCharts by id so that
   tests (and the console) can inspect them. Filter fields submit the form on change. */
(function () {
  "use strict";
  var palette = ["#2563eb", "#f59e0b", "#10b981", "#ef4444", "#8b5cf6", "#0ea5e9"];
  window.cpoCharts = {};

  function alpha(hex, a) {
    var n = parseInt(hex.slice(1), 16);
    return "rgba(" + (n >> 16) + "," + ((n >> 8) & 255) + "," + (n & 255) + "," + a + ")";
  }

  function shorten(label) {
    var most = window.innerWidth < 600 ? 18 : 28;
    label = String(label);
    return label.length > most ? label.slice(0, most - 1) + "\u2026" : label;
  }

  function build(canvas) {
    var source = document.getElementById(canvas.getAttribute("data-chart"));
    if (!source || typeof Chart === "undefined") { return; }
    var spec = JSON.parse(source.textContent);
    var many = spec.labels.length > 45;
    var twoAxes = spec.datasets.some(function (d) { return d.axis === "y1"; });
    var datasets = spec.datasets.map(function (d, i) {
      var type = d.type || spec.type;
      var colour = palette[i % palette.length];
      var fill = type === "line" ? alpha(colour, 0.15) : alpha(colour, 0.75);
      if (d.colors) {  // per bar: "" keeps the dataset's colour (low-confidence bars are pale)
        fill = d.colors.map(function (c) { return c ? alpha(c, 0.9) : fill; });
      }
      return {
        label: d.label, data: d.data, type: type, yAxisID: d.axis || "y",
        backgroundColor: fill,
        borderColor: colour, borderWidth: type === "line" ? 2 : 0,
        pointRadius: many ? 0 : 2, tension: 0.25, order: type === "line" ? 0 : 1
      };
    });
    var value = spec.horizontal ? "x" : "y";
    var category = spec.horizontal ? "y" : "x";
    var scales = {};
    scales[category] = { ticks: { autoSkip: true, maxRotation: 0 } };
    if (spec.horizontal) {  // long station names shortened on the axis (the tooltip has all)
      scales[category].ticks.callback = function (v) { return shorten(this.getLabelForValue(v)); };
    }
    scales[value] = { beginAtZero: true };
    if (twoAxes) {
      scales.y1 = { beginAtZero: true, position: "right", grid: { drawOnChartArea: false } };
    }
    Object.keys(spec.axes || {}).forEach(function (id) {  // what each axis measures, its unit
      scales[id] = scales[id] || {};
      scales[id].title = { display: true, text: spec.axes[id] };
    });
    window.cpoCharts[spec.id] = new Chart(canvas, {
      type: spec.type,
      data: { labels: spec.labels, datasets: datasets },
      options: {
        responsive: true, maintainAspectRatio: false, animation: false,
        indexAxis: spec.horizontal ? "y" : "x",
        interaction: { mode: "index", intersect: false },
        plugins: { legend: { position: "bottom", labels: { boxWidth: 12 } } },
        scales: scales
      }
    });
  }

  document.querySelectorAll("canvas[data-chart]").forEach(build);
  document.querySelectorAll("form.filters select, form.filters input[type=date]").forEach(
    function (field) {
      field.addEventListener("change", function () {
        if (field.form.requestSubmit) { field.form.requestSubmit(); } else { field.form.submit(); }
      });
    }
  );
})();
