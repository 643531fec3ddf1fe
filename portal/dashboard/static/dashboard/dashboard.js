// Draws the dashboard's charts from the JSON the page passes with json_script (no inline code).
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const source = document.getElementById("dashboard-charts");
  if (!source || typeof window.Chart === "undefined") return;
  const charts = JSON.parse(source.textContent);
  const palette = ["#417690", "#e07b39", "#5b8c5a", "#b04a5a", "#8064a2", "#c9a227", "#4aa3b0",
    "#7a7a7a", "#d45087", "#2f4b7c"];
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
    const options = {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      plugins: {
        legend: { display: spec.type === "doughnut" || spec.series.length > 1 || spec.type === "line" },
      },
    };
    if (spec.type !== "doughnut") {
      const valueAxis = spec.horizontal ? "x" : "y";
      options.indexAxis = spec.horizontal ? "y" : "x";
      options.scales = { [valueAxis]: { beginAtZero: true, suggestedMax: spec.max } };
    }
    new window.Chart(canvas, { type: spec.type, data: { labels: spec.labels, datasets }, options });
  });
});
