// client.ts — the script that runs inside report.html and draws its charts
// with uPlot (inlined next to it, so the page needs no network).
//
// It reads the JSON embedded in <script id="nicteam-data"> (built by html.ts)
// and draws: per-VM throughput against the ideal allocation, NIC utilization
// with link-down periods shaded and link events marked, per-VM queue delay
// (p99 per interval, log scale) and an event timeline. Plain ES2017 in a
// string (it is not compiled with the rest); charts follow the window width.
// Units on the page: seconds, Gbit/s, percent, microseconds.

export const CLIENT_SCRIPT = String.raw`
(function () {
  'use strict';
  var D = JSON.parse(document.getElementById('nicteam-data').textContent);
  var charts = [];
  function widthOf(el) { return Math.max(420, Math.floor(el.getBoundingClientRect().width)); }
  function make(id, opts, data) {
    var el = document.getElementById(id);
    if (!el) return;
    opts.width = widthOf(el);
    opts.height = opts.height || 300;
    var u = new uPlot(opts, data, el);
    charts.push({ u: u, el: el });
  }
  var axisFont = '12px system-ui, -apple-system, Segoe UI, Roboto, sans-serif';
  function axes(yLabel, yValues) {
    var grid = { stroke: '#eef0f4', width: 1 };
    var y = { label: yLabel, font: axisFont, labelFont: axisFont, grid: grid, ticks: { stroke: '#d6dae3' }, size: 64 };
    if (yValues) y.values = yValues;
    return [
      { label: 'time (s)', font: axisFont, labelFont: axisFont, grid: grid, ticks: { stroke: '#d6dae3' } },
      y,
    ];
  }
  // shading of link-down periods and a line at every link event
  function linkMarks(u) {
    var ctx = u.ctx, b = u.bbox;
    ctx.save();
    D.downPeriods.forEach(function (p) {
      var x0 = u.valToPos(p.from, 'x', true), x1 = u.valToPos(p.to, 'x', true);
      x0 = Math.max(b.left, x0); x1 = Math.min(b.left + b.width, x1);
      if (x1 <= x0) return;
      ctx.fillStyle = 'rgba(220, 38, 38, 0.07)';
      ctx.fillRect(x0, b.top, x1 - x0, b.height);
    });
    D.linkEvents.forEach(function (e) {
      var x = Math.round(u.valToPos(e.t, 'x', true)) + 0.5;
      if (x < b.left || x > b.left + b.width) return;
      ctx.strokeStyle = e.up ? 'rgba(22, 163, 74, 0.9)' : 'rgba(220, 38, 38, 0.9)';
      ctx.lineWidth = 1.5 * devicePixelRatio;
      ctx.setLineDash([4 * devicePixelRatio, 3 * devicePixelRatio]);
      ctx.beginPath(); ctx.moveTo(x, b.top); ctx.lineTo(x, b.top + b.height); ctx.stroke();
      ctx.setLineDash([]);
      ctx.fillStyle = e.up ? '#15803d' : '#b91c1c';
      ctx.font = (11 * devicePixelRatio) + 'px system-ui, sans-serif';
      ctx.fillText(e.nic + (e.up ? ' up' : ' down'), x + 4 * devicePixelRatio, b.top + 12 * devicePixelRatio);
    });
    ctx.restore();
  }
  var hooks = { drawClear: [linkMarks] };
  var t = D.timeS;

  // 1. per-VM throughput vs ideal
  (function () {
    var series = [{ label: 'time (s)', value: function (u, v) { return v == null ? '-' : v.toFixed(3) + ' s'; } }];
    var data = [t];
    D.vms.forEach(function (v) {
      series.push({ label: v.name, stroke: v.color, width: 2, value: function (u, x) { return x == null ? '-' : x.toFixed(2) + ' G'; } });
      data.push(v.sent);
      series.push({ label: v.name + ' ideal', stroke: v.color, width: 1.25, dash: [6, 4], alpha: 0.9,
        value: function (u, x) { return x == null ? '-' : x.toFixed(2) + ' G'; } });
      data.push(v.ideal);
    });
    make('chart-throughput', { series: series, axes: axes('Gbit/s'), scales: { x: { time: false } }, hooks: hooks,
      cursor: { drag: { x: true, y: false } }, legend: { live: true } }, data);
  })();

  // 2. NIC utilization
  (function () {
    var series = [{ label: 'time (s)', value: function (u, v) { return v == null ? '-' : v.toFixed(3) + ' s'; } }];
    var data = [t];
    D.nics.forEach(function (n) {
      series.push({ label: n.name, stroke: n.color, width: 2, value: function (u, x) { return x == null ? '-' : x.toFixed(1) + '%'; } });
      data.push(n.util);
    });
    make('chart-nics', { height: 240, series: series, axes: axes('utilization %'),
      scales: { x: { time: false }, y: { range: [0, 105] } }, hooks: hooks }, data);
  })();

  // 3. queue delay p99 per VM (log scale)
  (function () {
    var series = [{ label: 'time (s)', value: function (u, v) { return v == null ? '-' : v.toFixed(3) + ' s'; } }];
    var data = [t];
    D.vms.forEach(function (v) {
      series.push({ label: v.name + ' p99', stroke: v.color, width: 1.75, spanGaps: false,
        value: function (u, x) { return x == null ? '-' : (x >= 1000 ? (x / 1000).toFixed(2) + ' ms' : x.toFixed(1) + ' µs'); } });
      data.push(v.p99);
    });
    var fmt = function (us) {
      if (us >= 1e6) return +(us / 1e6).toPrecision(3) + ' s';
      if (us >= 1e3) return +(us / 1e3).toPrecision(3) + ' ms';
      if (us >= 1) return +us.toPrecision(3) + ' µs';
      return +(us * 1e3).toPrecision(3) + ' ns';
    };
    make('chart-delay', { series: series, axes: axes('queue delay p99 (log)', function (u, splits) {
        return splits.map(function (v) { return v == null ? '' : fmt(v); });
      }),
      scales: { x: { time: false }, y: { distr: 3 } }, hooks: hooks }, data);
  })();

  // 4. event timeline: one row per event type
  (function () {
    var cats = D.eventTypes;
    if (!D.events.length) return;
    var xs = D.events.map(function (e) { return e.t; });
    var series = [{ label: 'time (s)', value: function (u, v) { return v == null ? '-' : v.toFixed(6) + ' s'; } }];
    var data = [xs];
    cats.forEach(function (c, ci) {
      series.push({ label: c, stroke: D.eventColors[c], width: 0, paths: function () { return null; },
        points: { show: true, size: 9, width: 1.5, stroke: D.eventColors[c], fill: D.eventColors[c] + '55' },
        value: function (u, x) { return x == null ? '' : c; } });
      data.push(D.events.map(function (e) { return e.type === c ? ci + 1 : null; }));
    });
    var ax = axes('', function (u, splits) { return splits.map(function (v) { return cats[v - 1] || ''; }); });
    ax[1].splits = function () { return cats.map(function (c, i) { return i + 1; }); };
    ax[1].size = 96;
    ax[1].grid = { stroke: '#f3f4f7', width: 1 };
    make('chart-events', { height: Math.max(160, 48 + 34 * cats.length), series: series,
      axes: ax,
      scales: { x: { time: false, range: [0, D.durationS] }, y: { range: [0.3, cats.length + 0.7] } }, hooks: hooks,
      legend: { show: false } }, data);
  })();

  var pending = 0;
  window.addEventListener('resize', function () {
    clearTimeout(pending);
    pending = setTimeout(function () {
      charts.forEach(function (c) { c.u.setSize({ width: widthOf(c.el), height: c.u.height }); });
    }, 100);
  });
})();
`;
