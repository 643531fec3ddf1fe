"use strict";
// The certificate's print button (no inline handlers: the portal runs under a Content-Security-Policy).
document.addEventListener("DOMContentLoaded", function () {
  var button = document.getElementById("print-certificate");
  if (button) {
    button.addEventListener("click", function () {
      window.print();
    });
  }
});
