// The projector shows only "x / y đã bỏ phiếu" while a poll is open; the server sends nothing else of it.
// Once a poll is published, its result: each choice's votes and share against the base, the elected
// highlighted. The text is sized to the screen: shrunk step by step until nothing overflows it.
(function () {
  "use strict";
  var url = document.body.getAttribute("data-progress-url");
  var present = document.getElementById("present");
  var polls = document.getElementById("polls");
  var result = document.getElementById("result");
  var root = document.documentElement;

  function cell(row, text, className) {
    var td = document.createElement("td");
    td.textContent = text;
    if (className) { td.className = className; }
    row.appendChild(td);
    return td;
  }

  function share(fraction) {
    // "4/7" → 0.571…, for the bar's length only: whether a choice passes is the server's exact count.
    var parts = String(fraction).split("/");
    var value = Number(parts[0]) / Number(parts[1] || 1);
    return isFinite(value) ? Math.max(0, Math.min(1, value)) : 0;
  }

  function renderResult(data) {
    if (!data) { result.hidden = true; return; }
    result.hidden = false;
    document.getElementById("result-title").textContent = data.title;
    document.getElementById("result-rule").textContent =
      "Tỷ lệ tính trên " + data.base + (data.base_words ? " (" + data.base_words + ")" : "") +
      " · Ngưỡng " + data.threshold + ": cần " + data.votes_needed + " phiếu" +
      (data.quorum_met ? "" : " · Không đủ số đại biểu tối thiểu");
    var rows = document.getElementById("result-rows");
    rows.textContent = "";
    data.choices.forEach(function (choice) {
      var row = document.createElement("tr");
      if (choice.elected) { row.className = "elected"; }
      cell(row, choice.label, "label");
      cell(row, String(choice.votes), "number");
      cell(row, choice.percent, "number");
      var bar = cell(row, "", "bar-cell");
      var track = document.createElement("span");
      track.className = "bar";
      var fill = document.createElement("span");
      fill.className = "fill";
      fill.style.width = (share(choice.share) * 100).toFixed(2) + "%"; // CSSOM: allowed by the CSP
      track.appendChild(fill);
      bar.appendChild(track);
      cell(row, choice.elected ? "✔ " + choice.verdict : choice.verdict, "verdict");
      rows.appendChild(row);
    });
  }

  function render(data) {
    present.textContent = "Đại biểu biểu quyết có mặt: " + data.present + " / " + data.eligible +
      (data.quorum_met ? " — đủ số lượng tối thiểu" : " — chưa đủ số lượng tối thiểu");
    polls.textContent = "";
    data.polls.forEach(function (poll) {
      var block = document.createElement("section");
      block.className = "projector-poll";
      var title = document.createElement("h2");
      title.textContent = poll.title;
      var count = document.createElement("p");
      count.className = "projector-count";
      count.textContent = poll.text;
      block.appendChild(title);
      block.appendChild(count);
      polls.appendChild(block);
    });
    renderResult(data.result);
    fit();
  }

  function overflows() {
    return root.scrollHeight > window.innerHeight || root.scrollWidth > window.innerWidth;
  }

  function fit() {
    // Start from full size, then shrink by 5% until the page fits the screen (not below 40%).
    var scale = 1;
    root.style.setProperty("--projector-scale", String(scale));
    while (overflows() && scale > 0.4) {
      scale = Math.round((scale - 0.05) * 100) / 100;
      root.style.setProperty("--projector-scale", String(scale));
    }
    document.body.setAttribute("data-scale", String(scale));
  }

  window.addEventListener("resize", fit);

  function tick() {
    fetch(url, { credentials: "same-origin", cache: "no-store" })
      .then(function (r) { return r.json(); })
      .then(render)
      .catch(function () {})
      .finally(function () { setTimeout(tick, 2000); });
  }
  tick();
})();
