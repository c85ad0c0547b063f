// The invitation link box (templates/accounts/_invitation_link.html): "Copy" puts the link
// on the clipboard, or selects it where the clipboard is not available.
document.addEventListener("click", function (event) {
  var button = event.target.closest && event.target.closest("[data-copy]");
  if (!button) return;
  var field = document.getElementById(button.dataset.copy);
  if (!field) return;
  field.select();
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(field.value).then(function () {
      button.textContent = button.dataset.copied || button.textContent;
    });
  } else if (document.execCommand && document.execCommand("copy")) {
    button.textContent = button.dataset.copied || button.textContent;
  }
});
