// Draws the statistics charts with Apache ECharts when it is installed (npm ci); without it the
// pages keep their tables. Data comes from json_script elements, never from inline code.
(function () {
  "use strict";
  if (typeof window.echarts === "undefined") { return; }
  document.querySelectorAll("[data-chart]").forEach(function (box) {
    var source = document.getElementById(box.getAttribute("data-chart"));
    if (!source) { return; }
    var data = JSON.parse(source.textContent);
    if (typeof data === "string") { data = JSON.parse(data); }
    if (!data.labels || !data.labels.length) { box.hidden = true; return; }
    var type = box.getAttribute("data-type") || "bar";
    var rates = data.series.some(function (s) { return s.rate; });
    var counts = data.series.some(function (s) { return !s.rate; });
    var axes = [];
    if (counts) { axes.push({ type: "value", name: "件" }); }
    if (rates) { axes.push({ type: "value", name: "%", max: 100 }); }
    var chart = window.echarts.init(box);
    chart.setOption({
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 48, right: 48, top: 40, bottom: 60 },
      xAxis: { type: "category", data: data.labels, axisLabel: { rotate: data.labels.length > 8 ? 30 : 0 } },
      yAxis: axes,
      series: data.series.map(function (s) {
        return {
          name: s.name, type: s.rate && counts ? "line" : type, data: s.data,
          yAxisIndex: s.rate && counts ? 1 : 0, connectNulls: true
        };
      })
    });
    window.addEventListener("resize", function () { chart.resize(); });
  });
})();

// 打印 buttons (the monthly report): a click prints the page. Wired here rather than in an
// onclick attribute, which the Content-Security-Policy forbids.
document.addEventListener("click", function (event) {
  if (event.target instanceof Element && event.target.closest("[data-print]")) {
    window.print();
  }
});
