// A form marked data-once, on the pages that load this script, is sent once: a double click on a
// touchpad would send it twice, and for some steps only the first answer matters (opening a poll: its
// answer carries the counting board's key cards, printed from that page only). The button is disabled
// just after the click has been taken, so its own name and value still go with the form; coming back
// to the page (the browser's back button) gives it back.
(function () {
  document.querySelectorAll("form[data-once]").forEach(function (form) {
    form.addEventListener("submit", function () {
      var buttons = form.querySelectorAll("button[type=submit], input[type=submit]");
      window.setTimeout(function () {
        buttons.forEach(function (button) {
          button.disabled = true;
        });
        form.setAttribute("aria-busy", "true");
      }, 0);
    });
  });
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("form[data-once]").forEach(function (form) {
      form.removeAttribute("aria-busy");
      form.querySelectorAll("button[type=submit], input[type=submit]").forEach(function (button) {
        button.disabled = false;
      });
    });
  });
})();
