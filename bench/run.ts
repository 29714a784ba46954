// run.ts — `npm run bench`: the performance table of DESIGN §8, measured in one process.
//
// For every workload of the matrix (workloads.ts), side by side in this process:
//   - self-check: the Wasm engine and the TypeScript model run the same traffic
//     for the first few thousand packets and must make identical decisions;
//     on the first difference the bench prints it and exits 1 (no number is posted);
//   - throughput of each Wasm engine (tinybench; one sample = a chunk of whole
//     batches, ~4096 packets, far above the ~40 ns timer floor; median reported);
//   - the model on the same work (continuing the checked run), and the speed-of-
//     light loop (sol.ts) for the same batch size: ratios engine/model and engine/SoL;
//   - per-batch latency: every poll call timed with process.hrtime.bigint;
// and once, on the headline workload, allocation: JS heap (after a full GC) and
// Wasm memory before and after 10^7 packets, the GCs that ran meanwhile, and the
// JS bytes allocated per batch measured in GC-free windows.
// Prints a table and writes bench/results.json (bench/results.local.json for a
// partial run). The clock is virtual (advanced per batch), so the work is the same
// on every run; only the timings vary.
//
// Usage: npx tsx bench/run.ts [--only id,substr] [--quick] [--engine name=path.wasm ...]
//          [--no-default] [--no-model] [--no-alloc] [--no-headline] [--out file] [--time ms] [--rounds n]
//   the target verdicts come from a final pass that re-measures the 64-, 4096- and 16384-VM
//   headline rows interleaved (see headlinePass); --no-headline uses the table's rows instead
//   --engine name=PATH (PATH a .wasm file or `inline`)
//   adds a Wasm module to measure next to the inlined build (e.g. a prototype);
//   --rounds n measures the engines of a row n times, interleaved (A B A B ...), and reports
//   the median round plus, for each engine, the median paired ratio to the first engine —
//   the number to trust for a before/after on a noisy machine. Default 3: the row's time is
//   split into three measurements and the median posted, so a short burst of load from another
//   tenant moves one of them, not the figure.
//        node --expose-gc --import tsx bench/run.ts     (same; gc is enabled either way)

import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PerformanceObserver } from 'node:perf_hooks';
import { Bench } from 'tinybench';
import { MATRIX, describe, type Workload } from './workloads.js';
import { setupRow, parseEngine, Skip, Mismatch, type EngineSpec, type WasmRunner, type ModelRunner } from './harness.js';
import { SolRunner } from './sol.js';
import { machine, getGc } from './env.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const LINE_RATE_10G_64B = 14.88;

// ------------------------------------------------------------------ options

interface Options {
  only: string[]; quick: boolean; engines: EngineSpec[]; model: boolean; alloc: boolean; out?: string; timeMs: number; checkPackets: number;
  allocPackets: number; rounds: number; headline: boolean;
}

function parseArgs(argv: string[]): Options {
  const o: Options = { only: [], quick: false, engines: [], model: true, alloc: true, timeMs: 1000, checkPackets: 4096, allocPackets: 1e7, rounds: 3, headline: true };
  let defaultEngine = true;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const val = () => { const v = argv[++i]; if (v === undefined) throw new Error(`${a} needs a value`); return v; };
    if (a === '--only') o.only.push(...val().split(','));
    else if (a === '--quick') o.quick = true;
    else if (a === '--engine') {
      o.engines.push(parseEngine(val()));
    } else if (a === '--no-default') defaultEngine = false;
    else if (a === '--no-model') o.model = false;
    else if (a === '--no-alloc') o.alloc = false;
    else if (a === '--no-headline') o.headline = false;
    else if (a === '--out') o.out = val();
    else if (a === '--time') o.timeMs = Number(val());
    else if (a === '--alloc-packets') o.allocPackets = Number(val());
    else if (a === '--rounds') o.rounds = Math.max(1, Number(val()));
    else if (a === '--help' || a === '-h') { console.log(readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n').filter((l) => l.startsWith('//')).join('\n')); process.exit(0); }
    else throw new Error(`unknown option ${a}`);
  }
  if (defaultEngine) o.engines.unshift({ name: 'wasm' });
  if (o.quick) { o.timeMs = Math.min(o.timeMs, 300); o.checkPackets = 2048; o.allocPackets = Math.min(o.allocPackets, 1e6); }
  return o;
}

// ------------------------------------------------------------------ measuring

interface Throughput { mpps: number; nsPerPkt: number; samples: number; rmePct: number; pktsPerBatch: number }
interface EngineRow extends Throughput {
  engine: string; pollP50Us: number; pollP99Us: number; iterP50Us: number; iterP99Us: number;
  ratioModel: number | null; ratioSol: number;
  /** ns/pkt of each round, and the median of (this engine's ns/pkt / the first engine's) over rounds. */
  roundsNsPerPkt: number[]; vsFirst: number;
}
interface Row {
  id: string; desc: string; path: string; batch: number; vms: number; nics: number; policy: string; load: string;
  maxNics: number | null; headline: string | null; checkedPackets?: number;
  skipped?: string; engines?: EngineRow[]; model?: Throughput | null; sol?: Throughput;
}

const chunkFor = (batch: number) => Math.max(1, Math.round(4096 / batch));

/** Median-based throughput of `step` (one batch per call), from tinybench samples of `chunk` batches each. */
async function measure(name: string, step: () => number, batch: number, chunk: number, timeMs: number, warmMs: number,
  minIter: number, counters: () => { released: number; batches: number }): Promise<Throughput> {
  const bench = new Bench({ time: timeMs, warmupTime: warmMs, iterations: minIter, warmupIterations: Math.min(minIter, 3) });
  bench.add(name, () => { for (let k = 0; k < chunk; k++) step(); });
  const c0 = counters();
  await bench.run();
  const c1 = counters();
  const t = bench.tasks[0]!;
  const res = t.result as { state: string; latency?: { p50: number; rme: number; samplesCount: number }; error?: Error };
  if (!res.latency) throw res.error ?? new Error(`${name}: no result (${res.state})`);
  const pktsPerBatch = c1.batches > c0.batches ? (c1.released - c0.released) / (c1.batches - c0.batches) : batch;
  const pkts = pktsPerBatch * chunk;
  const sec = res.latency.p50 / 1e3;
  return { mpps: pkts / sec / 1e6, nsPerPkt: (sec * 1e9) / pkts, samples: res.latency.samplesCount, rmePct: res.latency.rme, pktsPerBatch };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

function pct(sorted: Float64Array, p: number): number { return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!; }

function latency(r: WasmRunner, batches: number) {
  const poll = new Float64Array(batches), iter = new Float64Array(batches);
  r.latency(Math.min(200, batches), poll, iter); // warm the timed loop
  r.latency(batches, poll, iter);
  poll.sort(); iter.sort();
  return { pollP50Us: pct(poll, 0.5) / 1e3, pollP99Us: pct(poll, 0.99) / 1e3, iterP50Us: pct(iter, 0.5) / 1e3, iterP99Us: pct(iter, 0.99) / 1e3 };
}

const solCache = new Map<string, Throughput>();
async function solFor(batch: number, nics: number, o: Options): Promise<Throughput> {
  const key = `${batch}/${nics}`;
  let t = solCache.get(key);
  if (!t) {
    const sol = await SolRunner.create(batch, nics, 64);
    let released = 0, batches = 0;
    t = await measure('sol', () => { released += sol.step(); batches++; return 0; }, batch, chunkFor(batch), Math.round(o.timeMs / 2), 100, 16, () => ({ released, batches }));
    solCache.set(key, t);
  }
  return t;
}

async function runRow(wl: Workload, o: Options): Promise<Row> {
  const row: Row = {
    id: wl.id, desc: describe(wl), path: wl.path, batch: wl.batch, vms: wl.vms, nics: wl.nics, policy: wl.policy.name, load: wl.load,
    maxNics: wl.maxNics ?? null, headline: wl.headline ?? null,
  };
  let runners: WasmRunner[], model: ModelRunner;
  try {
    const s = await setupRow(wl, o.engines, o.checkPackets);
    runners = s.runners; model = s.model; row.checkedPackets = s.checked;
  } catch (e) {
    if (e instanceof Skip) { row.skipped = e.message; return row; }
    throw e;
  }
  const chunk = chunkFor(wl.batch);
  const sol = await solFor(wl.batch, wl.nics, o);
  row.sol = sol;
  row.model = null;
  if (o.model) {
    const mt = Math.max(300, Math.round(o.timeMs * 0.6));
    row.model = await measure('model', () => model.step(), wl.batch, 1, mt, 50, 3, () => ({ released: model.released, batches: model.batches }));
  }
  row.engines = [];
  const per: Throughput[][] = runners.map(() => []);
  for (let round = 0; round < o.rounds; round++) {
    for (let k = 0; k < runners.length; k++) {
      const r = runners[k]!;
      per[k]!.push(await measure(r.engine, () => r.step(), wl.batch, chunk, Math.round(o.timeMs / o.rounds), round === 0 ? 200 : 50, 16,
        () => ({ released: r.released, batches: r.batches })));
    }
  }
  for (let k = 0; k < runners.length; k++) {
    const r = runners[k]!;
    const rounds = per[k]!;
    const mid = [...rounds].sort((a, b) => a.nsPerPkt - b.nsPerPkt)[(rounds.length - 1) >> 1]!;
    const lat = latency(r, o.quick ? 500 : 2000);
    const vsFirst = median(rounds.map((t, i) => t.nsPerPkt / per[0]![i]!.nsPerPkt));
    row.engines.push({
      engine: r.engine, ...mid, ...lat, ratioModel: row.model ? mid.mpps / row.model.mpps : null, ratioSol: mid.nsPerPkt / sol.nsPerPkt,
      roundsNsPerPkt: rounds.map((t) => t.nsPerPkt), vsFirst,
    });
  }
  return row;
}

// ------------------------------------------------------------------ allocation

interface AllocResult {
  workload: string; engine: string; packets: number; seconds: number;
  heapBefore: number; heapAfter: number; heapDelta: number;
  wasmBefore: number; wasmAfter: number; wasmDelta: number;
  gcsDuringRun: number; allocBytesPerBatch: number; allocWindows: number;
}

async function allocTest(o: Options, gc: () => void): Promise<AllocResult> {
  const wl = MATRIX[0]!;
  const engine = o.engines[0]!;
  const { runners } = await setupRow(wl, [engine], 1024);
  const r = runners[0]!;
  for (let i = 0; i < 3000; i++) r.step(); // warm
  // JS bytes per batch in GC-free windows (heapUsed only grows between GCs)
  const W = 256, windows = 24;
  r.f.precomputeTimes(W * windows);
  const per: number[] = [];
  // ALLOC_DEBUG=1: print every window and write a sampling heap profile of them (bench/heap-profile-summary.ts reads it)
  let sess: import('node:inspector').Session | null = null;
  if (process.env.ALLOC_DEBUG) {
    const insp = await import('node:inspector');
    sess = new insp.Session(); sess.connect();
    await new Promise((res) => sess!.post('HeapProfiler.startSampling', { samplingInterval: 16 }, res));
  }
  for (let k = 0; k < windows; k++) {
    const h0 = process.memoryUsage().heapUsed;
    for (let i = 0; i < W; i++) r.step();
    const h1 = process.memoryUsage().heapUsed;
    if (h1 >= h0) per.push((h1 - h0) / W);
  }
  r.f.stopTimes();
  per.sort((a, b) => a - b);
  if (process.env.ALLOC_DEBUG) {
    console.log('per-window B/batch', per.map((x) => x.toFixed(0)).join(' '));
    const prof = await new Promise<any>((res) => sess!.post('HeapProfiler.stopSampling', (_e: unknown, r: any) => res(r.profile)));
    writeFileSync('/tmp/alloc.heapprofile', JSON.stringify(prof));
  }
  // 10^7 packets
  const batches = Math.ceil(o.allocPackets / wl.batch);
  r.f.precomputeTimes(batches);
  let gcs = 0;
  const obs = new PerformanceObserver((list) => { gcs += list.getEntries().length; });
  gc(); gc();
  const heapBefore = process.memoryUsage().heapUsed, wasmBefore = r.s.memoryBytes;
  obs.observe({ entryTypes: ['gc'] });
  const rel0 = r.released;
  const t0 = process.hrtime.bigint();
  for (let b = 0; b < batches; b++) r.step();
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const packets = r.released - rel0;
  await new Promise((res) => setImmediate(res));
  obs.disconnect();
  r.f.stopTimes();
  r.f.times = null;
  gc(); gc();
  const heapAfter = process.memoryUsage().heapUsed, wasmAfter = r.s.memoryBytes;
  return {
    workload: wl.id, engine: engine.name, packets, seconds, heapBefore, heapAfter, heapDelta: heapAfter - heapBefore,
    wasmBefore, wasmAfter, wasmDelta: wasmAfter - wasmBefore, gcsDuringRun: gcs,
    allocBytesPerBatch: per.length ? per[per.length >> 1]! : NaN, allocWindows: per.length,
  };
}

// ------------------------------------------------------------------ headline pass

interface HeadlinePass { rounds: number; msPerRound: number; nsPerPkt: { vms64: number; vms4096: number; vms16384: number }; growth: number; roundsNsPerPkt: number[][] }

/**
 * The targets compare rows measured minutes apart, and the host's load comes in
 * bursts longer than a row: one burst on the 64-VM row alone can halve the
 * growth ratio or double it. So the three headline rows (64, 4096, 16384 VMs,
 * first engine) are set up together (each passing the self-check again) and
 * measured interleaved, 64 → 4096 → 16384 → 64 …, over several rounds; the
 * verdicts use each row's median round and the median of the per-round growth
 * ratios, so a burst moves one round of each, not the verdict.
 */
async function headlinePass(o: Options): Promise<HeadlinePass | null> {
  const wls = [MATRIX[0]!, MATRIX[1]!, MATRIX[2]!];
  const runners: WasmRunner[] = [];
  for (const wl of wls) {
    try { runners.push((await setupRow(wl, [o.engines[0]!], o.checkPackets)).runners[0]!); } catch (e) { if (e instanceof Skip) return null; throw e; }
  }
  const rounds = o.quick ? 3 : 7, ms = Math.round((o.quick ? 900 : 2800) / rounds);
  const per: number[][] = wls.map(() => []);
  for (let round = 0; round < rounds; round++) {
    for (let k = 0; k < wls.length; k++) {
      const r = runners[k]!;
      per[k]!.push((await measure(r.engine, () => r.step(), wls[k]!.batch, chunkFor(wls[k]!.batch), ms, round === 0 ? 200 : 30, 16,
        () => ({ released: r.released, batches: r.batches }))).nsPerPkt);
    }
  }
  return {
    rounds, msPerRound: ms, roundsNsPerPkt: per,
    nsPerPkt: { vms64: median(per[0]!), vms4096: median(per[1]!), vms16384: median(per[2]!) },
    growth: median(per[2]!.map((x, i) => x / per[0]![i]!)),
  };
}

// ------------------------------------------------------------------ output

const f1 = (x: number) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));
const pad = (s: string, n: number) => (s.length >= n ? s : s + ' '.repeat(n - s.length));
const lpad = (s: string, n: number) => (s.length >= n ? s : ' '.repeat(n - s.length) + s);

const HEAD = `${pad('workload', 44)} ${pad('engine', 8)} ${lpad('Mpps', 7)} ${lpad('ns/pkt', 7)} ${lpad('model Mpps', 10)} ${lpad('x model', 8)} ${lpad('SoL ns', 7)} ${lpad('/SoL', 6)} ${lpad('poll p50 us', 11)} ${lpad('p99 us', 7)} ${lpad('vs 1st', 7)}`;

function rowLines(r: Row): string[] {
  if (r.skipped) return [`${pad(r.desc, 44)} skipped: ${r.skipped}`];
  return r.engines!.map((e) => [
    pad(r.desc, 44), pad(e.engine, 8), lpad(f1(e.mpps), 7), lpad(f1(e.nsPerPkt), 7),
    lpad(r.model ? (r.model.mpps < 0.1 ? r.model.mpps.toPrecision(2) : f1(r.model.mpps)) : '-', 10),
    lpad(e.ratioModel === null ? '-' : `${f1(e.ratioModel)}x`, 8),
    lpad(f1(r.sol!.nsPerPkt), 7), lpad(`${f1(e.ratioSol)}x`, 6),
    lpad(f1(e.pollP50Us), 11), lpad(f1(e.pollP99Us), 7), lpad(r.engines!.length > 1 ? `${e.vsFirst.toFixed(3)}` : '', 7),
  ].join(' '));
}

function targets(rows: Row[], hp: HeadlinePass | null): string[] {
  const get = (id: string) => rows.find((r) => r.id === id && !r.skipped)?.engines?.[0];
  const out: string[] = [];
  // the headline pass, when it ran, decides the three headline verdicts (see headlinePass)
  const fromNs = (ns: number) => ({ nsPerPkt: ns, mpps: 1e3 / ns });
  const h = hp ? fromNs(hp.nsPerPkt.vms64) : get(MATRIX[0]!.id), k4 = hp ? fromNs(hp.nsPerPkt.vms4096) : get(MATRIX[1]!.id), k16 = hp ? fromNs(hp.nsPerPkt.vms16384) : get(MATRIX[2]!.id);
  if (hp) out.push(`headline rows re-measured interleaved (${hp.rounds} rounds of ${hp.msPerRound} ms, median round; growth: median of per-round ratios):`);
  const mark = (ok: boolean) => (ok ? 'meets' : 'MISSES');
  const a64 = get(MATRIX[3]!.id), a4 = get(MATRIX[4]!.id);
  if (h) out.push(`64 VMs/4 NICs full pipeline b256, frames in place: ${f1(h.mpps)} Mpps — ${mark(h.mpps >= 15)} >= 15 Mpps; 10GbE 64 B line rate is ${LINE_RATE_10G_64B} Mpps (${f1(h.mpps / LINE_RATE_10G_64B)}x)`);
  if (k4) out.push(`4096 VMs: ${f1(k4.mpps)} Mpps — ${mark(k4.mpps >= 10)} >= 10 Mpps`);
  if (a64) out.push(`  (frames copied in from an array: ${f1(a64.mpps)} Mpps at 64 VMs${a4 ? `, ${f1(a4.mpps)} Mpps at 4096 VMs` : ''})`);
  const d4 = get('desc-b256-4096vm-4nic-rr-bl');
  if (d4) out.push(`  (pre-classified, zero-copy, 4096 VMs: ${f1(d4.mpps)} Mpps — ${mark(d4.mpps >= 10)} >= 10 Mpps)`);
  const growth = hp ? hp.growth : h && k16 ? k16.nsPerPkt / h.nsPerPkt : null;
  if (h && k16 && growth !== null) out.push(`cost 64 -> 16384 VMs: ${f1(h.nsPerPkt)} -> ${f1(k16.nsPerPkt)} ns/pkt = ${f1(growth)}x — ${mark(growth <= 2)} <= 2x`);
  const ratios = rows.flatMap((r) => (r.engines ?? []).filter((e) => e.engine === rows.find((x) => x.engines)?.engines?.[0]?.engine).map((e) => e.ratioModel)).filter((x): x is number => x !== null);
  if (ratios.length) out.push(`engine/model: min ${f1(Math.min(...ratios))}x, max ${f1(Math.max(...ratios))}x over ${ratios.length} rows — ${mark(Math.min(...ratios) >= 2)} >= 2x`);
  return out;
}

// ------------------------------------------------------------------ main

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  const gc = getGc();
  const m = machine();
  const rowsToRun = o.only.length ? MATRIX.filter((w) => o.only.some((s) => w.id.includes(s))) : MATRIX;
  const partial = o.only.length > 0 || o.quick || o.engines.some((e) => e.wasm) || !o.model || !o.alloc;
  const out = o.out ?? resolve(root, partial ? 'bench/results.local.json' : 'bench/results.json');
  console.log(`nicteam bench — ${m.cpu}, ${m.cores} cores, Node ${m.node}, ${m.os}`);
  console.log(`engines: ${o.engines.map((e) => e.name).join(', ')}; ${rowsToRun.length} workloads; 64-byte frames; self-check ${o.checkPackets} packets per row against the model`);
  console.log(`Mpps and ns/pkt are medians; x model = engine Mpps / model Mpps; /SoL = engine ns/pkt / speed-of-light ns/pkt (same batch)\n`);
  console.log(HEAD);
  const t0 = Date.now();
  const rows: Row[] = [];
  for (const wl of rowsToRun) {
    const row = await runRow(wl, o);
    rows.push(row);
    for (const l of rowLines(row)) console.log(l);
    gc();
  }
  let alloc: AllocResult | null = null;
  if (o.alloc) {
    alloc = await allocTest(o, gc);
    console.log(`\nallocation over ${(alloc.packets / 1e6).toFixed(1)}M packets (${alloc.workload}, ${alloc.seconds.toFixed(2)} s): ` +
      `JS heap ${alloc.heapDelta >= 0 ? '+' : ''}${alloc.heapDelta} B after full GC, Wasm memory ${alloc.wasmDelta >= 0 ? '+' : ''}${alloc.wasmDelta} B ` +
      `(${alloc.wasmAfter} B), ${alloc.gcsDuringRun} GCs during the run, ~${Math.round(alloc.allocBytesPerBatch)} B of short-lived JS garbage per batch`);
  }
  const heads = [MATRIX[0]!, MATRIX[1]!, MATRIX[2]!];
  const hp = o.headline && heads.every((w) => rowsToRun.includes(w)) ? await headlinePass(o) : null;
  console.log('');
  for (const l of targets(rows, hp)) console.log(l);
  const json = {
    machine: m,
    settings: { frameBytes: 64, nicSpeedBps: 10e9, timeMsPerEngine: o.timeMs, checkPackets: o.checkPackets, engines: o.engines.map((e) => e.name), quick: o.quick, lineRate10G64BMpps: LINE_RATE_10G_64B },
    rows, alloc, headlinePass: hp, targets: targets(rows, hp), elapsedSeconds: (Date.now() - t0) / 1000,
  };
  writeFileSync(out, JSON.stringify(json, null, 2) + '\n');
  console.log(`\nwrote ${out} (${json.elapsedSeconds.toFixed(0)} s)`);
}

main().catch((e) => {
  if (e instanceof Mismatch) {
    console.error(`\nSELF-CHECK FAILED — no numbers posted.\n${e.message}`);
    process.exit(1);
  }
  console.error(e);
  process.exit(2);
});
