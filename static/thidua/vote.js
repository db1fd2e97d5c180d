// The QR code on a voting card opens /bo-phieu/<conference>/#<code>: the code sits in the URL's
// fragment, which the browser never sends to the server. Move it into the form and out of the
// address bar (and history), so it is not left on the phone's screen.
(function () {
  var input = document.getElementById("code");
  var fragment = decodeURIComponent(window.location.hash.replace(/^#/, ""));
  if (input && fragment) {
    input.value = fragment;
    history.replaceState(null, "", window.location.pathname);
  }
})();
