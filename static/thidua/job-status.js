// A job the worker runs (an Excel import): ask every two seconds where it stands and show the page again
// once it has finished, with its result. Nothing is typed on this page, so showing it again loses nothing.
(function () {
  "use strict";
  var job = document.getElementById("luot-nhap");
  if (!job) return;
  var url = job.getAttribute("data-job-status-url");
  var EVERY_MS = 2000;
  var asked = 0;
  function look() {
    if (asked++ > 900) return; // half an hour: a worker that is down is the administrator's to restart
    fetch(url, { credentials: "same-origin", cache: "no-store" })
      .then(function (response) { return response.ok ? response.json() : {}; })
      .then(function (status) {
        if (status.finished) {
          window.location.reload();
          return;
        }
        window.setTimeout(look, EVERY_MS);
      })
      .catch(function () { window.setTimeout(look, EVERY_MS); });
  }
  window.setTimeout(look, EVERY_MS);
})();
