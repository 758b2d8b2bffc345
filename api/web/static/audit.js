// The audit pages' charts (Apache ECharts, vendored): each element with data-chart names the
// JSON script tag holding its data (data-source). Amounts arrive in fen and are shown as ¥1,234.50.
(function () {
  "use strict";
  var palette = ["#b3261e", "#1565c0", "#2e7d32", "#ef6c00", "#6a1b9a", "#00838f",
                 "#5d4037", "#c2185b", "#455a64", "#827717", "#283593"];

  function yuan(fen) {
    var sign = fen < 0 ? "-" : "";
    return sign + "¥" + (Math.abs(fen) / 100).toLocaleString("en-US",
      {minimumFractionDigits: 2, maximumFractionDigits: 2});
  }

  function dataOf(el) {
    var source = document.getElementById(el.dataset.source);
    return source ? JSON.parse(source.textContent) : null;
  }

  function locale() {
    return (document.documentElement.lang || "zh").indexOf("zh") === 0 ? "ZH" : "EN";
  }

  function balanceOption(el, d) {
    var series = {
      name: el.dataset.series, type: "line", step: "end", showSymbol: d.points.length < 60,
      areaStyle: {opacity: 0.08},
      data: d.points.map(function (p) { return [p[0], p[1] / 100]; })
    };
    if (d.as_of) {
      series.markLine = {symbol: "none", label: {formatter: el.dataset.asOf + " " + d.as_of +
        (d.as_of_fen === null ? "" : "\n" + yuan(d.as_of_fen))},
        lineStyle: {color: "#1565c0", type: "dashed"}, data: [{xAxis: d.as_of}]};
    }
    return {
      animation: false, color: palette,
      tooltip: {trigger: "axis", valueFormatter: function (v) { return yuan(Math.round(v * 100)); }},
      grid: {left: 8, right: 24, top: 48, bottom: 8, containLabel: true},
      xAxis: {type: "time"},
      yAxis: {type: "value", axisLabel: {formatter: function (v) { return "¥" + v.toLocaleString("en-US"); }}},
      series: [series]
    };
  }

  function sankeyOption(el, d) {
    var labels = {};
    d.nodes.forEach(function (n) { labels[n.name] = n.label; });
    return {
      animation: false, color: palette,
      tooltip: {trigger: "item", formatter: function (p) {
        if (p.dataType === "edge") {
          return labels[p.data.source] + " → " + labels[p.data.target] + "<br>" + yuan(p.data.value);
        }
        return labels[p.name] + "<br>" + yuan(p.value);
      }},
      series: [{
        type: "sankey", left: 8, right: 140, top: 8, bottom: 8, nodeGap: 10, draggable: false,
        emphasis: {focus: "adjacency"}, lineStyle: {color: "gradient", curveness: 0.5, opacity: 0.35},
        label: {formatter: function (p) { return labels[p.name]; }},
        data: d.nodes.map(function (n) { return {name: n.name}; }),
        links: d.links
      }]
    };
  }

  var builders = {balance: balanceOption, sankey: sankeyOption};
  var charts = [];

  function draw() {
    if (typeof echarts === "undefined") { return; }
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      var build = builders[el.dataset.chart];
      var d = dataOf(el);
      if (!build || !d) { return; }
      var dark = window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)").matches;
      var chart = echarts.getInstanceByDom(el) ||
        echarts.init(el, dark ? "dark" : null, {locale: locale()});
      chart.setOption(build(el, d), true);
      if (dark) { chart.setOption({backgroundColor: "transparent"}); }  // the page's own dark
      el.dataset.drawn = "true";
      charts.push(chart);
    });
  }

  document.addEventListener("DOMContentLoaded", draw);
  window.addEventListener("resize", function () {
    charts.forEach(function (c) { c.resize(); });
  });
})();
