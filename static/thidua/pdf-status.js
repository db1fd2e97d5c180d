// The register's PDFs are made by the worker after «Lập» or «Ban hành»: while some are being made, ask
// every few seconds where they stand and put each link in place when it is ready, telling screen readers
// through the polite status line. Nothing reloads the page, so a half-typed reason is never lost.
(function () {
  "use strict";
  var register = document.getElementById("so-van-ban");
  if (!register) return;
  var url = register.getAttribute("data-pdf-status-url");
  var announce = register.querySelector("[data-pdf-announce]");
  var EVERY_MS = 3000;
  var GIVE_UP_AFTER = 200; // about ten minutes: a worker that is down is the administrator's to restart

  function pending() {
    return Array.prototype.slice.call(register.querySelectorAll("[data-pdf-pending]"));
  }

  function show(cell, status) {
    var replacement = document.createElement("span");
    if (status.state === "ready") {
      replacement.appendChild(document.createTextNode(" · "));
      var link = document.createElement("a");
      link.href = status.url;
      link.textContent = "PDF";
      replacement.appendChild(link);
    } else {
      replacement.appendChild(document.createElement("br"));
      var note = document.createElement("small");
      note.className = "muted";
      note.textContent = status.error;
      replacement.appendChild(note);
    }
    cell.replaceWith(replacement);
  }

  var asked = 0;
  function look() {
    var cells = pending();
    if (!cells.length || asked++ > GIVE_UP_AFTER) return;
    var ids = cells.map(function (cell) { return cell.getAttribute("data-pdf-pending"); });
    fetch(url + "?ids=" + ids.join(","), { credentials: "same-origin", cache: "no-store" })
      .then(function (response) { return response.ok ? response.json() : {}; })
      .then(function (statuses) {
        var ready = 0;
        cells.forEach(function (cell) {
          var status = statuses[cell.getAttribute("data-pdf-pending")];
          if (status && status.state !== "pending") {
            show(cell, status);
            if (status.state === "ready") ready += 1;
          }
        });
        if (ready && announce) announce.textContent = "Đã có bản PDF của " + ready + " văn bản.";
      })
      .catch(function () {})
      .then(function () { window.setTimeout(look, EVERY_MS); });
  }
  window.setTimeout(look, EVERY_MS);
})();
