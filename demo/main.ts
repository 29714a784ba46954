// main.ts — the demo page: controls, uplink and VM cards, two uPlot charts and
// the event log around a DemoRun (model.ts), advanced once per animation frame.
//
// Each requestAnimationFrame advances virtual time by the frame slice (5–40 ms,
// the speed control), so the run does not depend on the display's frame rate
// or the machine's speed, only on the controls used and when. For tests and
// the curious, window.nicteam exposes the run, the exact arrays the charts
// plot (data()), the log, play/pause/step, the engine fingerprint and the
// scripted cross-host run (docs/browser.md).
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import './style.css';
import { createScheduler } from '../src/index.js';
import { engineFingerprint } from './fingerprint.js';
import { DemoRun, scriptedRun, DEFAULT_CONFIG, type DemoConfig, type LogEntry, type LogKind } from './model.js';
import { DEMO_SCENARIOS, type DemoScenarioId } from './scenarios.js';

const VM_COLORS = ['#2563eb', '#db2777', '#059669', '#d97706', '#7c3aed', '#0891b2', '#dc2626', '#65a30d'];
const NIC_COLORS = ['#1d4ed8', '#ea580c', '#047857', '#7e22ce'];
const KINDS: [LogKind, string][] = [
  ['failover', 'failover'], ['failback', 'failback'], ['link', 'link'], ['notify', 'notify'], ['pause', 'pause / resume'],
  ['advice', 'advice'], ['capacity', 'capacity'], ['team', 'team'], ['other', 'other'],
];

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;
const el = <K extends keyof HTMLElementTagNameMap>(tag: K, cls?: string, text?: string): HTMLElementTagNameMap[K] => {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
};

interface VmView { rate: HTMLElement; on: HTMLElement; err: HTMLElement; unlimited: boolean }
interface NicView { card: HTMLElement; pill: HTMLElement; bar: HTMLElement; meta: HTMLElement; btn: HTMLButtonElement }

let run: DemoRun;
let config: DemoConfig = { ...DEFAULT_CONFIG };
let playing = true;
let vmChart: uPlot | undefined, nicChart: uPlot | undefined;
let vmViews: VmView[] = [], nicViews: NicView[] = [];
const hiddenKinds = new Set<LogKind>();
const logRows = new Map<number, HTMLLIElement>();
let speedEwma = 0, lastFrameWall = 0, ppsEwma = 0, lastPackets = 0;
let generation = 0;

/** Compact rate: three significant digits, no trailing zeros ("200 Mbit/s", "1.25 Gbit/s"). */
function fmtRate(bps: number): string {
  const units: [number, string][] = [[1e12, 'Tbit/s'], [1e9, 'Gbit/s'], [1e6, 'Mbit/s'], [1e3, 'kbit/s']];
  for (const [d, u] of units) if (Math.abs(bps) >= d) return `${+(bps / d).toPrecision(3)} ${u}`;
  return `${Math.round(bps)} bit/s`;
}

function fmtTime(ns: number): string { return `${(ns / 1e9).toFixed(3)} s`; }
function rateUnit(): { div: number; label: string } {
  return Math.max(...run.nicSpeeds) >= 1e10 ? { div: 1e9, label: 'Gbit/s' } : { div: 1e6, label: 'Mbit/s' };
}

// ------------------------------------------------------------------ setup

async function start(): Promise<void> {
  const gen = ++generation;
  const next = await DemoRun.create(config);
  if (gen !== generation) return; // a newer reset won
  run = next;
  logRows.clear();
  $('log').replaceChildren();
  buildNics();
  buildVms();
  buildCharts();
  buildFilters();
  run.onLog = onLog;
  $('st-policy').textContent = run.sim.engine.policy;
  $('st-scenario').textContent = run.scenario.name;
  lastPackets = 0; speedEwma = 0; ppsEwma = 0; lastFrameWall = 0;
  render();
}

function buildNics(): void {
  nicViews = run.nicNames.map((name, i) => {
    const card = el('div', 'nic'); card.dataset.nic = name;
    const row = el('div', 'row');
    const nm = el('span', 'name');
    const sw = el('span', 'swatch'); sw.style.background = NIC_COLORS[i % NIC_COLORS.length]!;
    nm.append(sw, name, el('span', 'muted', fmtRate(run.nicSpeeds[i]!)));
    const pill = el('span', 'pill up', 'UP');
    row.append(nm, pill);
    const bar = el('div', 'bar'); const fill = el('i'); fill.style.background = NIC_COLORS[i % NIC_COLORS.length]!; bar.append(fill);
    const meta = el('div', 'meta', '–');
    const btn = el('button', 'btn small fail', 'Fail link') as HTMLButtonElement;
    btn.type = 'button'; btn.dataset.action = 'toggle-link';
    btn.addEventListener('click', () => {
      const up = !run.linkUp[i];
      run.setLink(name, up);
      run.stats = run.sim.engine.stats();
      renderNics();
    });
    card.append(row, bar, meta, btn);
    return { card, pill, bar: fill, meta, btn };
  });
  $('nics').replaceChildren(...nicViews.map((v) => v.card));
}

function slider(label: string, min: number, max: number, step: number, value: number): { row: HTMLElement[]; input: HTMLInputElement; out: HTMLOutputElement } {
  const lab = el('label', undefined, label);
  const input = el('input') as HTMLInputElement;
  input.type = 'range'; input.min = String(min); input.max = String(max); input.step = String(step); input.value = String(value);
  const id = `s${Math.random().toString(36).slice(2, 9)}`;
  input.id = id; lab.htmlFor = id;
  const out = el('output') as HTMLOutputElement;
  return { row: [lab, input, out], input, out };
}

function buildVms(): void {
  const maxSpeed = Math.max(...run.nicSpeeds);
  const pct = (bps: number) => Math.round((bps / maxSpeed) * 100);
  vmViews = [];
  const cards = run.vmNames.map((name, i) => {
    const a = run.vmAllocation(name);
    const card = el('div', 'vm'); card.dataset.vm = name;
    const head = el('div', 'head');
    const sw = el('span', 'swatch'); sw.style.background = VM_COLORS[i % VM_COLORS.length]!;
    const spec = run.scenario.vms[i]!;
    const src = el('span', 'src', describe(spec.source));
    src.title = src.textContent!;
    const on = el('span', 'on', '–');
    const rate = el('span', 'rate', '–');
    head.append(sw, el('span', 'name', name), src, on, rate);
    const ctl = el('div', 'ctl');
    const shares = slider('shares', 1, 1000, 1, a.shares);
    const resv = slider('reservation', 0, 100, 1, pct(a.reservationBps));
    const lim = slider('limit', 1, 101, 1, a.limitBps ? Math.max(1, pct(a.limitBps)) : 101);
    const err = el('div', 'err');
    const view: VmView = { rate, on, err, unlimited: !a.limitBps };
    const show = () => {
      shares.out.value = shares.input.value;
      const r = Number(resv.input.value), l = Number(lim.input.value);
      resv.out.value = r === 0 ? 'none' : fmtRate((r / 100) * maxSpeed);
      lim.out.value = l === 101 ? 'none' : fmtRate((l / 100) * maxSpeed);
    };
    const apply = (which: 'shares' | 'resv' | 'lim') => {
      let r = Number(resv.input.value), l = Number(lim.input.value);
      // keep reservation ≤ limit: the control being moved pushes the other one
      if (l !== 101 && r > l) { if (which === 'lim') resv.input.value = String((r = l)); else lim.input.value = String((l = r)); }
      show();
      const changes: { shares: number; reservation: number; limit?: number } = {
        shares: Number(shares.input.value), reservation: r === 0 ? 0 : (r / 100) * maxSpeed,
      };
      // "none" removes the limit (limit: 0)
      if (l !== 101) { changes.limit = (l / 100) * maxSpeed; view.unlimited = false; }
      else if (!view.unlimited) { changes.limit = 0; view.unlimited = true; }
      try { run.updateVm(name, changes); err.textContent = ''; } catch (e) { err.textContent = (e as Error).message; }
    };
    shares.input.addEventListener('input', () => apply('shares'));
    resv.input.addEventListener('input', () => apply('resv'));
    lim.input.addEventListener('input', () => apply('lim'));
    show();
    ctl.append(...shares.row, ...resv.row, ...lim.row);
    card.append(head, ctl, err);
    vmViews.push(view);
    return card;
  });
  $('vms').replaceChildren(...cards);
}

function describe(s: { type: string; [k: string]: unknown }): string {
  const r = (x: unknown) => fmtRate(Number(x));
  switch (s.type) {
    case 'greedy': return 'greedy sender';
    case 'tcp': return `TCP-like, up to ${r(s.maxRateBps)}`;
    case 'cbr': return `constant ${r(s.rateBps)}`;
    case 'onoff': return `bursts of ${r(s.rateBps)}`;
    case 'poisson': return `Poisson ${r(s.rateBps)}`;
    default: return s.type;
  }
}

const axisFont = '12px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';
function axes(yValues: (u: uPlot, v: number[]) => string[]): uPlot.Axis[] {
  const grid = { stroke: '#eef0f4', width: 1 };
  const ticks = { stroke: '#d6dae3', width: 1 };
  return [
    { font: axisFont, grid, ticks, values: (_u, v) => v.map((x) => `${+x.toFixed(1)} s`) },
    { font: axisFont, grid, ticks, size: 64, values: yValues },
  ];
}

/** The newest value of series si (the legend shows it when the cursor is off the chart). */
function latest(u: uPlot, si: number): number | null {
  const d = u.data[si] as (number | null)[] | undefined;
  return d && d.length ? d[d.length - 1] ?? null : null;
}

/** Shades the intervals where a NIC was down, with its name, behind the series. */
function linkDownBands(u: uPlot): void {
  const ctx = u.ctx, { left, top, width, height } = u.bbox;
  const t = run.t;
  ctx.save();
  ctx.beginPath(); ctx.rect(left, top, width, height); ctx.clip();
  run.nicUp.forEach((up, i) => {
    let k = 0;
    while (k < up.length) {
      if (up[k]) { k++; continue; }
      const s = k;
      while (k < up.length && !up[k]) k++;
      const x0 = u.valToPos(t[s - 1] ?? t[s]! - config.frameMs / 1e3, 'x', true);
      const x1 = u.valToPos(t[k - 1]!, 'x', true);
      ctx.fillStyle = 'rgba(220, 38, 38, 0.07)';
      ctx.fillRect(x0, top, Math.max(1, x1 - x0), height);
      ctx.fillStyle = 'rgba(185, 28, 28, 0.85)';
      ctx.textAlign = 'left'; ctx.textBaseline = 'top';
      ctx.font = `${Math.round(11 * devicePixelRatio)}px system-ui, sans-serif`;
      ctx.fillText(`${run.nicNames[i]} down`, x0 + 6 * devicePixelRatio, top + height - (20 + 15 * i) * devicePixelRatio);
    }
  });
  ctx.restore();
}

function chartWidth(id: string): number { return Math.max(320, Math.floor($(id).getBoundingClientRect().width)); }

function buildCharts(): void {
  vmChart?.destroy(); nicChart?.destroy();
  const W = config.windowS;
  const unit = rateUnit();
  $('vm-unit').textContent = `${unit.label}, sent per ${config.frameMs} ms frame`;
  const pool = run.perPacketPolicy ? run.nicSpeeds.reduce((a, b) => a + b, 0) : Math.max(...run.nicSpeeds);
  const xScale: uPlot.Scale = { time: false, range: (_u, _min, max) => [Math.max(0, (max ?? 0) - W), Math.max(W, max ?? 0)] };
  vmChart = new uPlot({
    width: chartWidth('chart-vm'), height: 250,
    scales: { x: xScale, y: { range: (_u, _min, max) => [0, Math.max(pool * 1.04, max ?? 0)] } },
    axes: axes((_u, v) => v.map((x) => `${+(x / unit.div).toFixed(2)}`)),
    cursor: { drag: { x: false, y: false }, points: { size: 6 } },
    legend: { live: true },
    series: [
      { label: 'time', value: (u, v) => { const x = v ?? latest(u, 0); return x == null ? '–' : `${x.toFixed(2)} s`; } },
      ...run.vmNames.map((name, i): uPlot.Series => ({
        label: name, stroke: VM_COLORS[i % VM_COLORS.length]!, width: 1.6, points: { show: false },
        value: (u, v, si) => { const x = v ?? latest(u, si); return x == null ? '–' : fmtRate(x); },
      })),
    ],
  }, [run.t, ...run.vmRate] as uPlot.AlignedData, $('chart-vm'));
  nicChart = new uPlot({
    width: chartWidth('chart-nic'), height: 210,
    scales: { x: xScale, y: { range: [0, 1.04] } },
    axes: axes((_u, v) => v.map((x) => `${Math.round(x * 100)} %`)),
    cursor: { drag: { x: false, y: false }, points: { size: 6 } },
    legend: { live: true },
    hooks: { drawClear: [linkDownBands] },
    series: [
      { label: 'time', value: (u, v) => { const x = v ?? latest(u, 0); return x == null ? '–' : `${x.toFixed(2)} s`; } },
      ...run.nicNames.map((name, i): uPlot.Series => ({
        label: name, stroke: NIC_COLORS[i % NIC_COLORS.length]!, width: 1.8, points: { show: false },
        value: (u, v, si) => { const x = v ?? latest(u, si); return x == null ? '–' : `${(x * 100).toFixed(1)} %`; },
      })),
    ],
  }, [run.t, ...run.nicUtil] as uPlot.AlignedData, $('chart-nic'));
}

function buildFilters(): void {
  const chips = KINDS.map(([kind, label]) => {
    const b = el('button', 'chip') as HTMLButtonElement;
    b.type = 'button'; b.dataset.kind = kind;
    b.setAttribute('aria-pressed', String(!hiddenKinds.has(kind)));
    const dot = el('span', `k-${kind}`, '●');
    b.append(dot, label, el('span', 'n', '0'));
    b.addEventListener('click', () => {
      if (hiddenKinds.has(kind)) hiddenKinds.delete(kind); else hiddenKinds.add(kind);
      b.setAttribute('aria-pressed', String(!hiddenKinds.has(kind)));
      for (const li of logRows.values()) li.classList.toggle('hidden', hiddenKinds.has(li.dataset.kind as LogKind));
    });
    return b;
  });
  $('filters').replaceChildren(...chips);
}

// ------------------------------------------------------------------ log

function onLog(e: LogEntry, merged: boolean): void {
  let li = logRows.get(e.seq);
  if (!li) {
    li = el('li') as HTMLLIElement;
    li.dataset.kind = e.kind; li.dataset.type = e.type;
    li.append(el('span', 't'), el('span', `k k-${e.kind}`, e.kind), el('span', 'msg', e.text), el('span', 'x'));
    li.classList.toggle('hidden', hiddenKinds.has(e.kind));
    const list = $('log');
    list.prepend(li);
    logRows.set(e.seq, li);
    while (logRows.size > 400) { const first = logRows.keys().next().value!; logRows.get(first)!.remove(); logRows.delete(first); }
  } else if (merged && li !== $('log').firstChild) $('log').prepend(li);
  li.children[0]!.textContent = fmtTime(e.tNs);
  li.children[3]!.textContent = e.count > 1 ? `×${e.count}` : '';
}

function renderFilterCounts(): void {
  for (const b of $('filters').children) {
    const k = (b as HTMLElement).dataset.kind!;
    (b.lastChild as HTMLElement).textContent = String(run.counts[k] ?? 0);
  }
}

// ------------------------------------------------------------------ render loop

function renderNics(): void {
  const up = run.linkUp;
  const last = run.nicUtil.map((s) => s[s.length - 1] ?? 0);
  run.nicNames.forEach((name, i) => {
    const v = nicViews[i]!;
    const st = run.stats.nics.find((n) => n.name === name);
    v.card.classList.toggle('down', !up[i]);
    v.pill.className = `pill ${up[i] ? 'up' : 'down'}`; v.pill.textContent = up[i] ? 'UP' : 'DOWN';
    v.bar.style.width = `${(last[i]! * 100).toFixed(1)}%`;
    const pinned = run.stats.vms.filter((x) => x.nic === st?.index).map((x) => x.name);
    v.meta.textContent = `${(last[i]! * 100).toFixed(1)} % · ${run.perPacketPolicy ? `${st?.inFlightPackets ?? 0} in flight` : `${pinned.length} VM${pinned.length === 1 ? '' : 's'} pinned`}`;
    v.btn.textContent = up[i] ? 'Fail link' : 'Restore link';
    v.btn.className = `btn small ${up[i] ? 'fail' : 'restore'}`;
  });
}

function render(): void {
  const nicName = new Map(run.stats.nics.map((n) => [n.index, n.name]));
  run.vmNames.forEach((name, i) => {
    const v = vmViews[i]!;
    const s = run.vmRate[i]!;
    v.rate.textContent = s.length ? fmtRate(s[s.length - 1]!) : '–';
    const st = run.stats.vms.find((x) => x.name === name);
    v.on.textContent = run.perPacketPolicy ? 'all NICs' : st?.nic == null ? 'no NIC' : `on ${nicName.get(st.nic)}`;
  });
  renderNics();
  vmChart?.setData([run.t, ...run.vmRate] as uPlot.AlignedData);
  nicChart?.setData([run.t, ...run.nicUtil] as uPlot.AlignedData);
  renderFilterCounts();
  $('st-time').textContent = `${(run.nowNs / 1e9).toFixed(2)} s`;
  $('st-speed').textContent = playing && speedEwma ? speedEwma.toFixed(2) : '–';
  $('st-pps').textContent = playing && ppsEwma ? formatPps(ppsEwma) : '–';
}

function formatPps(x: number): string { return x >= 1e6 ? `${(x / 1e6).toFixed(2)} M` : `${(x / 1e3).toFixed(0)} k`; }

function frame(): void {
  if (!run) return;
  run.config.frameMs = config.frameMs;
  run.advance();
  const wall = performance.now();
  if (lastFrameWall) {
    const ratio = config.frameMs / Math.max(1, wall - lastFrameWall);
    speedEwma = speedEwma ? speedEwma * 0.9 + ratio * 0.1 : ratio;
  }
  lastFrameWall = wall;
  const pkts = run.stats.nics.reduce((s, n) => s + n.sentPackets, 0);
  const pps = ((pkts - lastPackets) * 1e3) / config.frameMs;
  ppsEwma = ppsEwma ? ppsEwma * 0.9 + pps * 0.1 : pps;
  lastPackets = pkts;
  render();
}

function loop(): void {
  if (playing) frame();
  requestAnimationFrame(loop);
}

// ------------------------------------------------------------------ controls

function setPlaying(p: boolean): void {
  playing = p;
  const b = $('play');
  b.textContent = p ? 'Pause' : 'Play';
  b.setAttribute('aria-pressed', String(p));
  lastFrameWall = 0;
  if (run) render();
}

function wireControls(): void {
  const sel = $<HTMLSelectElement>('scenario');
  for (const [id, s] of Object.entries(DEMO_SCENARIOS)) { const o = el('option', undefined, s.label); o.value = id; sel.append(o); }
  sel.value = config.scenario;
  $<HTMLInputElement>('seed').value = String(config.seed);
  $<HTMLSelectElement>('speed').value = String(config.frameMs);
  $('play').addEventListener('click', () => setPlaying(!playing));
  $('step').addEventListener('click', () => { setPlaying(false); frame(); });
  $('reset').addEventListener('click', () => void start());
  sel.addEventListener('change', () => {
    config = { ...config, scenario: sel.value as DemoScenarioId, frameMs: sel.value === 'default' ? 10 : 20 };
    $<HTMLSelectElement>('speed').value = String(config.frameMs);
    void start();
  });
  $('seed').addEventListener('change', () => {
    const v = Math.floor(Number($<HTMLInputElement>('seed').value));
    if (Number.isInteger(v) && v >= 0) { config = { ...config, seed: v }; void start(); }
  });
  $('speed').addEventListener('change', () => { config = { ...config, frameMs: Number($<HTMLSelectElement>('speed').value) }; });
  $('fp-btn').addEventListener('click', async () => {
    $('fp').textContent = 'computing…';
    const fp = await engineFingerprint(createScheduler);
    $('fp').textContent = fp.hash;
  });
  new ResizeObserver(() => {
    vmChart?.setSize({ width: chartWidth('chart-vm'), height: 250 });
    nicChart?.setSize({ width: chartWidth('chart-nic'), height: 210 });
  }).observe($('chart-vm'));
}

// ------------------------------------------------------------------ test / console hooks

declare global {
  interface Window { nicteam: NicteamDemoHooks }
}
export interface NicteamDemoHooks {
  ready: boolean;
  run: () => DemoRun;
  /** The exact arrays the charts plot: x in s, VM rates in bit/s, NIC utilization 0..1. */
  data: () => { t: number[]; vms: Record<string, number[]>; nics: Record<string, number[]> };
  log: () => LogEntry[];
  play: () => void;
  pause: () => void;
  step: (frames?: number) => void;
  fingerprint: () => ReturnType<typeof engineFingerprint>;
  scriptedRun: typeof scriptedRun;
}

window.nicteam = {
  ready: false,
  run: () => run,
  data: () => {
    // read back from the chart instances: exactly what is drawn
    const v = vmChart!.data as number[][], n = nicChart!.data as number[][];
    return {
      t: v[0]!.slice(),
      vms: Object.fromEntries(run.vmNames.map((name, i) => [name, v[i + 1]!.slice()])),
      nics: Object.fromEntries(run.nicNames.map((name, i) => [name, n[i + 1]!.slice()])),
    };
  },
  log: () => run.log.map((e) => ({ ...e })),
  play: () => setPlaying(true),
  pause: () => setPlaying(false),
  step: (frames = 1) => { for (let i = 0; i < frames; i++) frame(); },
  fingerprint: () => engineFingerprint(createScheduler),
  scriptedRun,
};

const params = new URLSearchParams(location.search);
if (params.has('seed')) config.seed = Math.max(0, Math.floor(Number(params.get('seed')) || 0));
if (params.get('scenario') === 'default') config = { ...config, scenario: 'default', frameMs: 10 };
if (params.has('paused')) playing = false;
wireControls();
setPlaying(playing);
await start();
window.nicteam.ready = true;
requestAnimationFrame(loop);
