/* Callbox charts: draws each <canvas data-chart="ID"> (or <canvas id="chart">, whose data is "chart-data") with
   the vendored Chart.js from the JSON in <script type="application/json" id="ID">, so that pages only emit data
   and no inline script (CSP script-src 'self'). The JSON is appliance.pdf_chart.Chart.to_json():
   {"kind": "bar"|"line", "labels": [...], "series": {"name": [numbers or decimal strings], ...}, "unit"?}; with
   "unit": "seconds" the axis and the tooltips write durations h:mm:ss, as the table does (webui.i18n.fmt_duration). */
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

  function hms(value) {
    var s = Math.round(Math.abs(Number(value))), two = function (n) { return (n < 10 ? "0" : "") + n; };
    return (Number(value) < 0 ? "-" : "") + Math.floor(s / 3600) + ":" + two(Math.floor(s % 3600 / 60)) + ":" +
      two(s % 60);
  }

  function durations(options, data) {   // an axis of seconds: whole minutes or hours a step, h:mm:ss labels
    var top = 1;
    Object.keys(data.series).forEach(function (name) {
      data.series[name].forEach(function (v) { top = Math.max(top, Number(v)); });
    });
    var step = [60, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400].find(
      function (s) { return top / s <= 8; }) || Math.ceil(top / 8 / 86400) * 86400;
    options.scales.y.max = Math.ceil(top / step) * step;
    options.scales.y.ticks = {stepSize: step, callback: hms};
    options.plugins.tooltip = {callbacks: {label: function (item) {
      return item.dataset.label + ": " + hms(item.parsed.y);
    }}};
    return options;
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
    var options = {
      locale: document.documentElement.lang || "en",
      animation: false,
      aspectRatio: 2.5,   // the canvas's width sets its height: no CSS needed
      interaction: {mode: "index", intersect: false},
      scales: {y: {beginAtZero: true}},
      plugins: {legend: {position: "top", align: "end"}}
    };
    return new window.Chart(canvas, {
      type: data.kind,
      data: {labels: data.labels, datasets: datasets(data)},
      options: data.unit === "seconds" ? durations(options, data) : options
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
