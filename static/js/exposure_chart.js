/* The underwriter home's exposure by risk grade (Chart.js): rows from the page's JSON
   script element, the axis label from the canvas's data-grade-label. */
(function () {
  "use strict";
  var canvas = document.getElementById("exposure-chart");
  if (!canvas) { return; }
  var rows = JSON.parse(document.getElementById("exposure-data").textContent);
  new Chart(canvas, {
    type: "bar",
    data: {
      labels: rows.map(function (r) { return canvas.dataset.gradeLabel + " " + r.grade; }),
      datasets: [{
        data: rows.map(function (r) { return Number(r.exposure); }),
        backgroundColor: rows.map(function (r) { return r.grade >= 8 ? "#dc3545" : "#0d6efd"; }),
      }],
    },
    options: {
      animation: false, maintainAspectRatio: false, plugins: { legend: { display: false } },
      scales: { y: { ticks: { callback: function (v) { return v.toLocaleString("zh-CN"); } } } },
    },
  });
})();
