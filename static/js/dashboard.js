// Draws the dashboard's Plotly charts from the #chart-data JSON; again after each htmx swap.
(function () {
  "use strict";
  var BRAND = "#c2185b", HALO = "#f48fb1", INK = "#1f2937", MUTED = "#6b7280";
  var layoutBase = {
    margin: { l: 48, r: 16, t: 8, b: 36 }, height: 260, showlegend: true,
    legend: { orientation: "h", y: -0.2 }, paper_bgcolor: "rgba(0,0,0,0)", plot_bgcolor: "rgba(0,0,0,0)",
    font: { family: "system-ui, sans-serif", size: 12, color: INK }, xaxis: { type: "date", tickformat: "%b %d" }
  };
  // The words and number format come with the data, in the seller's language (analytics/presenters.py).
  var words = {}, money = { prefix: "$", suffix: "" }, separators = ".,", dateTick = "%b %d";
  function word(key, fallback) { return words[key] || fallback; }
  function layout(extra) {
    var base = Object.assign({}, layoutBase, { separators: separators, xaxis: { type: "date", tickformat: dateTick } });
    return Object.assign(base, extra || {});
  }
  var config = { displayModeBar: false, responsive: true };

  // Round tick steps (1, 2, 5 times a power of ten) for about five ticks: never 6, 11, 17 or $0.69.
  function niceStep(values, least) {
    var top = Math.max.apply(null, values.filter(function (v) { return v !== null; }).concat([least]));
    var step = Math.pow(10, Math.floor(Math.log10(top / 5)));
    [1, 2, 5, 10].some(function (m) { if (top / (step * m) <= 5) { step *= m; return true; } return false; });
    return Math.max(step, least);
  }
  function countAxis(values, extra) {
    return Object.assign({ rangemode: "tozero", tick0: 0, dtick: niceStep(values, 1), tickformat: ",d" }, extra || {});
  }
  function moneyAxis(values, extra) {
    var step = niceStep(values, 0.01);
    return Object.assign({ rangemode: "tozero", tick0: 0, dtick: step, tickprefix: money.prefix, ticksuffix: money.suffix,
                           tickformat: step < 1 ? ".2f" : ",d" }, extra || {});
  }

  function draw(root) {
    var source = (root || document).querySelector("#chart-data");
    if (!source || !window.Plotly) { return; }
    var d = JSON.parse(source.textContent);
    words = d.labels || {};
    separators = d.separators || ".,";
    dateTick = d.date_tick || "%b %d";
    money = { prefix: d.money_prefix === undefined ? "$" : d.money_prefix, suffix: d.money_suffix || "" };
    var boxes = (root || document).querySelectorAll("[data-chart]");
    boxes.forEach(function (box) {
      var kind = box.getAttribute("data-chart"), traces, extra;
      if (kind === "money") {
        // Spend is a tenth of sales or less: on its own axis (right) it does not lie flat on $0.
        traces = [
          { x: d.days, y: d.sales_direct, name: word("direct_sales", "Direct sales"), type: "bar", marker: { color: BRAND } },
          { x: d.days, y: d.sales_halo, name: word("halo_sales", "Halo sales"), type: "bar", marker: { color: HALO } },
          { x: d.days, y: d.spend, name: word("spend_right", "Spend (right)"), type: "scatter", mode: "lines+markers", yaxis: "y2", line: { color: INK } }
        ];
        extra = { barmode: "stack", yaxis: { title: { text: word("sales", "Sales") }, tickprefix: money.prefix, ticksuffix: money.suffix, rangemode: "tozero" },
                  yaxis2: moneyAxis(d.spend, { title: { text: word("spend", "Spend") }, overlaying: "y", side: "right" }),
                  margin: { l: 56, r: 56, t: 8, b: 36 } };
      } else if (kind === "traffic") {
        traces = [
          { x: d.days, y: d.impressions, name: word("impressions", "Impressions"), type: "bar", marker: { color: "#cbd5e1" } },
          { x: d.days, y: d.clicks, name: word("clicks_right", "Clicks (right)"), type: "scatter", mode: "lines+markers", yaxis: "y2", line: { color: BRAND } }
        ];
        extra = { yaxis: { title: { text: word("impressions", "Impressions") }, rangemode: "tozero", tickformat: ",d" },
                  yaxis2: countAxis(d.clicks, { title: { text: word("clicks", "Clicks") }, overlaying: "y", side: "right" }),
                  margin: { l: 56, r: 56, t: 8, b: 36 } };
      } else if (kind === "cpc") {
        traces = [{ x: d.days, y: d.cpc, name: word("cpc", "Cost per click"), type: "scatter", mode: "lines+markers", connectgaps: false, line: { color: INK } }];
        extra = { yaxis: moneyAxis(d.cpc), showlegend: false };
      } else if (kind === "roas") {
        traces = [{ x: d.days, y: d.roas, name: word("roas", "Return on ad spend"), type: "scatter", mode: "lines+markers", connectgaps: false, line: { color: BRAND } }];
        extra = { yaxis: { ticksuffix: "x", rangemode: "tozero" }, showlegend: false };
      } else {
        traces = [{ x: d.days, y: d.ctr, name: word("ctr", "CTR"), type: "scatter", mode: "lines+markers", connectgaps: false, line: { color: MUTED } }];
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
