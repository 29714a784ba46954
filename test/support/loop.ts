// loop.ts — a small discrete-event driver for contract tests: greedy sources,
// NICs draining at link speed, virtual time advanced event by event.
//
// Model (kept obviously correct on purpose):
//   - a source keeps its VM's queue topped up to `depth` packets while one of
//     its on-windows is open (default: always on, i.e. continuously backlogged);
//   - a NIC sends the packets released to it one after another, in release
//     order: a packet of L bytes occupies it for L·8/speed seconds (no
//     preamble/IFG: the engine counts frame bytes), starting when it is
//     released or when the previous packet finishes, whichever is later;
//   - at every event time (a NIC finishing a packet, a held VM's wake time, a
//     window opening) the driver reports finished packets with completed()
//     (in order, per NIC), tops sources up, and polls until a poll returns
//     fewer than batchSize decisions.
// Times are ns. NIC finish times are kept as exact fractions (doubles); the
// scheduler is given ceil(t) as a bigint, and releases are recorded at that
// engine time. Cost: O(packets · (NICs + sources)).

import { createScheduler, type Scheduler } from '../../src/index.js';

export interface Source {
  vm: number;
  /** Length in bytes of this source's k-th packet (k = 0, 1, …). */
  length: (k: number) => number;
  /** [start, end) ns windows in which the source is greedy; default always. */
  windows?: [number, number][];
}

export interface LoopOptions {
  sched: Scheduler;
  /** Link speed per NIC index, bit/s (the NICs the scheduler was created with). */
  nicSpeedsBps: number[];
  sources: Source[];
  durationNs: number;
  /** Packets kept queued per greedy VM (must fit the VM's queue). */
  depth: number;
}

/** Every release, column-wise: engine time (ns), VM, NIC, length (bytes). */
export interface Trace { t: number[]; vm: number[]; nic: number[]; len: number[] }

export interface LoopResult {
  trace: Trace;
  /** Per source: how often its queue was found empty while it was greedy (0 = continuously backlogged). */
  dry: number[];
  /** Packets a top-up offered that the engine refused (status other than queued). */
  refused: number;
}

export function runLoop(o: LoopOptions): LoopResult {
  const { sched, sources, durationNs, depth } = o;
  const batch = sched.capacity.batchSize;
  const nsPerByte = o.nicSpeedsBps.map((s) => 8e9 / s);
  const finish: number[][] = o.nicSpeedsBps.map(() => []); // finish time of each packet in flight, per NIC
  const head = o.nicSpeedsBps.map(() => 0);
  const queued = new Map<number, number>(sources.map((s) => [s.vm, 0]));
  const sent = sources.map(() => 0);
  const dry = sources.map(() => 0);
  const trace: Trace = { t: [], vm: [], nic: [], len: [] };
  const greedy = (s: Source, t: number) => !s.windows || s.windows.some(([a, b]) => t >= a && t < b);
  const vmsBuf: number[] = [], lenBuf: number[] = [], handleBuf: number[] = [];
  let handle = 1;
  let refused = 0;
  let now = 0;

  const topUp = (t: number, tb: bigint) => {
    vmsBuf.length = 0; lenBuf.length = 0; handleBuf.length = 0;
    sources.forEach((s, i) => {
      if (!greedy(s, t)) return;
      for (let q = queued.get(s.vm)!; q < depth; q++) {
        vmsBuf.push(s.vm); lenBuf.push(s.length(sent[i]!++)); handleBuf.push(handle++);
      }
    });
    if (vmsBuf.length === 0) return;
    const r = sched.enqueue(vmsBuf, lenBuf, handleBuf, undefined, tb);
    for (let k = 0; k < r.count; k++) {
      if (r.statuses[k] === 0) queued.set(vmsBuf[k]!, queued.get(vmsBuf[k]!)! + 1);
      else refused++;
    }
  };

  while (now < durationNs) {
    const tb = BigInt(Math.ceil(now));
    const te = Number(tb);
    // 1. completions: packets whose transmission has ended, in order per NIC
    finish.forEach((f, n) => {
      let done = 0;
      while (head[n]! < f.length && f[head[n]!]! <= now) { head[n]!++; done++; }
      if (done) sched.completed(n, done);
      if (head[n]! > 4096) { f.splice(0, head[n]!); head[n] = 0; }
    });
    // 2. top up and release until the engine has nothing more to give at this time
    let wake: bigint | null = null;
    for (;;) {
      topUp(now, tb);
      const r = sched.poll(tb);
      wake = r.nextWakeNs;
      for (let k = 0; k < r.count; k++) {
        const n = r.nics[k]!, vm = r.vms[k]!, len = r.lengths[k]!;
        trace.t.push(te); trace.vm.push(vm); trace.nic.push(n); trace.len.push(len);
        if (queued.has(vm)) queued.set(vm, queued.get(vm)! - 1);
        const f = finish[n]!;
        const start = head[n]! < f.length ? Math.max(now, f[f.length - 1]!) : now;
        f.push(start + len * nsPerByte[n]!);
      }
      if (r.count < batch) break;
    }
    sources.forEach((s, i) => { if (greedy(s, now) && queued.get(s.vm) === 0) dry[i]!++; });
    // 3. the next event
    let next = durationNs;
    finish.forEach((f, n) => { if (head[n]! < f.length) next = Math.min(next, f[head[n]!]!); });
    if (wake !== null) next = Math.min(next, Number(wake));
    for (const s of sources) for (const [a, b] of s.windows ?? []) for (const x of [a, b]) if (x > now) next = Math.min(next, x);
    now = next > now ? next : now + 1; // every event lies strictly ahead; the +1 only guards against a stuck clock
  }
  return { trace, dry, refused };
}

/** Bytes each VM released with engine time in [fromNs, toNs). */
export function bytesByVm(trace: Trace, fromNs: number, toNs: number): Map<number, number> {
  const out = new Map<number, number>();
  for (let k = 0; k < trace.t.length; k++) {
    const t = trace.t[k]!;
    if (t >= fromNs && t < toNs) out.set(trace.vm[k]!, (out.get(trace.vm[k]!) ?? 0) + trace.len[k]!);
  }
  return out;
}

/** The releases of one VM: times and lengths. */
export function releasesOf(trace: Trace, vm: number): { t: number[]; len: number[] } {
  const t: number[] = [], len: number[] = [];
  for (let k = 0; k < trace.t.length; k++) if (trace.vm[k] === vm) { t.push(trace.t[k]!); len.push(trace.len[k]!); }
  return { t, len };
}

export interface TeamOptions {
  policy: 'round-robin' | 'least-load' | 'port-id';
  nicSpeedsBps: number[];
  /** Per NIC, bytes (default: the engine's default). */
  inFlightBytes?: number[];
  maxVms?: number;
  queuePackets?: number;
  batchSize?: number;
}

/** A scheduler on virtual time (every call passes `now`; the clock reads 0). */
export function createTeam(o: TeamOptions): Promise<Scheduler> {
  return createScheduler({
    nics: o.nicSpeedsBps.map((speed, i) => ({ name: `vmnic${i}`, speed, ...(o.inFlightBytes ? { inFlightBytes: o.inFlightBytes[i]! } : {}) })),
    teaming: { policy: o.policy },
    capacity: { maxVms: o.maxVms ?? 32, queuePackets: o.queuePackets ?? 128, batchSize: o.batchSize ?? 64 },
    clock: () => 0n,
  });
}
