// Check-in page: "Chọn tất cả", and scanning a card with the camera where the browser has BarcodeDetector.
// The page works without this file: a handheld scanner types into the focused field and presses Enter.
(function () {
  "use strict";
  var selectAll = document.getElementById("select-all");
  var boxes = document.querySelectorAll("input.delegate-box");
  if (selectAll && boxes.length) {
    document.getElementById("select-all-label").hidden = false;
    selectAll.addEventListener("change", function () {
      boxes.forEach(function (box) { box.checked = selectAll.checked; });
    });
  }

  var start = document.getElementById("camera-start");
  var form = document.getElementById("scan-form");
  var field = document.getElementById("the");
  var video = document.getElementById("camera-video");
  var status = document.getElementById("camera-status");
  var panel = document.getElementById("camera");
  // The camera needs a secure page (https, or localhost) and a browser that reads QR codes.
  if (!start || !("BarcodeDetector" in window) || !navigator.mediaDevices || !window.isSecureContext) {
    return;
  }
  window.BarcodeDetector.getSupportedFormats().then(function (formats) {
    if (formats.indexOf("qr_code") === -1) { return; }
    start.hidden = false;
    start.addEventListener("click", scan);
  }).catch(function () {});

  function scan() {
    var detector = new window.BarcodeDetector({ formats: ["qr_code"] });
    start.disabled = true;
    panel.hidden = false;
    status.textContent = "Đưa mã QR trên thẻ vào khung hình…";
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false })
      .then(function (stream) {
        video.srcObject = stream;
        return video.play().then(function () { look(detector, stream); });
      })
      .catch(function () {
        status.textContent = "Không mở được camera; hãy dùng máy quét hoặc gõ mã trên thẻ.";
        start.disabled = false;
      });
  }

  function look(detector, stream) {
    detector.detect(video).then(function (codes) {
      if (codes.length && codes[0].rawValue) {
        stream.getTracks().forEach(function (track) { track.stop(); });
        status.textContent = "Đã đọc thẻ, đang điểm danh…";
        field.value = codes[0].rawValue;
        form.submit();
        return;
      }
      setTimeout(function () { look(detector, stream); }, 250);
    }).catch(function () { setTimeout(function () { look(detector, stream); }, 500); });
  }
})();
