// Draws every <canvas data-chart="id"> from the JSON in <script type="application/json" id="id">:
// the reports dashboard and the supporter-care trend charts alike. The same numbers are in the
// data table beside each chart, so the chart is never the only way to read them.
//
// The JSON: {kind: "bar" | "line" | "doughnut", labels: [...], series: [{label, data: [...]}],
// and optionally stacked, horizontal, span_gaps (draw a line across missing values),
// y_title (the value axis' title) and legend ("top" or "bottom")}.
// When every value is a whole number (counts), the value axis steps by whole numbers: never
// "0.5 contacts".
(function () {
  "use strict";
  var palette = ["#0b5cad", "#d97706", "#1d6b3a", "#a61b1b", "#6b3fa0", "#0e7490", "#4a5468"];
  function wholeNumbers(spec) {
    return spec.series.every(function (s) {
      return s.data.every(function (v) { return v === null || v === undefined || Number.isInteger(v); });
    });
  }
  function draw(canvas) {
    var source = document.getElementById(canvas.dataset.chart);
    if (!source || !window.Chart) return;
    var spec = JSON.parse(source.textContent);
    var round = spec.kind === "doughnut";
    var valueAxis = { stacked: spec.stacked, beginAtZero: true };
    if (spec.y_title) valueAxis.title = { display: true, text: spec.y_title };
    if (wholeNumbers(spec)) valueAxis.ticks = { precision: 0 };
    var valueKey = spec.horizontal ? "x" : "y";
    var categoryKey = spec.horizontal ? "y" : "x";
    var scales = {};
    if (!round) {
      scales[categoryKey] = { stacked: spec.stacked };
      scales[valueKey] = valueAxis;
    }
    new window.Chart(canvas, {
      type: spec.kind,
      data: {
        labels: spec.labels,
        datasets: spec.series.map(function (s, i) {
          var colour = palette[i % palette.length];
          var dataset = {
            label: s.label,
            data: s.data,
            backgroundColor: round ? palette : colour,
            borderColor: round ? "#fff" : colour,
            spanGaps: Boolean(spec.span_gaps),
            tension: 0,
          };
          if (spec.kind === "line") dataset.pointRadius = 4;
          return dataset;
        }),
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        indexAxis: spec.horizontal ? "y" : "x",
        scales: scales,
        plugins: { legend: { position: spec.legend || "top" } },
      },
    });
  }
  function init() { document.querySelectorAll("canvas[data-chart]").forEach(draw); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init); else init();
})();
