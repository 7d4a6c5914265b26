/* Charts of the event page (Apache ECharts, served locally). Data comes from a JSON block, not inline JS,
   so the Content-Security-Policy can stay at script-src 'self'.
   ECharts puts what a tooltip formatter returns into the page as HTML: every formatter below escapes
   each value it uses (source names, titles and reasons come from outside). Labels on the canvas are
   drawn as text and are not escaped (they would show the entities). */
(function () {
  "use strict";
  var ENTITIES = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
  function esc(value) {
    return String(value === null || value === undefined ? "" : value).replace(/[&<>"']/g, function (c) { return ENTITIES[c]; });
  }
  function ready(fn) { if (document.readyState !== "loading") fn(); else document.addEventListener("DOMContentLoaded", fn); }
  ready(function () {
    var node = document.getElementById("event-data");
    if (!node) return;
    var data = JSON.parse(node.textContent);
    if (typeof echarts === "undefined") {
      document.querySelectorAll(".chart").forEach(function (el) { el.textContent = "图表组件未安装（npm），请查看下方列表。"; });
      return;
    }
    var hourly = data.hourly || [];
    var h = echarts.init(document.getElementById("chart-hourly"));
    h.setOption({
      grid: { left: 40, right: 16, top: 16, bottom: 40 },
      tooltip: { trigger: "axis", formatter: function (points) {
        points = [].concat(points);
        if (!points.length) return "";
        return esc(points[0].axisValueLabel || points[0].name) + "<br>" + points.map(function (x) {
          return esc(x.seriesName) + "：" + esc(x.value);
        }).join("<br>");
      } },
      xAxis: { type: "category", data: hourly.map(function (p) { return p.hour.slice(5, 13).replace("T", " ") + "时"; }) },
      yAxis: { type: "value", minInterval: 1 },
      series: [{ type: "bar", name: "信息量", data: hourly.map(function (p) { return p.count; }), itemStyle: { color: "#9b1c1c" } }]
    });
    var s = echarts.init(document.getElementById("chart-sentiment"));
    var colors = { "负面": "#b42318", "中性": "#9aa5b1", "正面": "#1f7a3a" };
    s.setOption({
      tooltip: { trigger: "item", formatter: function (x) {
        return esc(x.name) + "：" + esc(x.value) + "（" + esc(x.percent) + "%）";
      } },
      series: [{ type: "pie", radius: ["40%", "70%"], data: (data.sentiment || []).map(function (d) {
        return { name: d.name, value: d.value, itemStyle: { color: colors[d.name] } };
      }) }]
    });
    var g = data.propagation || { nodes: [], edges: [] };
    // With fewer than two nodes the page shows a sentence instead of the panel (no chart element).
    var pe = document.getElementById("chart-propagation");
    var p = pe ? echarts.init(pe) : null;
    if (p) p.setOption({
      tooltip: { formatter: function (x) { return esc(x.dataType === "edge" ? x.data.reason : (x.data.tip || x.name)); } },
      series: [{
        type: "graph", layout: "force", roam: true, draggable: true, force: { repulsion: 160, edgeLength: 90 },
        edgeSymbol: ["none", "arrow"], label: { show: true, fontSize: 11 },
        data: g.nodes.map(function (n) {
          return { id: String(n.id), name: (n.source || n.site || String(n.id)).slice(0, 12), tip: n.label || "", symbolSize: 18 };
        }),
        links: g.edges.map(function (e) { return { source: String(e.from), target: String(e.to), reason: e.reason }; })
      }]
    });
    window.addEventListener("resize", function () { h.resize(); s.resize(); if (p) p.resize(); });
  });
})();
