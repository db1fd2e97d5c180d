// The delegate's phone pages (thidua/conferences/vote_views.py). Without this script every page still
// works: the code is typed, and the confirmation is one more request drawn by the server.
(function () {
  "use strict";

  // 1. The QR code on a voting card opens /bo-phieu/<conference>/#<code>: the code sits in the URL's
  // fragment, which the browser never sends to the server. Move it into the form and out of the address
  // bar (and history), so it is not left on the phone's screen, and open the ballot at once.
  function takeCode() {
    var fragment = decodeURIComponent(window.location.hash.replace(/^#/, ""));
    if (!fragment) return;
    history.replaceState(null, "", window.location.pathname);
    var input = document.getElementById("code");
    var form = input && input.form;
    if (!form) {
      // Another card scanned while this tab shows a ballot or a receipt: post its code all the same.
      form = document.createElement("form");
      form.method = "post";
      form.action = window.location.pathname;
      input = document.createElement("input");
      input.type = "hidden";
      input.name = "code";
      form.appendChild(input);
      document.body.appendChild(form);
    }
    input.value = fragment;
    form.submit();
  }
  takeCode();
  // A second card scanned into the same tab changes only the fragment: no page load, so listen for it.
  window.addEventListener("hashchange", takeCode);

  // 2. A problem the server found takes the focus (autofocus does it too, where the browser honours it
  // on a paragraph), and the field it is about says so.
  var problem = document.getElementById("problem");
  if (problem) problem.focus();

  // 3. The ballot: Enter ticks a choice and never sends the form; the blank ballot excludes the other
  // choices; "Tiếp tục" shows the confirmation on the page, naming the poll and the choice, with no
  // request; "Chọn lại" hides it again, keeping the order and the choice.
  var form = document.getElementById("ballot");
  if (!form) return;
  var inputs = Array.prototype.slice.call(form.querySelectorAll('input[name="choice"]:not([type="hidden"])'));
  var next = document.getElementById("next");
  var panel = document.getElementById("confirm");
  var picked = document.getElementById("picked");
  var cast = document.getElementById("cast");
  var again = document.getElementById("again");
  var message = document.getElementById("ballot-problem");
  var poll = form.getAttribute("data-poll");
  var maxPicks = parseInt(form.getAttribute("data-max-picks"), 10);
  // The server drew the confirmation (a refused script, a reload): its "Chọn lại" goes to the server.
  var drawnByServer = !panel.hidden;

  function chosen() {
    return inputs.filter(function (input) { return input.checked; });
  }

  function say(words) {
    message.textContent = words;
    message.hidden = false;
    message.focus();
  }

  function closeConfirmation() {
    panel.hidden = true;
    next.hidden = false;
  }

  inputs.forEach(function (input) {
    input.addEventListener("keydown", function (event) {
      if (event.key !== "Enter") return;
      event.preventDefault();
      if (input.type === "checkbox" || !input.checked) input.click();
    });
    input.addEventListener("change", function () {
      if (input.type === "checkbox" && input.checked) {
        inputs.forEach(function (other) {
          var blank = input.value === "blank" || other.value === "blank";
          if (other !== input && blank) other.checked = false;
        });
      }
      message.hidden = true;
      // A confirmation naming the former choice must not stay on the screen.
      if (!drawnByServer) closeConfirmation();
    });
  });

  next.addEventListener("click", function (event) {
    event.preventDefault();
    var picks = chosen();
    if (!picks.length) {
      say(form.getAttribute("data-nothing"));
      return;
    }
    var real = picks.filter(function (input) { return input.value !== "blank"; });
    if (maxPicks && real.length > maxPicks) {
      say("Chỉ được chọn tối đa " + maxPicks + " phương án; phiếu đã chọn " + real.length + ".");
      return;
    }
    var words = picks.map(function (input) { return input.getAttribute("data-label"); }).join(", ");
    picked.textContent = words;
    cast.textContent = "Bỏ phiếu «" + poll + "»: chọn " + words;
    message.hidden = true;
    next.hidden = true;
    panel.hidden = false;
    panel.focus();
  });

  again.addEventListener("click", function (event) {
    if (drawnByServer) return;
    event.preventDefault();
    closeConfirmation();
    (chosen()[0] || inputs[0]).focus();
  });
})();
