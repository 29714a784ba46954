// advice-loop.ts — a small time-stepped host around the real engine, for the
// advice and backpressure tests.
//
// Each step of dtNs: every source earns rate·dt bytes of new packets (into its
// host-side backlog, the "vNIC ring"); the host offers backlog to the engine
// (not while the VM is paused, when the source honours pauses; at most
// offerBatch packets per call); refused packets stay in the backlog
// (mode 'retry') or are discarded (mode 'discard': a guest that overruns its
// ring); then poll / NIC drain / completed() repeat until no NIC can do more
// in this step. NICs drain FIFO at link speed (frame bytes, no wire overhead)
// and keep no idle credit across steps. Units: ns (bigint), bit/s, bytes.
// Complexity: O(packets) per step; no randomness (deterministic).

import type { Scheduler } from '../../src/index.js';

export interface Source {
  vm: number;
  /** offered rate, bit/s; a function of time to vary it */
  rateBps: number | ((tNs: bigint) => number);
  packetBytes: number;
  /** stop pulling from the ring while the engine says vm-pause */
  honourPause?: boolean;
  /** what the host does with a packet refused as full */
  mode?: 'retry' | 'discard';
  /** packets offered per enqueue call (default 16) */
  offerBatch?: number;
  /** stop generating at this time, ns */
  untilNs?: bigint;
}

interface SourceState { spec: Source; credit: number; backlog: number[]; paused: boolean }

export class HostLoop {
  t = 0n;
  /** every status returned, by code */
  readonly statuses = [0, 0, 0, 0, 0];
  readonly generated = new Map<number, number>();
  readonly discarded = new Map<number, number>();
  /** handles released and not yet completed */
  readonly outstanding = new Set<number>();
  completedPackets = 0;
  private nextHandle = 1;
  private readonly sources: SourceState[] = [];
  private readonly fifo: { handle: number; len: number }[][] = [];
  private readonly credit: number[] = [];
  private nics: { index: number; speedBps: number; up: boolean }[] = [];

  constructor(readonly s: Scheduler, readonly dtNs: bigint, sources: Source[] = []) {
    for (const src of sources) this.addSource(src);
    this.refreshNics();
    s.on('vm-pause', (e) => { for (const x of this.sources) if (x.spec.vm === e.vm) x.paused = true; });
    s.on('vm-resume', (e) => { for (const x of this.sources) if (x.spec.vm === e.vm) x.paused = false; });
  }

  /** Re-reads NIC speeds and link states (after setLink or addNic). */
  refreshNics(): void { this.nics = this.s.stats().nics.map((n) => ({ index: n.index, speedBps: n.speedBps, up: n.up })); }

  addSource(spec: Source): void { this.sources.push({ spec, credit: 0, backlog: [], paused: false }); }
  removeSources(vm: number): void { for (let i = this.sources.length - 1; i >= 0; i--) if (this.sources[i]!.spec.vm === vm) this.sources.splice(i, 1); }
  backlog(vm: number): number { return this.sources.filter((x) => x.spec.vm === vm).reduce((a, x) => a + x.backlog.length, 0); }

  /** Advances one step of dtNs. */
  step(): void {
    this.t += this.dtNs;
    const t = this.t, dt = Number(this.dtNs);
    for (const x of this.sources) {
      const sp = x.spec;
      if (sp.untilNs === undefined || t <= sp.untilNs) {
        const rate = typeof sp.rateBps === 'function' ? sp.rateBps(t) : sp.rateBps;
        x.credit += (rate * dt) / 8e9;
        while (x.credit >= sp.packetBytes) {
          x.credit -= sp.packetBytes;
          const h = this.nextHandle++;
          x.backlog.push(h);
          this.generated.set(sp.vm, (this.generated.get(sp.vm) ?? 0) + 1);
        }
      }
      const batch = sp.offerBatch ?? 16;
      while (x.backlog.length > 0 && !(sp.honourPause && x.paused)) {
        const hs = x.backlog.slice(0, batch);
        const r = this.s.enqueue(sp.vm, hs.map(() => sp.packetBytes), hs, undefined, t);
        const keep: number[] = [];
        for (let i = 0; i < r.count; i++) {
          const st = r.statuses[i]!;
          this.statuses[st]!++;
          if (st === 1) {
            if (sp.mode === 'discard') this.discarded.set(sp.vm, (this.discarded.get(sp.vm) ?? 0) + 1);
            else keep.push(hs[i]!);
          }
        }
        x.backlog.splice(0, hs.length, ...keep);
        if (keep.length > 0 || r.accepted === 0) break; // the queue is full: try again next step
      }
    }
    const nics = this.nics;
    for (const n of nics) { this.fifo[n.index] ??= []; this.credit[n.index] ??= 0; if (n.up) this.credit[n.index]! += (n.speedBps * dt) / 8e9; }
    for (;;) {
      const r = this.s.poll(t);
      for (let i = 0; i < r.count; i++) {
        this.fifo[r.nics[i]!]!.push({ handle: r.handles[i]!, len: r.lengths[i]! });
        this.outstanding.add(r.handles[i]!);
      }
      let done = 0;
      for (const n of nics) {
        const q = this.fifo[n.index]!;
        let c = 0;
        if (n.up) while (q.length > 0 && q[0]!.len <= this.credit[n.index]!) {
          const p = q.shift()!;
          this.credit[n.index]! -= p.len;
          this.outstanding.delete(p.handle);
          c++;
        }
        if (c > 0) { this.s.completed(n.index, c); done += c; this.completedPackets += c; }
      }
      if (r.count === 0 && done === 0) break;
    }
    for (const n of nics) if (this.fifo[n.index]!.length === 0) this.credit[n.index] = 0;
  }

  /** A NIC failed: the packets it held are gone from its ring (the engine re-steers them). */
  linkDown(nic: number): void {
    this.s.setLink(nic, false, this.t);
    for (const p of this.fifo[nic] ?? []) this.outstanding.delete(p.handle);
    this.fifo[nic] = [];
    this.refreshNics();
  }

  run(untilNs: bigint, each?: (t: bigint) => void): void {
    while (this.t < untilNs) { this.step(); each?.(this.t); }
  }
}
