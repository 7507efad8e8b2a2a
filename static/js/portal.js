// Portal behaviour without inline scripts (CSP forbids them).
// The language selector submits itself when changed; the button stays for keyboard users.
document.addEventListener("change", (event) => {
  if (event.target.id === "language-select") {
    event.target.form.submit();
  }
});
// Forms marked data-confirm ask before submitting (for destructive actions).
document.addEventListener("submit", (event) => {
  const message = event.target.dataset.confirm;
  if (message && !window.confirm(message)) {
    event.preventDefault();
  }
});
