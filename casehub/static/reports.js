/* Report pages: draw each <canvas data-chart> with the locally served Chart.js; a click on a bar or point opens
   the list of its cases; charts are resized for print so they stay readable on paper. */
(function () {
  "use strict";
  var charts = [];
  if (window.Chart) {
    document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      var spec = JSON.parse(canvas.getAttribute("data-chart"));
      var valueAxis = spec.horizontal ? "x" : "y";
      var scales = {};
      scales[valueAxis] = spec.percent ? { min: 0, max: 100 } : { beginAtZero: true };
      charts.push(new window.Chart(canvas, {
        type: spec.type,
        data: {
          labels: spec.labels,
          datasets: [{ label: spec.label, data: spec.values, backgroundColor: "#0b5cad", borderColor: "#0b5cad",
                       spanGaps: true }]
        },
        options: {
          animation: false, responsive: true, maintainAspectRatio: false,
          indexAxis: spec.horizontal ? "y" : "x", scales: scales,
          plugins: { legend: { display: false } },
          onClick: function (event, elements) {
            if (elements.length && spec.links && spec.links[elements[0].index]) {
              window.location.href = spec.links[elements[0].index];
            }
          }
        }
      }));
    });
  }
  function resize() { charts.forEach(function (chart) { chart.resize(); }); }
  window.addEventListener("beforeprint", resize);
  window.addEventListener("afterprint", resize);
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
})();
