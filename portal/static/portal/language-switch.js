// Submit the language form as soon as a language is picked (no inline handler, so CSP can forbid them).
document.addEventListener("DOMContentLoaded", () => {
  const select = document.getElementById("language-select");
  if (select) select.addEventListener("change", () => select.form.submit());
});
