// The creators pages' small behaviours (no inline script: docs/security.md).
//   <input data-bulk-page>      ticks or unticks every row of the page ([data-bulk-row]);
//   #bulk-all-matching          "select all matching" ticks every row too, as a cue;
//   <button data-copy="text">   copies its text to the clipboard and says so.
document.addEventListener("change", function (event) {
  var target = event.target;
  if (!target.matches) return;
  if (target.matches("[data-bulk-page], #bulk-all-matching")) {
    var form = target.form || document;
    form.querySelectorAll("[data-bulk-row]").forEach(function (box) {
      box.checked = target.checked;
    });
    if (target.id === "bulk-all-matching") {
      var page = form.querySelector("[data-bulk-page]");
      if (page) page.checked = target.checked;
    }
  } else if (target.matches("[data-bulk-row]") && !target.checked) {
    var all = target.form && target.form.querySelector("#bulk-all-matching");
    if (all) all.checked = false;
  }
});
document.addEventListener("click", function (event) {
  var button = event.target.closest && event.target.closest("button[data-copy]");
  if (!button) return;
  var status = document.getElementById(button.getAttribute("aria-describedby") || "");
  function done(ok) {
    if (status) status.textContent = ok ? button.dataset.copied : button.dataset.copyFailed;
  }
  if (navigator.clipboard && navigator.clipboard.writeText) {
    navigator.clipboard.writeText(button.dataset.copy).then(
      function () { done(true); },
      function () { done(false); }
    );
  } else {
    done(false);
  }
});
