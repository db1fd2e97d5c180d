// The QR code on a voting card opens /bo-phieu/<conference>/#<code>: the code sits in the URL's
// fragment, which the browser never sends to the server. Move it into the form and out of the
// address bar (and history), so it is not left on the phone's screen.
(function () {
  function take() {
    var input = document.getElementById("code");
    var fragment = decodeURIComponent(window.location.hash.replace(/^#/, ""));
    if (input && fragment) {
      input.value = fragment;
      history.replaceState(null, "", window.location.pathname);
    }
  }
  take();
  // A second card scanned into the same tab changes only the fragment: no page load, so listen for it.
  window.addEventListener("hashchange", take);
})();
