/* Callbox charts: draws each <canvas data-chart="ID"> (or <canvas id="chart">, whose data is "chart-data") with
   the vendored Chart.js from the JSON in <script type="application/json" id="ID">, so that pages only emit data
   and no inline script (CSP script-src 'self'). The JSON is appliance.pdf_chart.Chart.to_json():
   {"kind": "bar"|"line", "labels": [...], "series": {"name": [numbers or decimal strings], ...}}. */
(function () {
  "use strict";
  var PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"];

  function datasets(data) {
    return Object.keys(data.series).map(function (name, i) {
      var colour = PALETTE[i % PALETTE.length];
      return {
        label: name,
        data: data.series[name].map(Number),   // display only: the exact amounts stay in the table
        backgroundColor: colour,
        borderColor: colour,
        borderWidth: data.kind === "line" ? 2 : 0,
        pointRadius: data.labels.length > 40 ? 0 : 2,
        tension: 0
      };
    });
  }

  function draw(canvas) {
    var id = canvas.getAttribute("data-chart") || "chart-data";
    var blob = document.getElementById(id);
    if (!blob || typeof window.Chart === "undefined") {
      return null;
    }
    var data = JSON.parse(blob.textContent);
    if (data.kind !== "bar" && data.kind !== "line") {
      throw new Error("chart " + id + ": kind " + data.kind + " is not bar or line");
    }
    return new window.Chart(canvas, {
      type: data.kind,
      data: {labels: data.labels, datasets: datasets(data)},
      options: {
        locale: document.documentElement.lang || "en",
        animation: false,
        aspectRatio: 2.5,   // the canvas's width sets its height: no CSS needed
        interaction: {mode: "index", intersect: false},
        scales: {y: {beginAtZero: true}},
        plugins: {legend: {position: "top", align: "end"}}
      }
    });
  }

  function drawAll() {
    var canvases = document.querySelectorAll("canvas[data-chart], canvas#chart");
    window.callboxCharts = Array.prototype.map.call(canvases, draw);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawAll);
  } else {
    drawAll();
  }
}());
