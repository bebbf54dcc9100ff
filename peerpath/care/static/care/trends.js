/* Draws each check-in trend chart from the JSON beside it (Chart.js, vendored). The same
   numbers are always in the table under the chart, so nothing is lost without JavaScript. */
(function () {
  "use strict";
  var colours = ["#0b5cad", "#a61b1b", "#1d6b3a", "#8a5300", "#5b2a86", "#00687a"];
  function draw(canvas) {
    var source = document.getElementById(canvas.getAttribute("data-source"));
    if (!window.Chart || !source) { return; }
    var data = JSON.parse(source.textContent);
    new window.Chart(canvas, {
      type: "line",
      data: {
        labels: data.labels,
        datasets: data.series.map(function (series, i) {
          var colour = colours[i % colours.length];
          return {label: series.name, data: series.values, borderColor: colour, backgroundColor: colour,
                  pointRadius: 4, tension: 0.2, spanGaps: true};
        })
      },
      options: {
        responsive: true, maintainAspectRatio: false, animation: false,
        scales: {y: {beginAtZero: true, title: {display: true, text: "Score"}}},
        plugins: {legend: {position: "bottom"}}
      }
    });
  }
  function drawAll() {
    var canvases = document.querySelectorAll("canvas[data-source]");
    for (var i = 0; i < canvases.length; i++) { draw(canvases[i]); }
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", drawAll); } else { drawAll(); }
})();
