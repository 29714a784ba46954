// html.ts — the self-contained report.html of a simulation or replay.
//
// One file, no network: uPlot's JS and CSS are inlined (passed in by the
// caller: assets.ts reads them from node_modules; a browser host can fetch
// them itself), the chart data is embedded as JSON, the charts are drawn by
// client.ts. Sections: summary cards, VM table (allocation, ideal, achieved,
// delay, losses), NIC table, four charts (throughput vs ideal, NIC
// utilization with link events, queue delay, event timeline), advice and the
// first events. Deterministic: the same result gives the same bytes (no dates).
// Units on the page: s, Gbit/s, %, µs. Cost: O(intervals × VMs + events).

import type { SimResult, SimEvent } from '../sim/types.js';
import { CLIENT_SCRIPT } from './client.js';
import * as F from './format.js';

export interface ReportAssets {
  /** uPlot's dist/uPlot.iife.min.js */
  uplotJs: string;
  /** uPlot's dist/uPlot.min.css */
  uplotCss: string;
}

export interface ReportOptions {
  /** Page title (default: the scenario name). */
  title?: string;
  /** A line under the title, e.g. the command that produced it. */
  subtitle?: string;
  /** Most events listed in the table (the timeline chart shows up to 5000). Default 300. */
  maxEventRows?: number;
}

const PALETTE = ['#2563eb', '#db2777', '#059669', '#d97706', '#7c3aed', '#0891b2', '#dc2626', '#65a30d', '#9333ea', '#0d9488',
  '#ea580c', '#4f46e5', '#be123c', '#15803d', '#a16207', '#0369a1'];
const NIC_COLORS = ['#1d4ed8', '#c2410c', '#047857', '#7e22ce', '#b91c1c', '#0e7490', '#4d7c0f', '#a21caf'];
const EVENT_COLORS: Record<string, string> = {
  link: '#475569', failover: '#dc2626', failback: '#16a34a', notify: '#0284c7', 'team-down': '#7f1d1d', 'team-up': '#166534',
  'vm-pause': '#d97706', 'vm-resume': '#65a30d', returned: '#9333ea', capacity: '#be123c', advice: '#7c3aed', 'events-lost': '#111827',
};

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** JSON that is safe inside <script>: no "</script", no "<!--". */
function scriptJson(v: unknown): string {
  return JSON.stringify(v).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

function inlineScript(js: string): string {
  return js.replace(/<\/script/gi, '<\\/script');
}

const round = (x: number | null, d: number) => (x === null || !Number.isFinite(x) ? null : Math.round(x * 10 ** d) / 10 ** d);

/** Link-down periods per NIC (s) from the link events, for the shading. */
function downPeriods(r: SimResult): { nic: string; from: number; to: number }[] {
  const out: { nic: string; from: number; to: number }[] = [];
  const open = new Map<string, number>();
  const end = r.scenario.durationNs / 1e9;
  for (const e of r.events) {
    if (e.type !== 'link') continue;
    const nic = String(e.nic), t = e.tNs / 1e9;
    if (e.up === false && !open.has(nic)) open.set(nic, t);
    if (e.up === true && open.has(nic)) { out.push({ nic, from: open.get(nic)!, to: t }); open.delete(nic); }
  }
  for (const [nic, from] of open) out.push({ nic, from, to: end });
  return out;
}

function eventLabel(e: SimEvent): string {
  const { tNs: _t, type: _ty, ...rest } = e;
  const parts: string[] = [];
  for (const [k, v] of Object.entries(rest)) {
    if (k === 'moves' && Array.isArray(v)) parts.push(`moves: ${v.map((m: { name?: string; from?: string; to?: string }) => `${m.name} ${m.from ?? '∅'}→${m.to ?? '∅'}`).join(', ') || 'none'}`);
    else if (Array.isArray(v)) parts.push(`${k}: ${v.join(', ')}`);
    else if (typeof v === 'number' && /Bps$/.test(k)) parts.push(`${k}: ${F.rateLong(v)}`);
    else parts.push(`${k}: ${typeof v === 'object' ? JSON.stringify(v) : String(v)}`);
  }
  return parts.join(' · ');
}

/** The chart data the page's script reads. */
export function chartData(r: SimResult): unknown {
  const timeS = r.timeNs.map((t) => t / 1e9);
  const eventTypes = [...new Set(r.events.map((e) => e.type))].sort((a, b) => (a === 'link' ? -1 : b === 'link' ? 1 : a.localeCompare(b)));
  return {
    durationS: r.scenario.durationNs / 1e9,
    timeS,
    vms: r.vms.map((v, i) => ({
      name: v.name, color: PALETTE[i % PALETTE.length],
      sent: v.series.sentBps.map((x) => round(x === null ? null : x / 1e9, 4)),
      ideal: v.series.idealBps.map((x) => round(x === null ? null : x / 1e9, 4)),
      p99: v.series.delayP99Ns.map((x) => (x === null || x <= 0 ? null : round(x / 1e3, 2))),
    })),
    nics: r.nics.map((n, i) => ({
      name: n.name, color: NIC_COLORS[i % NIC_COLORS.length], fill: `${NIC_COLORS[i % NIC_COLORS.length]}14`,
      util: n.series.utilization.map((u) => round(u * 100, 2)),
    })),
    downPeriods: downPeriods(r),
    linkEvents: r.events.filter((e) => e.type === 'link').map((e) => ({ t: e.tNs / 1e9, nic: e.nic, up: e.up })),
    eventTypes,
    eventColors: Object.fromEntries(eventTypes.map((t, i) => [t, EVENT_COLORS[t] ?? PALETTE[i % PALETTE.length]])),
    events: r.events.slice(0, 5000).map((e) => ({ t: e.tNs / 1e9, type: e.type })),
  };
}

const CSS = `
:root { --ink: #0f172a; --muted: #64748b; --line: #e2e8f0; --bg: #f6f7fb; --card: #ffffff; --accent: #2563eb; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--ink); font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
header { background: linear-gradient(120deg, #0f172a, #1e3a8a); color: #fff; padding: 22px 32px 20px; }
header h1 { margin: 0 0 4px; font-size: 22px; font-weight: 650; letter-spacing: -0.01em; }
header .sub { color: #c7d2fe; font-size: 13px; }
header .desc { color: #e0e7ff; margin-top: 8px; max-width: 1100px; }
main { padding: 20px 32px 40px; max-width: 1480px; margin: 0 auto; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(160px, 1fr)); gap: 12px; margin-bottom: 18px; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 10px; padding: 12px 14px; }
.card .k { color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .04em; }
.card .v { font-size: 20px; font-weight: 650; margin-top: 2px; font-variant-numeric: tabular-nums; }
.card .v.ok { color: #15803d; } .card .v.bad { color: #b91c1c; }
section { background: var(--card); border: 1px solid var(--line); border-radius: 12px; padding: 16px 18px 12px; margin-bottom: 18px; }
section h2 { margin: 0 0 4px; font-size: 16px; font-weight: 650; }
section p.note { margin: 0 0 10px; color: var(--muted); font-size: 12.5px; }
.grid2 { display: grid; grid-template-columns: 1fr 1fr; gap: 18px; }
@media (max-width: 1100px) { .grid2 { grid-template-columns: 1fr; } }
table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
th, td { padding: 6px 10px; border-bottom: 1px solid var(--line); text-align: right; white-space: nowrap; }
th { color: var(--muted); font-weight: 600; font-size: 12px; text-transform: uppercase; letter-spacing: .03em; background: #fafbfd; }
th:first-child, td:first-child, td.l, th.l { text-align: left; }
td .sw { display: inline-block; width: 10px; height: 10px; border-radius: 3px; margin-right: 7px; vertical-align: -1px; }
td.pos { color: #15803d; } td.neg { color: #b91c1c; }
td.src { color: var(--muted); font-size: 12.5px; text-align: left; }
.tablewrap { overflow-x: auto; }
.events td { font-size: 12.5px; } .events td.l { white-space: normal; }
.tag { display: inline-block; padding: 1px 8px; border-radius: 999px; font-size: 11.5px; font-weight: 600; color: #fff; }
.u-legend { font-size: 12px; } .u-legend .u-marker { border-radius: 2px; }
.chart { width: 100%; min-height: 120px; }
footer { color: var(--muted); font-size: 12px; text-align: center; padding: 10px; }
`;

/** Renders the report page. */
export function renderHtmlReport(r: SimResult, assets: ReportAssets, options: ReportOptions = {}): string {
  const title = options.title ?? `nicteam — ${r.scenario.name}`;
  const data = chartData(r) as { vms: { color: string }[]; eventColors: Record<string, string> };
  const c = r.conservation;
  const failovers = r.nics.reduce((s, n) => s + n.failovers, 0);
  const cards: [string, string, string?][] = [
    ['simulated', F.duration(r.scenario.durationNs)],
    ['policy', r.scenario.policy],
    ['team capacity', F.rateLong(r.totals.teamCapacityBps)],
    ['frames sent', F.count(r.totals.sentPackets)],
    ['bytes sent', F.bytes(r.totals.sentBytes)],
    ['failovers', String(failovers)],
    ['conservation', c.ok ? 'ok ✓' : 'violated', c.ok ? 'ok' : 'bad'],
    ['reservations', r.totals.feasible ? 'feasible' : 'infeasible', r.totals.feasible ? 'ok' : 'bad'],
  ];
  const vmRows = r.vms.map((v, i) => {
    const a = v.allocation;
    const raw = v.idealBps > 0 ? (v.achievedBps - v.idealBps) / v.idealBps : 0;
    const diff = Math.abs(raw) < 0.0005 ? 0 : raw;
    return `<tr><td><span class="sw" style="background:${data.vms[i]!.color}"></span>${esc(v.name)}${v.removedAtNs !== null ? ' <em>(removed)</em>' : ''}</td>`
      + `<td class="src">${esc(v.source)}</td><td>${a.shares}</td><td>${F.rate(a.reservationBps, true)}</td><td>${F.rate(a.limitBps, true)}</td><td>${a.priority}</td>`
      + `<td>${F.rate(v.idealBps)}</td><td><b>${F.rate(v.achievedBps)}</b></td>`
      + `<td class="${diff >= -0.01 ? 'pos' : 'neg'}">${v.idealBps > 0 ? `${diff >= 0 ? '+' : ''}${(diff * 100).toFixed(1)}%` : '-'}</td>`
      + `<td>${v.delay.count ? F.duration(v.delay.p50Ns) : '-'}</td><td>${v.delay.count ? F.duration(v.delay.p99Ns) : '-'}</td><td>${v.delay.count ? F.duration(v.delay.maxNs) : '-'}</td>`
      + `<td>${F.count(v.hostDrops)}</td><td>${F.count(v.fullStatuses)}</td><td>${F.count(v.pauses)}</td><td>${F.count(v.sentPackets)}</td></tr>`;
  }).join('\n');
  const nicRows = r.nics.map((n) => `<tr><td>${esc(n.name)}</td><td>${F.rateLong(n.speedBps)}</td><td><b>${F.percent(n.utilization)}</b></td>`
    + `<td>${F.count(n.sentPackets)}</td><td>${F.bytes(n.sentBytes)}</td><td>${n.failovers}</td>`
    + `<td>${n.series.up.filter((u) => u === 0).length} of ${n.series.up.length}</td></tr>`).join('\n');
  const maxRows = options.maxEventRows ?? 300;
  const interesting = r.events.filter((e) => e.type !== 'vm-pause' && e.type !== 'vm-resume');
  const shown = (interesting.length ? interesting : r.events).slice(0, maxRows);
  const eventRows = shown.map((e) => `<tr><td>${(e.tNs / 1e9).toFixed(6)} s</td>`
    + `<td class="l"><span class="tag" style="background:${data.eventColors[e.type] ?? '#64748b'}">${esc(e.type)}</span></td>`
    + `<td class="l">${esc(eventLabel(e))}</td></tr>`).join('\n');
  const counts = Object.entries(r.eventCounts).sort((a, b) => a[0].localeCompare(b[0])).map(([k, v]) => `${esc(k)} ${v}`).join(' · ') || 'none';
  const advice = r.events.filter((e) => e.type === 'advice');
  const adviceHtml = advice.length
    ? `<section><h2>Advice</h2><p class="note">The engine's advice to the host (it decides).</p><div class="tablewrap"><table class="events"><tr><th>time</th><th class="l">advice</th></tr>${
      advice.slice(0, 100).map((e) => `<tr><td>${(e.tNs / 1e9).toFixed(6)} s</td><td class="l">${esc(eventLabel(e))}</td></tr>`).join('')}</table></div></section>`
    : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>${assets.uplotCss}</style>
<style>${CSS}</style>
</head>
<body>
<header>
  <h1>${esc(title)}</h1>
  <div class="sub">${esc(options.subtitle ?? `policy ${r.scenario.policy} · seed ${r.scenario.seed} · ${r.timeNs.length} intervals of ${F.duration(r.scenario.sampleIntervalNs)}`)}</div>
  ${r.scenario.description ? `<div class="desc">${esc(r.scenario.description)}</div>` : ''}
</header>
<main>
<div class="cards">${cards.map(([k, v, cls]) => `<div class="card"><div class="k">${esc(k)}</div><div class="v${cls ? ` ${cls}` : ''}">${esc(v)}</div></div>`).join('')}</div>
<section>
  <h2>VMs: allocation, ideal and achieved</h2>
  <p class="note">Rates in bit/s of frame bytes. Ideal: the DESIGN §2 allocation (reservations as floors, limits as caps, shares and strict priorities) for each interval's measured demand and the capacity up at the time, averaged over the run. Delay: release time − enqueue time.</p>
  <div class="tablewrap"><table id="vm-table">
  <tr><th>VM</th><th class="l">source</th><th>shares</th><th>resv</th><th>limit</th><th>prio</th><th>ideal</th><th>achieved</th><th>Δ</th><th>delay p50</th><th>p99</th><th>max</th><th>host drops</th><th>full</th><th>pauses</th><th>frames</th></tr>
  ${vmRows}
  </table></div>
</section>
<section>
  <h2>Throughput per VM</h2>
  <p class="note">Solid: achieved (Gbit/s per interval). Dashed: ideal allocation. Red bands: a NIC is down.</p>
  <div id="chart-throughput" class="chart"></div>
</section>
<div class="grid2">
<section>
  <h2>NIC utilization</h2>
  <p class="note">Wire utilization per interval, counting ${r.nics[0]?.wireOverheadBytes ?? 24} bytes of overhead per frame (FCS, preamble, IFG). Dashed lines: link events.</p>
  <div id="chart-nics" class="chart"></div>
  <div class="tablewrap"><table id="nic-table"><tr><th>NIC</th><th>speed</th><th>util</th><th>frames</th><th>bytes</th><th>failovers</th><th>intervals down</th></tr>
  ${nicRows}
  </table></div>
</section>
<section>
  <h2>Queue delay</h2>
  <p class="note">99th percentile of release − enqueue time per interval, log scale.</p>
  <div id="chart-delay" class="chart"></div>
</section>
</div>
<section>
  <h2>Event timeline</h2>
  <p class="note">Every engine event, by type (${esc(counts)}).</p>
  <div id="chart-events" class="chart"></div>
</section>
${adviceHtml}
<section>
  <h2>Events</h2>
  <p class="note">${shown.length < (interesting.length || r.events.length) ? `First ${shown.length} of ${interesting.length || r.events.length}` : 'All'} events${interesting.length && interesting.length < r.events.length ? ' (vm-pause / vm-resume are counted above and drawn in the timeline)' : ''}.</p>
  <div class="tablewrap"><table class="events"><tr><th>time</th><th class="l">type</th><th class="l">details</th></tr>
  ${eventRows}
  </table></div>
</section>
<section>
  <h2>Conservation</h2>
  <p class="note">Every packet the engine accepted is accounted for: accepted ${F.count(c.accepted)} = sent ${F.count(c.completed)} + queued ${F.count(c.queued)} + in flight ${F.count(c.inFlight)} + returned ${F.count(c.returned)}; ${c.violations} violations.</p>
</section>
</main>
<footer>nicteam simulator report · self-contained (uPlot inlined, no network) · data embedded below</footer>
<script id="nicteam-data" type="application/json">${scriptJson(data)}</script>
<script>${inlineScript(assets.uplotJs)}</script>
<script>${inlineScript(CLIENT_SCRIPT)}</script>
</body>
</html>
`;
}
