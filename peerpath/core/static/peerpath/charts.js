// Draws every <canvas data-chart="id"> from the JSON in <script id="id">. The same numbers are in
// the data table beside each chart, so the chart is never the only way to read them.
(function () {
  "use strict";
  var palette = ["#0b5cad", "#d97706", "#1d6b3a", "#a61b1b", "#6b3fa0", "#0e7490", "#4a5468"];
  function draw(canvas) {
    var source = document.getElementById(canvas.dataset.chart);
    if (!source || !window.Chart) return;
    var spec = JSON.parse(source.textContent);
    var round = spec.kind === "doughnut";
    new window.Chart(canvas, {
      type: spec.kind,
      data: {
        labels: spec.labels,
        datasets: spec.series.map(function (s, i) {
          return {
            label: s.label,
            data: s.data,
            backgroundColor: round ? palette : palette[i % palette.length],
            borderColor: round ? "#fff" : palette[i % palette.length],
            tension: 0,
          };
        }),
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        indexAxis: spec.horizontal ? "y" : "x",
        scales: round ? {} : { x: { stacked: spec.stacked }, y: { stacked: spec.stacked, beginAtZero: true } },
      },
    });
  }
  function init() { document.querySelectorAll("canvas[data-chart]").forEach(draw); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init); else init();
})();
