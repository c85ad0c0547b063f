// Small behaviours of the ops pages, kept out of the HTML so the Content-Security-Policy can
// forbid inline scripts (docs/security.md):
//   <form data-confirm="Question?">   asks before submitting;
//   <select data-autosubmit>          submits its form when changed;
//   <button data-print>               prints the page;
//   <button class="nav-toggle">       opens and closes the phone menu (Escape closes it).
document.addEventListener("submit", function (event) {
  var question = event.target.dataset && event.target.dataset.confirm;
  if (question && !window.confirm(question)) event.preventDefault();
});
document.addEventListener("change", function (event) {
  if (event.target.matches && event.target.matches("select[data-autosubmit]")) {
    event.target.form.requestSubmit ? event.target.form.requestSubmit() : event.target.form.submit();
  }
});
document.addEventListener("click", function (event) {
  if (event.target.closest && event.target.closest("[data-print]")) window.print();
});
document.addEventListener("click", function (event) {
  var toggle = event.target.closest && event.target.closest(".nav-toggle");
  var nav = document.querySelector(".appnav");
  if (!nav) return;
  if (toggle) {
    var open = !nav.classList.contains("open");
    nav.classList.toggle("open", open);
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
  } else if (nav.classList.contains("open") && !nav.contains(event.target)) {
    nav.classList.remove("open");
    nav.querySelector(".nav-toggle").setAttribute("aria-expanded", "false");
  }
});
document.addEventListener("keydown", function (event) {
  var nav = document.querySelector(".appnav.open");
  if (event.key === "Escape" && nav) {
    nav.classList.remove("open");
    var toggle = nav.querySelector(".nav-toggle");
    toggle.setAttribute("aria-expanded", "false");
    toggle.focus();
  }
});
