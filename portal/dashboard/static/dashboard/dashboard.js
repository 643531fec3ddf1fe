// Draws the dashboard's charts from the JSON the page passes with json_script (no inline code).
// Numbers are written in the page's language with thousands separators; a chart's "unit" (percent,
// hours, money) is written on its value axis, and "all_labels" shows every category label.
"use strict";
// On a phone (the width dashboard.css lays out as one), each section's charts are folded until
// asked for; on a wider screen (a phone turned, a window widened) they are open again.
const phone = window.matchMedia("(max-width: 700px)");
const foldCharts = () => {
  document.querySelectorAll("details.charts-box").forEach((box) => { box.open = !phone.matches; });
};
phone.addEventListener("change", foldCharts);
document.addEventListener("DOMContentLoaded", () => {
  foldCharts();
  const source = document.getElementById("dashboard-charts");
  if (!source || typeof window.Chart === "undefined") return;
  const charts = JSON.parse(source.textContent);
  const palette = ["#417690", "#e07b39", "#5b8c5a", "#b04a5a", "#8064a2", "#c9a227", "#4aa3b0",
    "#7a7a7a", "#d45087", "#2f4b7c"];
  const language = document.documentElement.lang || undefined;
  const whole = new Intl.NumberFormat(language, { maximumFractionDigits: 0 });
  const oneDecimal = new Intl.NumberFormat(language, { maximumFractionDigits: 1 });
  const twoDecimals = new Intl.NumberFormat(language, {
    minimumFractionDigits: 2, maximumFractionDigits: 2,
  });
  const written = (spec, value, precise) => {
    if (value === null || value === undefined) return "–";
    if (spec.unit === "percent") return `${oneDecimal.format(value)}%`;
    if (spec.unit === "money") return precise ? twoDecimals.format(value) : whole.format(value);
    if (spec.unit === "hours") return oneDecimal.format(value);
    return oneDecimal.format(value);
  };
  document.querySelectorAll("canvas[data-chart]").forEach((canvas) => {
    const spec = charts[canvas.dataset.chart];
    if (!spec) return;
    const datasets = spec.series.map((series, index) => {
      const colour = palette[index % palette.length];
      return {
        label: series.label,
        data: series.data,
        borderColor: colour,
        backgroundColor: spec.type === "line" ? colour : (spec.series.length === 1
          ? spec.labels.map((_, i) => palette[i % palette.length]) : colour),
        spanGaps: true,
        tension: 0.2,
      };
    });
    const suffix = spec.axis && spec.unit && spec.unit !== "percent" ? ` ${spec.axis}` : "";
    const options = {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      plugins: {
        legend: { display: spec.type === "doughnut" || spec.series.length > 1 || spec.type === "line" },
        tooltip: {
          callbacks: {
            label: (item) => `${item.dataset.label}: ${written(spec, item.raw, true)}${suffix}`,
          },
        },
      },
    };
    if (spec.type !== "doughnut") {
      const valueAxis = spec.horizontal ? "x" : "y";
      const categoryAxis = spec.horizontal ? "y" : "x";
      options.indexAxis = spec.horizontal ? "y" : "x";
      options.scales = {
        [valueAxis]: {
          beginAtZero: true,
          suggestedMax: spec.max,
          title: { display: Boolean(spec.axis), text: spec.axis || "" },
          // A count without a unit has whole ticks only (no "2.5 cases").
          ticks: { callback: (value) => written(spec, value, false), precision: spec.unit ? undefined : 0 },
        },
        [categoryAxis]: { ticks: { autoSkip: !spec.all_labels } },
      };
    }
    new window.Chart(canvas, { type: spec.type, data: { labels: spec.labels, datasets }, options });
  });
});
