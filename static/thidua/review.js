// The review form's «Đồng ý» boxes: ticking one writes the self score into the row's box; typing a
// score ticks the box when it equals the self score and unticks it otherwise. Without this script the
// server applies the same rule (a value typed anew wins over a tick), so the page works as well.
(function () {
  function parse(text) {
    // "7,5" and "7.5" both mean seven and a half, as on the server; "" is no score.
    var value = text.trim();
    if (value.indexOf(",") >= 0) {
      value = value.replace(/\./g, "").replace(",", ".");
    }
    return value === "" ? NaN : Number(value);
  }
  function shown(self) {
    // "4.50" -> "4,5": the Vietnamese decimal comma, no trailing zeros.
    return String(Number(self)).replace(".", ",");
  }
  document.querySelectorAll("input[type=checkbox][data-self]").forEach(function (tick) {
    var box = document.getElementById(tick.dataset.box);
    if (!box) {
      return;
    }
    tick.addEventListener("change", function () {
      if (tick.checked) {
        box.value = shown(tick.dataset.self);
      } else if (parse(box.value) === Number(tick.dataset.self)) {
        box.value = ""; // untick: the row is not reviewed yet, the reviewer will type their score
      }
    });
    box.addEventListener("input", function () {
      tick.checked = parse(box.value) === Number(tick.dataset.self);
    });
  });
})();
