/* Surveys: conditional questions and one tap = one submission on the answer page; charts on the results page. */
(function () {
  "use strict";
  var form = document.querySelector(".survey-form");
  if (form) {
    var conditional = form.querySelectorAll("[data-show-if]");
    var update = function () {
      conditional.forEach(function (block) {
        var option = form.querySelector('input[value="' + block.getAttribute("data-show-if") + '"]');
        var show = option && option.checked;
        block.hidden = !show;
        block.querySelectorAll("input, select, textarea").forEach(function (el) { el.disabled = !show; });
      });
      form.querySelectorAll(".other-text").forEach(function (input) {
        var box = input.previousElementSibling && input.previousElementSibling.querySelector("input[data-other]");
        input.hidden = !(box && box.checked);
      });
    };
    form.addEventListener("change", update);
    update();
    form.querySelectorAll(".condition").forEach(function (p) { p.hidden = true; });
    form.addEventListener("submit", function (event) {
      var button = form.querySelector("button[type=submit]");
      if (form.dataset.sent) { event.preventDefault(); return; }
      form.dataset.sent = "1";
      if (button) { button.disabled = true; button.textContent = button.getAttribute("data-sending"); }
    });
  }
  var data = document.getElementById("survey-charts");
  if (data && window.echarts) {
    var lang = (document.documentElement.lang || "").indexOf("zh") === 0 ? "ZH" : "EN";
    JSON.parse(data.textContent).forEach(function (chart) {
      var node = document.getElementById(chart.id);
      if (!node) return;
      var horizontal = chart.kind !== "rating";
      node.style.height = (horizontal ? Math.max(140, 36 * chart.labels.length + 40) : 200) + "px";
      var c = echarts.init(node, null, { renderer: "svg", locale: lang });
      var category = { type: "category", data: chart.labels, inverse: horizontal,
        axisLabel: { width: 130, overflow: "truncate" } };
      var value = { type: "value", minInterval: 1 };
      c.setOption({
        animation: false,
        grid: { left: 8, right: 36, top: 8, bottom: 8, containLabel: true },
        xAxis: horizontal ? value : category,
        yAxis: horizontal ? category : value,
        series: [{ type: "bar", data: chart.values, itemStyle: { color: "#c8102e" },
          label: { show: true, position: horizontal ? "right" : "top" } }]
      });
      window.addEventListener("resize", function () { c.resize(); });
    });
  }
})();
