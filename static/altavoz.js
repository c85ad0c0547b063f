// Small behaviours of the ops pages, kept out of the HTML so the Content-Security-Policy can
// forbid inline scripts (docs/security.md):
//   <form data-confirm="Question?">   asks before submitting;
//   <select data-autosubmit>          submits its form when changed;
//   <button data-print>               prints the page.
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
