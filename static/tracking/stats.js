// The campaign stats page's hourly chart: data from the json_script, labels from the canvas.
(function () {
  var canvas = document.getElementById("hourly");
  var source = document.getElementById("hourly-data");
  if (!canvas || !source || typeof Chart === "undefined") return;
  var data = JSON.parse(source.textContent);
  var labels = canvas.dataset;
  new Chart(canvas, {
    type: "line",
    data: {
      labels: data.labels,
      datasets: [
        {label: labels.labelOpened, data: data.opened, borderColor: "#fe2c55", tension: .2},
        {label: labels.labelClicked, data: data.clicked, borderColor: "#0a84ff", tension: .2},
        {label: labels.labelMachineOpens, data: data.machine_opens, borderColor: "#c9c9cf", borderDash: [4, 4]},
        {label: labels.labelBotClicks, data: data.bot_clicks, borderColor: "#8e8e93", borderDash: [2, 2]}
      ]
    },
    options: {interaction: {mode: "index", intersect: false}, scales: {y: {beginAtZero: true}}}
  });
})();
