// The stats page's outcome chart: the daily mean of the metric per creator for the sent group
// and the holdout, days from each creator's send (negative: the pre window).
(function () {
  var canvas = document.getElementById("outcome-chart");
  var source = document.getElementById("outcome-data");
  if (!canvas || !source || typeof Chart === "undefined") return;
  var data = JSON.parse(source.textContent);
  var labels = canvas.dataset;
  new Chart(canvas, {
    type: "line",
    data: {
      labels: data.labels,
      datasets: [
        {label: labels.labelSent, data: data.sent, borderColor: "#fe2c55", tension: .2},
        {label: labels.labelHoldout, data: data.holdout, borderColor: "#8e8e93", tension: .2}
      ]
    },
    options: {
      interaction: {mode: "index", intersect: false},
      scales: {x: {title: {display: true, text: labels.labelDay}}, y: {beginAtZero: true}}
    }
  });
})();
