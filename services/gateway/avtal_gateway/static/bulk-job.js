// The bulk job page reloads itself every 2 s until the job is done (no inline scripts: CSP).
(function () {
  var job = document.getElementById("bulk-job");
  if (job && job.dataset.state !== "done") {
    window.setTimeout(function () { window.location.reload(); }, 2000);
  }
})();
