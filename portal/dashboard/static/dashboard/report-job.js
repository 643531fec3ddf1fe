// Polls a report job's status and shows its progress and download link (no inline code).
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const root = document.querySelector(".report-job[data-status-url]");
  if (!root) return;
  const bar = document.getElementById("report-progress");
  const status = document.getElementById("report-status");
  const error = document.getElementById("report-error");
  const link = document.getElementById("report-download");
  const poll = () => {
    fetch(root.dataset.statusUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then((response) => response.json())
      .then((job) => {
        bar.value = job.progress;
        bar.textContent = `${job.progress}%`;
        status.textContent = job.status_label;
        if (job.download) {
          link.href = job.download;
          link.hidden = false;
        } else if (job.error) {
          error.textContent = job.error;
          error.hidden = false;
        } else {
          window.setTimeout(poll, 2000);
        }
      })
      .catch(() => window.setTimeout(poll, 5000));
  };
  if (link.hidden && error.hidden) poll();
});
