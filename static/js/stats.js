/* Charts of the stats page, drawn with the vendored ECharts (SVG renderer: sharp on paper, zh locale).
   ECharts (about 160 KB compressed, a few hundred milliseconds of script on a phone) is fetched only when
   a chart comes near the screen, and each chart is drawn in a task of its own: the figures and tables
   above them are on screen and usable before any of it runs. */
(function () {
  "use strict";
  var me = document.currentScript;
  var src = me && me.getAttribute("data-echarts");
  var nodes = document.querySelectorAll(".chart");
  if (!nodes.length || !src) return;
  var started = false;
  function start() {
    if (started) return;
    started = true;
    if (window.echarts) { draw(); return; }
    var script = document.createElement("script");
    script.src = src;
    script.onload = draw;
    document.head.appendChild(script);
  }
  window.addEventListener("beforeprint", start);
  if ("IntersectionObserver" in window) {
    var seen = new IntersectionObserver(function (entries) {
      if (entries.some(function (e) { return e.isIntersecting; })) { seen.disconnect(); start(); }
    }, { rootMargin: "600px 0px" });
    nodes.forEach(function (n) { seen.observe(n); });
  } else {
    start();
  }

  function draw() {
    var data = JSON.parse(document.getElementById("stats-data").textContent);
    var L = JSON.parse(document.getElementById("stats-labels").textContent);
    var lang = (document.documentElement.lang || "zh-CN").indexOf("zh") === 0 ? "ZH" : "EN";
    var RED = "#c8102e", GREEN = "#1a7f37", GREY = "#8c959f";
    var charts = [];
    var queue = [];
    function chart(id, option) {
      var node = document.getElementById(id);
      if (!node) return;
      queue.push(function () {
        var c = echarts.init(node, null, { renderer: "svg", locale: lang });
        option.animation = false;
        c.setOption(option);
        charts.push(c);
      });
    }
    function next() {
      var job = queue.shift();
      if (!job) return;
      job();
      setTimeout(next, 0);
    }
    var grid = { left: 48, right: 16, top: 36, bottom: 32, containLabel: true };
    chart("chart-monthly", {
      tooltip: { trigger: "axis" }, legend: { top: 0 }, grid: grid, color: [RED, GREEN],
      xAxis: { type: "category", data: data.monthly.map(function (m) { return m.month; }) },
      yAxis: { type: "value", minInterval: 1 },
      series: [
        { name: L.received, type: "bar", barMaxWidth: 48, data: data.monthly.map(function (m) { return m.received; }) },
        { name: L.resolved, type: "line", data: data.monthly.map(function (m) { return m.resolved; }) }
      ]
    });
    var cats = data.by_category.slice(0, 12).reverse();
    chart("chart-category", {
      tooltip: { trigger: "axis" }, legend: { top: 0 }, grid: grid, color: [GREEN, RED],
      xAxis: { type: "value", minInterval: 1 },
      yAxis: { type: "category", data: cats.map(function (c) { return c.name; }) },
      series: [
        { name: L.resolved, type: "bar", stack: "all", data: cats.map(function (c) { return c.resolved; }) },
        { name: L.open, type: "bar", stack: "all", data: cats.map(function (c) { return c.open; }) }
      ]
    });
    chart("chart-outcome", {
      tooltip: { trigger: "item" }, color: [GREEN, "#0969da", GREY, "#bf8700"],
      series: [{ type: "pie", radius: ["35%", "65%"], label: { formatter: "{b}\n{c}" },
        data: data.by_outcome.map(function (o) { return { name: o.label, value: o.count }; }) }]
    });
    next();
    window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
    window.addEventListener("beforeprint", function () { charts.forEach(function (c) { c.resize(); }); });
  }
})();
