// The projector shows only "x / y đã bỏ phiếu" while a poll is open; the server sends nothing else.
(function () {
  var url = document.body.getAttribute("data-progress-url");
  var present = document.getElementById("present");
  var polls = document.getElementById("polls");
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
      count.textContent = poll.status === "published" ? poll.outcome : poll.text;
      block.appendChild(title);
      block.appendChild(count);
      polls.appendChild(block);
    });
  }
  function tick() {
    fetch(url, { credentials: "same-origin", cache: "no-store" })
      .then(function (r) { return r.json(); })
      .then(render)
      .catch(function () {})
      .finally(function () { setTimeout(tick, 2000); });
  }
  tick();
})();
