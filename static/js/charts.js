// Draws every <div data-chart='{…}'> with the vendored ECharts (static/vendor/echarts). The spec comes from
// matchmaker/web/charts.py: categories, series values (plotted) and labels formatted on the server (shown on
// hover), so the chart and the table beside it read the same. No inline script: works under script-src 'self'.
(function () {
  if (!window.echarts) { return; }
  var COLORS = ["#1f5fa8", "#c0392b", "#2e8b57", "#b7791f", "#6a4c93", "#2a9d8f"];

  function tip(spec) {
    return function (params) {
      var list = Array.isArray(params) ? params : [params];
      var head = list.length ? (list[0].name || "") : "";
      var lines = list.map(function (p) {
        var s = spec.series[p.seriesIndex];
        return p.marker + s.name + "：" + s.labels[p.dataIndex];
      });
      return [head].concat(lines).join("<br>");
    };
  }

  function numbers(s) { return s.values.map(function (v) { return Number(v); }); }

  function option(spec) {
    var base = {
      color: COLORS,
      textStyle: { fontFamily: "Noto Sans CJK SC, Microsoft YaHei, sans-serif" },
      tooltip: { trigger: spec.type === "funnel" ? "item" : "axis", formatter: tip(spec), confine: true },
      animation: false
    };
    if (spec.type === "line") {
      base.legend = { top: 0 };
      base.grid = { left: 60, right: 20, top: 34, bottom: 30 };
      base.xAxis = { type: "category", data: spec.categories, boundaryGap: false };
      base.yAxis = { type: "value", name: spec.unit, axisLabel: { formatter: "{value}" } };
      base.series = spec.series.map(function (s) {
        return { name: s.name, type: "line", showSymbol: false, data: numbers(s),
                 lineStyle: s.dashed ? { type: "dashed", width: 1.5 } : { width: 2.5 } };
      });
    } else if (spec.type === "hbar") {
      var cats = spec.categories.slice().reverse();
      base.grid = { left: 8, right: 40, top: 10, bottom: 24, containLabel: true };
      base.yAxis = { type: "category", data: cats, axisLabel: { width: 150, overflow: "truncate" } };
      base.xAxis = { type: "value", name: spec.unit, max: spec.max };
      base.series = spec.series.map(function (s) {
        var n = s.values.length;
        var ser = { name: s.name, type: "bar", barMaxWidth: 18,
                    data: numbers(s).slice().reverse(),
                    label: { show: true, position: "right", fontSize: 11,
                             formatter: function (p) { return spec.unit === "%" ? p.value + "%" : ""; } } };
        if (spec.mark) { ser.markLine = { symbol: "none", silent: true, data: [{ xAxis: spec.mark }], label: { show: false }, lineStyle: { color: "#c0392b" } }; }
        // reversed for display (largest on top): map the hovered index back to the spec's order
        s._reverse = function (i) { return n - 1 - i; };
        return ser;
      });
      base.tooltip.formatter = function (params) {
        var p = Array.isArray(params) ? params[0] : params;
        var s = spec.series[p.seriesIndex];
        return p.name + "<br>" + p.marker + s.labels[s._reverse(p.dataIndex)];
      };
    } else if (spec.type === "funnel") {
      var s = spec.series[0];
      base.series = [{ name: s.name, type: "funnel", sort: "none", left: "10%", width: "80%", minSize: "8%",
        label: { show: true, position: "inside", formatter: "{b}" },
        data: spec.categories.map(function (c, i) { return { name: c, value: Number(s.values[i]) }; }) }];
      base.tooltip.formatter = function (p) { return p.name + "<br>" + p.marker + s.labels[p.dataIndex]; };
    }
    return base;
  }

  var charts = [];
  document.querySelectorAll("[data-chart]").forEach(function (el) {
    var spec = JSON.parse(el.getAttribute("data-chart"));
    if (spec.type === "hbar") { el.style.height = Math.max(160, 26 * spec.categories.length + 40) + "px"; }
    var chart = window.echarts.init(el, null, { renderer: "svg" });
    chart.setOption(option(spec));
    el.setAttribute("data-drawn", "1");
    charts.push(chart);
  });
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
  window.addEventListener("beforeprint", function () { charts.forEach(function (c) { c.resize(); }); });
})();
