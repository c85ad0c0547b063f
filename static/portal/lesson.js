// Reports a lesson's progress to the portal: started, 50 % and completed.
// Videos report from the player; guides when the reader reaches the middle and the end.
(function () {
  "use strict";
  var lesson = document.getElementById("lesson");
  if (!lesson) return;
  var url = lesson.getAttribute("data-progress-url");
  var csrf = lesson.getAttribute("data-csrf");
  var reported = -1;

  function report(percent) {
    if (percent <= reported) return;
    reported = percent;
    fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify({ percent: percent }),
    })
      .then(function (response) { return response.json(); })
      .then(function (state) {
        lesson.setAttribute("data-reported", String(state.percent));
        if (state.stage === "completed") {
          document.getElementById("lesson-done").hidden = false;
        }
      });
  }

  var video = document.getElementById("lesson-video");
  if (video) {
    video.addEventListener("play", function () { report(1); });
    video.addEventListener("timeupdate", function () {
      if (!video.duration) return;
      var percent = Math.floor((video.currentTime / video.duration) * 100);
      if (percent >= 50) report(50);
    });
    video.addEventListener("ended", function () { report(100); });
    return;
  }

  // A guide: started on the first scroll, completed when the end marker shows.
  window.addEventListener("scroll", function () { report(1); }, { once: true, passive: true });
  var end = document.getElementById("lesson-end");
  if (!("IntersectionObserver" in window) || !end) return;
  var started = false;
  new IntersectionObserver(function (entries, observer) {
    entries.forEach(function (entry) {
      if (!entry.isIntersecting) return;
      // A guide short enough to fit on the screen is read once it has been seen a moment.
      if (!started && window.scrollY === 0) {
        setTimeout(function () { report(100); }, 1500);
      } else {
        report(100);
      }
      observer.disconnect();
    });
  }).observe(end);
  window.addEventListener("scroll", function () {
    started = true;
    var scrollable = document.documentElement.scrollHeight - window.innerHeight;
    if (scrollable > 0 && window.scrollY / scrollable >= 0.5) report(50);
  }, { passive: true });
})();
