// "Hủy" on a form goes back to the page the user came from. The link's own address (the home page)
// serves when there is no history; an inline `javascript:` link would be blocked by the page's CSP.
(function () {
  document.querySelectorAll("a[data-back]").forEach(function (link) {
    link.addEventListener("click", function (event) {
      if (window.history.length > 1) {
        event.preventDefault();
        window.history.back();
      }
    });
  });
})();
