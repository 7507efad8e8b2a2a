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
// A table wider than the screen scrolls inside its box (.table-responsive). While it does,
// the box is a focusable, named region, so that the keyboard can scroll it too (WCAG 2.1.1);
// when everything fits it is no extra tab stop. Boxes whose template made them regions
// (a tabindex of their own) are left alone.
function scrollerName(box) {
  const table = box.querySelector("table");
  const caption = table && (table.getAttribute("aria-label") || (table.caption && table.caption.textContent));
  if (caption) return caption;
  for (let node = box.previousElementSibling; node; node = node.previousElementSibling) {
    if (/^H[1-6]$/.test(node.tagName)) return node.textContent;
  }
  const title = document.querySelector("main h1");
  return title ? title.textContent : document.title;
}
function markScrollers() {
  document.querySelectorAll(".table-responsive:not([tabindex]), .table-responsive[data-scroller]").forEach((box) => {
    box.dataset.scroller = "";
    if (box.scrollWidth > box.clientWidth) {
      box.tabIndex = 0;
      box.setAttribute("role", "region");
      box.setAttribute("aria-label", scrollerName(box).trim().replace(/\s+/g, " "));
    } else {
      box.removeAttribute("tabindex");
      box.removeAttribute("role");
      box.removeAttribute("aria-label");
    }
  });
}
markScrollers();
let scrollerTimer;
window.addEventListener("resize", () => {
  clearTimeout(scrollerTimer);
  scrollerTimer = setTimeout(markScrollers, 150);
});
document.addEventListener("htmx:afterSettle", markScrollers);
