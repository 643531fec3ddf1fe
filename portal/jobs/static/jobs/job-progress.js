// Polls a job's JSON status and moves its progress bar until the job has finished.
(function () {
  "use strict";
  function start() {
    var box = document.getElementById("job-progress");
    var initial = document.getElementById("job-status");
    if (!box || !initial) return;
    var url = box.dataset.statusUrl;
    var status = JSON.parse(initial.textContent);
    if (status.finished) return;

    function show(s) {
      document.getElementById("job-progress-bar").value = s.percent;
      document.getElementById("job-progress-bar").textContent = s.percent + "%";
      document.getElementById("job-percent").textContent = s.percent;
      document.getElementById("job-state").textContent = s.state_label;
      document.getElementById("job-phase").textContent = s.phase_label;
      document.getElementById("job-rows-total").textContent = s.rows_total_text;
      document.getElementById("job-errors").textContent = s.error_count;
    }

    function poll() {
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) {
          if (!response.ok) throw new Error(response.status);
          return response.json();
        })
        .then(function (s) {
          show(s);
          if (s.finished) {
            window.location.reload(); // show the counts and the error report
          } else {
            window.setTimeout(poll, 1000);
          }
        })
        .catch(function () {
          window.setTimeout(poll, 5000);
        });
    }
    window.setTimeout(poll, 1000);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
