// Draws the dashboard's Plotly charts from the #chart-data JSON; again after each htmx swap.
(function () {
  "use strict";
  var BRAND = "#c2185b", HALO = "#f48fb1", INK = "#1f2937", MUTED = "#6b7280";
  var layoutBase = {
    margin: { l: 48, r: 16, t: 8, b: 36 }, height: 260, showlegend: true,
    legend: { orientation: "h", y: -0.2 }, paper_bgcolor: "rgba(0,0,0,0)", plot_bgcolor: "rgba(0,0,0,0)",
    font: { family: "system-ui, sans-serif", size: 12, color: INK }, xaxis: { type: "date", tickformat: "%b %d" }
  };
  function layout(extra) { return Object.assign({}, layoutBase, extra || {}); }
  var config = { displayModeBar: false, responsive: true };

  function draw(root) {
    var source = (root || document).querySelector("#chart-data");
    if (!source || !window.Plotly) { return; }
    var d = JSON.parse(source.textContent);
    var boxes = (root || document).querySelectorAll("[data-chart]");
    boxes.forEach(function (box) {
      var kind = box.getAttribute("data-chart"), traces, extra;
      if (kind === "money") {
        traces = [
          { x: d.days, y: d.sales_direct, name: "Direct sales", type: "bar", marker: { color: BRAND } },
          { x: d.days, y: d.sales_halo, name: "Halo sales", type: "bar", marker: { color: HALO } },
          { x: d.days, y: d.spend, name: "Spend", type: "scatter", mode: "lines+markers", line: { color: INK } }
        ];
        extra = { barmode: "stack", yaxis: { tickprefix: "$", rangemode: "tozero" } };
      } else if (kind === "traffic") {
        traces = [
          { x: d.days, y: d.impressions, name: "Impressions", type: "bar", marker: { color: "#cbd5e1" } },
          { x: d.days, y: d.clicks, name: "Clicks", type: "scatter", mode: "lines+markers", yaxis: "y2", line: { color: BRAND } }
        ];
        extra = { yaxis: { title: { text: "Impressions" }, rangemode: "tozero" },
                  yaxis2: { title: { text: "Clicks" }, overlaying: "y", side: "right", rangemode: "tozero", tickformat: ",d" },
                  margin: { l: 56, r: 56, t: 8, b: 36 } };
      } else {
        traces = [{ x: d.days, y: d.ctr, name: "CTR", type: "scatter", mode: "lines+markers", connectgaps: false, line: { color: MUTED } }];
        extra = { yaxis: { ticksuffix: "%", rangemode: "tozero" }, showlegend: false };
      }
      window.Plotly.react(box, traces, layout(extra), config);
    });
  }

  function whenReady() { draw(document); }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", whenReady); } else { whenReady(); }
  // plotly.js is deferred like this script; run again once everything has loaded.
  window.addEventListener("load", whenReady);
  document.addEventListener("htmx:afterSettle", function (event) { draw(event.detail.elt.ownerDocument || document); });
})();
