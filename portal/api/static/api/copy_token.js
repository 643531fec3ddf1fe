"use strict";
// The page of a just-issued API token: "Copy the token" puts it on the clipboard in one click
// (a static file, no inline script: the portal runs under a Content-Security-Policy).
document.addEventListener("DOMContentLoaded", function () {
  var token = document.getElementById("api-token");
  var button = document.getElementById("api-token-copy");
  var status = document.getElementById("api-token-copy-status");
  if (!token || !button || !status) {
    return;
  }
  function selectToken() {
    var range = document.createRange();
    range.selectNodeContents(token);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  }
  button.hidden = false;
  button.addEventListener("click", function () {
    var copying = navigator.clipboard
      ? navigator.clipboard.writeText(token.textContent.trim())
      : Promise.reject(new Error("no clipboard"));
    copying.then(function () {
      status.textContent = button.dataset.copied;
    }, function () {
      selectToken(); // the browser refused: the token is selected for Ctrl+C
      status.textContent = button.dataset.failed;
    });
  });
});
