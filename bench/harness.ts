// harness.ts — builds a workload's engines and drives them batch by batch.
//
// One iteration of the host loop (what every throughput number measures):
//   enqueue a batch (raw frames through enqueueFrames, or descriptors through
//   enqueue), poll once at the same virtual time, count the decisions per NIC
//   and report them back with completed(nic, count) — completions are part of
//   the host's loop, and without them NICs stay full.
// The traffic (Feed) is a pure function of the decisions already released, so
// the Wasm engine and the TypeScript model stay in lockstep as long as they
// agree; the self-check runs both over the first few thousand packets and
// requires identical statuses, classifications, decisions and wake times.
// The Wasm runner's loop allocates nothing itself: typed arrays and per-size
// views are made once, frames are built once per (VM, flow), the clock is a
// number of ns turned into a bigint per batch (or read from a precomputed list
// for the allocation test, so the harness adds no garbage of its own).

import { readFileSync } from 'node:fs';
import { createScheduler, type RawBuffers, type Scheduler } from '../src/index.js';
import { resolveCapacity, type ResolvedCapacity, type ResolvedVm } from '../src/api/config.js';
import { buildFrame } from '../src/frames/build.js';
import { ModelEngine, POLICY, NIL } from '../test/model/engine.js';
import { parseFrame as modelParse } from '../test/model/parse.js';
import {
  FLOWS_PER_VM, FRAME_BYTES, LIGHT_LOAD, NIC_SPEED_BPS, QUEUE_DEPTH, QUEUE_PACKETS, WIRE_BYTES,
  vmSpecs, type Workload,
} from './workloads.js';

/** An engine variant to measure: the library's inlined build, or module bytes (e.g. a prototype). */
export interface EngineSpec {
  name: string;
  wasm?: Uint8Array;
}

/** `name=PATH`: PATH is a .wasm file, or `inline` for the library's own build. */
export function parseEngine(arg: string): EngineSpec {
  const eq = arg.indexOf('=');
  if (eq <= 0) throw new Error(`--engine expects name=path/to/module.wasm, got ${arg}`);
  const path = arg.slice(eq + 1);
  const e: EngineSpec = { name: arg.slice(0, eq) };
  if (path && path !== 'inline') e.wasm = new Uint8Array(readFileSync(path));
  return e;
}

/** The row cannot run with this engine/model (e.g. a policy not implemented yet). */
export class Skip extends Error {}
/** Engine and model disagree: the bench must not post a number. */
export class Mismatch extends Error {}

// ------------------------------------------------------------------ traffic

/** Per-workload traffic data shared by every engine of a row (frames are built once). */
export class Traffic {
  readonly frames: Uint8Array[] = [];   // [vm * FLOWS_PER_VM + flow]
  readonly hashes: Uint32Array;        // flow hash per (vm, flow), for the pre-classified path
  constructor(readonly wl: Workload) {
    const n = wl.vms;
    this.hashes = new Uint32Array(n * FLOWS_PER_VM);
    const specs = vmSpecs(n, teamBps(wl));
    for (let vm = 0; vm < n; vm++) {
      for (let f = 0; f < FLOWS_PER_VM; f++) {
        this.frames.push(buildFrame({
          dst: '02:ff:00:00:00:01', src: specs[vm]!.mac,
          ipv4: { src: `10.${(vm >> 16) & 255}.${(vm >> 8) & 255}.${vm & 255}`, dst: '192.0.2.1' },
          l4: { proto: 'udp', sport: 10_000 + f, dport: 4789 },
          length: FRAME_BYTES,
        }));
        let h = Math.imul(vm * FLOWS_PER_VM + f + 1, 0x9e3779b1);
        h ^= h >>> 15;
        this.hashes[vm * FLOWS_PER_VM + f] = h >>> 0;
      }
    }
  }
}

export function teamBps(wl: Workload): number { return wl.nics * NIC_SPEED_BPS; }

/** Virtual ns the clock advances per batch. */
export function stepNs(wl: Workload): number {
  const wire = (wl.batch * WIRE_BYTES * 8 * 1e9) / teamBps(wl);
  return Math.max(1, Math.round(wl.load === 'light' ? wire * LIGHT_LOAD : wire));
}

/**
 * The host's side of the traffic: what the next batch contains. Backlogged:
 * a ring of VMs owed one refill per released packet. Light: VMs in rotation.
 */
export class Feed {
  readonly B: number;
  readonly full: boolean;
  readonly backlogged: boolean;
  readonly vms: Uint32Array; readonly lens: Uint32Array; readonly handles: Uint32Array; readonly hashes: Uint32Array;
  /** framesBy[n] has length n (enqueueFrames takes the batch size from the array length). */
  readonly framesBy: Uint8Array[][] = [];
  readonly vmsBy: Uint32Array[] = [];
  readonly lensBy: Uint32Array[] = [];
  private readonly ring: Uint32Array; private readonly ringMask: number;
  private head = 0; private tail = 0;
  private cursor = 0;
  private handle = 0;
  timeNs = 1_000_000;
  readonly step: number;
  /** When set, now() reads these instead of making a bigint (allocation test). */
  times: bigint[] | null = null;
  private tIndex = 0;
  /**
   * Ring path, Wasm runner: the frames sit in the engine's frame buffer at
   * (vm * FLOWS_PER_VM + flow) * FRAME_BYTES, lengths are constant, so a packet
   * costs the host one offset and one handle written straight into Wasm memory.
   */
  private raw: RawBuffers | null = null;

  constructor(readonly wl: Workload, readonly traffic: Traffic) {
    const B = (this.B = wl.batch);
    this.full = wl.path === 'full' || wl.path === 'ring';
    this.backlogged = wl.load === 'backlogged';
    this.vms = new Uint32Array(B); this.lens = new Uint32Array(B).fill(FRAME_BYTES);
    this.handles = new Uint32Array(B); this.hashes = new Uint32Array(B);
    for (let n = 0; n <= B; n++) {
      this.framesBy.push(new Array<Uint8Array>(n).fill(traffic.frames[0]!));
      this.vmsBy.push(this.vms.subarray(0, n));
      this.lensBy.push(this.lens.subarray(0, n));
    }
    let cap = 1;
    while (cap < wl.vms * QUEUE_DEPTH + 4 * B) cap *= 2;
    this.ring = new Uint32Array(cap); this.ringMask = cap - 1;
    this.step = stepNs(wl);
  }

  /**
   * Zero-copy paths: put() writes descriptors straight into the engine's columns.
   * Ring: every (VM, flow) frame is staged into the engine's frame buffer once first.
   */
  useRaw(raw: RawBuffers): void {
    if (this.wl.path === 'desc') { raw.lengths.fill(FRAME_BYTES); this.raw = raw; return; }
    const frames = this.traffic.frames;
    if (frames.length * FRAME_BYTES > raw.frames.length) throw new Error(`frame buffer of ${raw.frames.length} B cannot hold ${frames.length} frames`);
    for (let k = 0; k < frames.length; k++) raw.frames.set(frames[k]!, k * FRAME_BYTES);
    raw.capturedLengths.fill(FRAME_BYTES); raw.lengths.fill(FRAME_BYTES);
    this.raw = raw;
  }

  private put(i: number, vm: number): void {
    const h = this.handle++ >>> 0;
    const k = vm * FLOWS_PER_VM + (h & (FLOWS_PER_VM - 1));
    const raw = this.raw;
    if (raw !== null) {
      if (this.full) raw.offsets[i] = k * FRAME_BYTES;
      else { raw.vms[i] = vm; raw.flowHashes[i] = this.traffic.hashes[k]!; }
      raw.handles[i] = h;
      return;
    }
    this.vms[i] = vm; this.handles[i] = h; this.hashes[i] = this.traffic.hashes[k]!;
    if (this.full) this.framesBy[this.nLast]![i] = this.traffic.frames[k]!;
  }
  private nLast = 0;

  /** Prefill batch number k for a backlogged workload (QUEUE_DEPTH packets per VM); returns its size or 0 when done. */
  prefill(k: number): number {
    const total = this.wl.vms * QUEUE_DEPTH;
    const start = k * this.B;
    if (!this.backlogged || start >= total) return 0;
    const n = (this.nLast = Math.min(this.B, total - start));
    for (let i = 0; i < n; i++) this.put(i, (start + i) % this.wl.vms);
    return n;
  }

  /** Fills the next batch; returns its size. */
  fill(): number {
    const B = this.B;
    if (this.backlogged) {
      const avail = (this.tail - this.head) | 0;
      const n = (this.nLast = avail < B ? avail : B);
      for (let i = 0; i < n; i++) { this.put(i, this.ring[this.head & this.ringMask]!); this.head = (this.head + 1) | 0; }
      return n;
    }
    this.nLast = B;
    const N = this.wl.vms;
    for (let i = 0; i < B; i++) { this.put(i, this.cursor); this.cursor = this.cursor + 1 === N ? 0 : this.cursor + 1; }
    return B;
  }

  /** A decision for `vm` came out: backlogged hosts refill that VM. */
  released(vm: number): void {
    if (this.backlogged) { this.ring[this.tail & this.ringMask] = vm; this.tail = (this.tail + 1) | 0; }
  }

  /** Advances the virtual clock by one batch and returns it. */
  now(): bigint {
    this.timeNs += this.step;
    if (this.times !== null) return this.times[this.tIndex++]!;
    return BigInt(this.timeNs);
  }

  /** Precomputes the next `batches` clock values (so the measured loop allocates no bigints of its own). */
  precomputeTimes(batches: number): void {
    const t: bigint[] = new Array(batches);
    for (let i = 0; i < batches; i++) t[i] = BigInt(this.timeNs + (i + 1) * this.step);
    this.times = t; this.tIndex = 0;
  }
  stopTimes(): void { this.times = null; }
}

// ------------------------------------------------------------------ a record of one step, for the self-check

export interface StepRecord {
  statuses: number[]; classified: number[];
  decisions: number[];   // flattened (handle, nic, vm, len)
  wake: bigint | null;
  completed: number[];   // (nic, count returned)
}
const newRecord = (): StepRecord => ({ statuses: [], classified: [], decisions: [], wake: null, completed: [] });

// ------------------------------------------------------------------ runners

/** What the Wasm and the model runner share: a feed, a way to enqueue one batch, the prefill. */
abstract class Runner {
  abstract readonly f: Feed;
  protected abstract enqueueBatch(n: number, now: bigint, rec: StepRecord | null): void;

  /** Prefill step k (backlogged); returns false when the prefill is complete. */
  prefill(k: number, rec: StepRecord | null = null): boolean {
    const n = this.f.prefill(k);
    if (n === 0) return false;
    this.enqueueBatch(n, this.f.now(), rec);
    return true;
  }
}

// ------------------------------------------------------------------ Wasm runner

function capacityOf(wl: Workload) {
  // ring: the frame buffer holds every (VM, flow) frame, as a host's mapped ring would
  const ring = wl.path === 'ring' ? { frameBufferBytes: Math.max(wl.batch * 2048, wl.vms * FLOWS_PER_VM * FRAME_BYTES) } : {};
  return { maxVms: wl.vms, queuePackets: QUEUE_PACKETS, batchSize: wl.batch, ...ring, ...(wl.maxNics ? { maxNics: wl.maxNics } : {}) };
}

export class WasmRunner extends Runner {
  readonly cnt: Uint32Array;
  released = 0;
  batches = 0;
  private readonly raw: Scheduler['rawBuffers'];
  private constructor(readonly s: Scheduler, readonly f: Feed, readonly engine: string) {
    super();
    this.cnt = new Uint32Array(s.capacity.maxNics);
    this.raw = s.rawBuffers;
  }

  static async create(wl: Workload, traffic: Traffic, engine: EngineSpec): Promise<WasmRunner> {
    let s: Scheduler;
    try {
      s = await createScheduler({
        nics: Array.from({ length: wl.nics }, (_, i) => ({ name: `vmnic${i}`, speed: NIC_SPEED_BPS })),
        teaming: wl.policy.teaming as never,
        capacity: capacityOf(wl),
        clock: () => 0n,
      }, engine.wasm ? { wasm: engine.wasm } : undefined);
    } catch (e) {
      const err = e as { code?: string; field?: string; message: string };
      if (err.field?.startsWith('teaming') || /policy|hash/i.test(err.message))
        throw new Skip(`createScheduler rejects teaming ${JSON.stringify(wl.policy.teaming)}: ${err.message}`);
      throw e;
    }
    for (const v of vmSpecs(wl.vms, teamBps(wl))) s.addVm(v, 0n);
    const r = new WasmRunner(s, new Feed(wl, traffic), engine.name);
    if (wl.path === 'ring' || wl.path === 'desc') r.f.useRaw(r.raw);
    return r;
  }

  protected enqueueBatch(n: number, now: bigint, rec: StepRecord | null): void {
    const f = this.f, s = this.s;
    if (f.wl.path === 'ring' || f.wl.path === 'desc') {
      if (f.full) s.enqueueWrittenFrames(n, now); else s.enqueueWritten(n, now);
      if (rec) for (let i = 0; i < n; i++) { rec.statuses.push(this.raw.statuses[i]!); rec.classified.push(this.raw.vms[i]!); }
    } else if (f.full) {
      const e = s.enqueueFrames(f.framesBy[n]!, f.handles, undefined, now);
      if (rec) for (let i = 0; i < n; i++) { rec.statuses.push(e.statuses[i]!); rec.classified.push(e.vms[i]!); }
    } else {
      const e = s.enqueue(f.vmsBy[n]!, f.lensBy[n]!, f.handles, f.hashes, now);
      if (rec) for (let i = 0; i < n; i++) { rec.statuses.push(e.statuses[i]!); rec.classified.push(f.vms[i]!); }
    }
  }

  /** One host iteration: enqueue a batch, poll, complete. Returns the decisions released. */
  step(rec: StepRecord | null = null): number {
    const f = this.f, s = this.s, cnt = this.cnt;
    const n = f.fill();
    const now = f.now();
    if (n > 0) this.enqueueBatch(n, now, rec);
    const r = s.poll(now);
    const c = r.count;
    const nics = r.nics, vms = r.vms;
    for (let i = 0; i < c; i++) { cnt[nics[i]!]!++; f.released(vms[i]!); }
    if (rec) {
      for (let i = 0; i < c; i++) rec.decisions.push(r.handles[i]!, nics[i]!, vms[i]!, r.lengths[i]!);
      rec.wake = r.nextWakeNs;
    }
    for (let k = 0; k < cnt.length; k++) {
      const m = cnt[k]!;
      if (m !== 0) { const done = s.completed(k, m); cnt[k] = 0; if (rec) rec.completed.push(k, done); }
    }
    this.released += c; this.batches++;
    return c;
  }

  /** Times every poll call (ns) over `batches` iterations; the rest of the loop runs untimed. */
  latency(batches: number, poll: Float64Array, iter: Float64Array): void {
    const f = this.f, s = this.s, cnt = this.cnt;
    const hr = process.hrtime.bigint;
    for (let b = 0; b < batches; b++) {
      const t0 = hr();
      const n = f.fill();
      const now = f.now();
      if (n > 0) this.enqueueBatch(n, now, null);
      const t1 = hr();
      const r = s.poll(now);
      const t2 = hr();
      const c = r.count;
      for (let i = 0; i < c; i++) { cnt[r.nics[i]!]!++; f.released(r.vms[i]!); }
      for (let k = 0; k < cnt.length; k++) if (cnt[k] !== 0) { s.completed(k, cnt[k]!); cnt[k] = 0; }
      const t3 = hr();
      poll[b] = Number(t2 - t1); iter[b] = Number(t3 - t0);
      this.released += c; this.batches++;
    }
  }
}

// ------------------------------------------------------------------ model runner

/** The TypeScript model on the same work: idiomatic classification (reference parser + Map) and ModelEngine. */
export class ModelRunner extends Runner {
  released = 0;
  batches = 0;
  private readonly macToVm = new Map<string, number>();
  private constructor(readonly m: ModelEngine, readonly f: Feed, readonly cap: ResolvedCapacity) { super(); }

  /** The reference flow hash (test/model/hash.ts), when the tree has one. */
  private hashOf: ((p: ReturnType<typeof modelParse>) => number) | null = null;

  /** vmConfig: the resolved config of VM i as the Wasm side filled it in (NIC order, MAC hash, ...), like test/support/pair.ts. */
  static async create(wl: Workload, traffic: Traffic, inFlightLimits: number[], vmConfig: (i: number) => ResolvedVm): Promise<ModelRunner> {
    const code = (POLICY as Record<string, number>)[wl.policy.teaming.policy];
    if (code === undefined) throw new Skip(`the model (test/model/engine.ts) has no policy "${wl.policy.teaming.policy}"`);
    const cap = resolveCapacity(capacityOf(wl) as never, wl.nics);
    const m = new ModelEngine({ maxVms: cap.maxVms, maxNics: cap.maxNics, poolPackets: cap.poolPackets, batchSize: cap.batchSize, eventCapacity: cap.eventCapacity, mtu: cap.mtu, flowletSlots: cap.flowletSlots }, code, true);
    for (let i = 0; i < wl.nics; i++) m.nicSet(i, NIC_SPEED_BPS, inFlightLimits[i]!, true);
    const r = new ModelRunner(m, new Feed(wl, traffic), cap);
    const hashMod = await import('../test/model/hash.js' as string).catch(() => null) as
      { flowHash(p: unknown, mode: string): number | null } | null;
    const mode = wl.policy.teaming.hash ?? 'l3+4';
    if (hashMod) r.hashOf = (p) => hashMod.flowHash(p, mode) ?? 0;
    else if (/hash|flowlet/.test(wl.policy.teaming.policy)) throw new Skip('the model has no reference flow hash (test/model/hash.ts) to check a hash policy against');
    let i = 0;
    for (const v of vmSpecs(wl.vms, teamBps(wl))) {
      const id = m.addVm(vmConfig(i++), 0n);
      m.events.length = 0;
      r.macToVm.set(v.mac, id);
    }
    return r;
  }

  protected enqueueBatch(n: number, now: bigint, rec: StepRecord | null): void {
    const f = this.f, m = this.m;
    const vms: number[] = [], lens: number[] = [], handles: number[] = [], hashes: number[] = [];
    const statuses: number[] = new Array(n);
    const slot: number[] = [];
    for (let i = 0; i < n; i++) {
      let vm = f.vms[i]!;
      let hash = f.hashes[i]!;
      if (f.full) {
        const p = modelParse(f.framesBy[n]![i]!);
        if (p.status !== 'ok') { statuses[i] = 4; if (rec) rec.classified.push(NIL); continue; }
        vm = this.macToVm.get(p.srcMac) ?? NIL;
        hash = this.hashOf ? this.hashOf(p) : 0;
      }
      if (rec) rec.classified.push(vm);
      if (vm === NIL) { statuses[i] = 2; m.team.unknownVm++; continue; }
      vms.push(vm); lens.push(f.lens[i]!); handles.push(f.handles[i]!); hashes.push(hash); slot.push(i);
    }
    const st = m.enqueue(vms, lens, handles, hashes, now);
    st.forEach((s, k) => { statuses[slot[k]!] = s; });
    m.events.length = 0; m.eventsLost = 0;
    if (rec) rec.statuses.push(...statuses);
  }

  step(rec: StepRecord | null = null): number {
    const f = this.f, m = this.m;
    const n = f.fill();
    const now = f.now();
    if (n > 0) this.enqueueBatch(n, now, rec);
    const ds = m.poll(now, this.cap.batchSize);
    m.events.length = 0; m.eventsLost = 0;
    const per = new Map<number, number>();
    for (const d of ds) { per.set(d.nic, (per.get(d.nic) ?? 0) + 1); f.released(d.vm); }
    if (rec) { for (const d of ds) rec.decisions.push(d.handle, d.nic, d.vm, d.len); rec.wake = m.nextWake; }
    for (const nic of [...per.keys()].sort((a, b) => a - b)) {
      const done = m.completed(nic, per.get(nic)!);
      if (rec) rec.completed.push(nic, done);
    }
    this.released += ds.length; this.batches++;
    return ds.length;
  }
}

// ------------------------------------------------------------------ self-check

export interface Trace { prefill: StepRecord[]; steps: StepRecord[]; packets: number }

/** Runs the model over the prefill and at least `packets` released packets, recording everything. */
export function recordModel(model: ModelRunner, packets: number): Trace {
  const t: Trace = { prefill: [], steps: [], packets: 0 };
  for (let k = 0; ; k++) { const rec = newRecord(); if (!model.prefill(k, rec)) break; t.prefill.push(rec); }
  while (t.packets < packets || t.steps.length < 8) {
    const rec = newRecord();
    const c = model.step(rec);
    t.steps.push(rec); t.packets += c;
    if (t.steps.length > 100_000) break;
  }
  return t;
}

function firstDiff(what: string, a: ArrayLike<number | bigint | null>, b: ArrayLike<number | bigint | null>, stride = 1, names?: string[]): string | null {
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) {
    if (a[i] !== b[i]) {
      const j = Math.floor(i / stride) * stride;
      const fmt = (x: ArrayLike<number | bigint | null>) => (j < x.length ? Array.from({ length: stride }, (_, k) => x[j + k]).map((v, k) => (names ? `${names[k]}=${v}` : String(v))).join(' ') : '(none)');
      return `${what} #${j / stride} (of wasm ${a.length / stride}, model ${b.length / stride}): wasm ${fmt(a)} / model ${fmt(b)}`;
    }
  }
  return null;
}

/** Replays the trace's workload through a Wasm runner; throws Mismatch at the first difference. */
export function checkAgainst(run: WasmRunner, t: Trace): number {
  const cmp = (where: string, w: StepRecord, m: StepRecord) => {
    const d = firstDiff('status', w.statuses, m.statuses)
      ?? firstDiff('classified VM', w.classified, m.classified)
      ?? firstDiff('decision', w.decisions, m.decisions, 4, ['handle', 'nic', 'vm', 'len'])
      ?? firstDiff('completed', w.completed, m.completed, 2, ['nic', 'count'])
      ?? (w.wake !== m.wake ? `nextWakeNs: wasm ${w.wake} / model ${m.wake}` : null);
    if (d) throw new Mismatch(`engine "${run.engine}" disagrees with the model at ${where}: ${d}`);
  };
  t.prefill.forEach((m, k) => { const w = newRecord(); run.prefill(k, w); cmp(`prefill batch ${k}`, w, m); });
  if (run.prefill(t.prefill.length)) throw new Mismatch(`engine "${run.engine}": prefill lengths differ`);
  let packets = 0;
  t.steps.forEach((m, k) => { const w = newRecord(); packets += run.step(w); cmp(`batch ${k} (after ${packets} packets)`, w, m); });
  return packets;
}

/** Builds and checks one workload against the model; returns the runners ready for timing. */
export async function setupRow(wl: Workload, engines: EngineSpec[], checkPackets: number) {
  const traffic = new Traffic(wl);
  const runners: WasmRunner[] = [];
  for (const e of engines) runners.push(await WasmRunner.create(wl, traffic, e));
  const limits = runners[0]!.s.stats().nics.slice(0, wl.nics).map((n) => n.inFlightLimitBytes);
  const first = runners[0]!.s;
  const ids = first.vmIds;
  const model = await ModelRunner.create(wl, traffic, limits, (i) => first.vmConfig(ids[i]!) as ResolvedVm);
  const trace = recordModel(model, checkPackets);
  let checked = 0;
  for (const r of runners) checked = checkAgainst(r, trace);
  return { traffic, runners, model, checked };
}
