// The home page's charts: uPlot (vendored, MIT) over the JSON the page carries in
// <script type="application/json" id="chart-data">. Amounts arrive in minor units.
(function () {
  "use strict";
  var source = document.getElementById("chart-data");
  if (!source || typeof uPlot === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var rtl = document.documentElement.dir === "rtl";
  var locale = document.documentElement.lang || "en";
  var number = new Intl.NumberFormat(locale, { maximumFractionDigits: 2 });
  function major(values) { return values.map(function (v) { return v / data.scale; }); }
  function label(u, v) { return v == null ? "" : number.format(v) + " " + data.unit; }
  function draw(id, series) {
    var box = document.getElementById(id);
    if (!box) { return; }
    var width = Math.max(280, box.clientWidth || 600);
    var options = {
      width: width, height: 220,
      scales: { x: { time: true, dir: rtl ? -1 : 1 } },
      axes: [{}, { size: 70, values: function (u, ticks) { return ticks.map(function (t) { return number.format(t); }); } }],
      series: [{}].concat(series.map(function (s) {
        return { label: data.labels[s.key], stroke: s.color, width: 2, value: label };
      }))
    };
    new uPlot(options, [data.days].concat(series.map(function (s) { return major(data[s.key]); })), box);
  }
  draw("flows-chart", [
    { key: "issued", color: "#0b5cad" },
    { key: "spent", color: "#1a7f37" },
    { key: "expired", color: "#a40e26" }
  ]);
  draw("outstanding-chart", [{ key: "outstanding", color: "#6639ba" }]);
})();
