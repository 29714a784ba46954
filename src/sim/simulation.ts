// simulation.ts — the deterministic discrete-event simulator around the real
// Wasm engine (never the model): virtual clock, traffic sources, NICs that
// drain at link speed, fault injection, measurement.
//
// The loop. Time jumps from event to event; the next event is the earliest of
//   the next measurement tick, the next fault, the next coalesced completion of
//   any NIC (nic.ts), the engine's nextWakeNs (a VM held by its limit/peak) and
//   the next source arrival (rate sources; arrivals closer together than
//   hostBatchNs are delivered together, as a vhost/NAPI poller would; while
//   every NIC is at its in-flight limit, arrivals wait for the next event above,
//   the first moment the engine could release anything).
// At each event time t, in this order: close the measurement interval if t is
// a tick; apply faults due; report NIC completions finished by t
// (`completed(nic, n)`, in order); move arrivals into host rings (one per VM,
// the vNIC); offer host frames to the engine in one batch per call (only as
// many as the VM's engine queue has room for; a `full` frame goes back to the
// head of its ring, nothing is lost; paused VMs are not offered); poll the
// engine until it releases nothing more and hand each released packet to its
// NIC's TX FIFO (a NIC whose ring is full leaves the packet "in flight" at the
// engine, which bounds it by inFlightBytes). Greedy VMs are topped up between
// polls so they stay backlogged.
//
// Measured: per VM offered/accepted/sent bytes, sent bytes per interval (by the
// time each frame left the wire), queue delay = release time − enqueue time
// (log-bucket histograms: whole run and per interval), full statuses, host
// drops, backlog; per NIC wire bytes per interval (utilization); every engine
// event with its time; the ideal allocation of each interval (src/alloc/ideal.ts);
// a conservation audit over every handle.
//
// Units: time ns as JS numbers (exact integers below 2^53 ns = 104 days;
// bigint only at the engine boundary), rates bit/s, sizes bytes.
// Cost per packet: O(1) amortised, no object allocation (typed arrays, rings,
// batch calls); per event: O(VMs + NICs). Browser-safe: no node: imports.

import { createScheduler, type Scheduler, type RawBuffers } from '../index.js';
import type { VmUpdateInput } from '../api/config.js';
import { idealAllocation, type IdealVm } from '../alloc/ideal.js';
import { Rng } from './rng.js';
import { Source, DEFAULT_RING_PACKETS, type SourceSpec } from './sources.js';
import { HostRing } from './hostring.js';
import { NicModel } from './nic.js';
import { PacketTable, QUEUED, RELEASED, RETURNED } from './packets.js';
import { DelayHistogram } from './histogram.js';
import { IntervalSums } from './series.js';
import { RunSums } from './runsums.js';
import type { Scenario, SimNicSpec, SimVmSpec, FaultSpec, SimResult, SimEvent, SimVmResult, SimNicResult } from './types.js';

/** Frames handed to the engine in place of generated ones (pcap replay). */
export interface FrameFeed {
  /** Raw frames (bytes as captured). */
  frames: Uint8Array[];
  /** Length charged per frame (bytes on the wire without FCS: the capture's original length). */
  wireLengths: Uint32Array;
  /** Arrival time of each frame (ns, non-decreasing). */
  timesNs: Float64Array;
  /** Simulator VM record index each frame is expected to classify to (-1: no VM owns its MAC). */
  recordOf: Int32Array;
}

export interface SimulationOptions {
  /** Replace generated traffic with captured frames (see replay.ts). */
  feed?: FrameFeed;
}

interface VmRecord {
  index: number;
  id: number;
  name: string;
  macs: string[];
  source: Source;
  sourceLabel: string;
  ring: HostRing;
  /** Frames of this VM come from the feed (enqueueFrames). */
  framed: boolean;
  queuePackets: number; queueBytes: number;   // engine queue limits (packets, bytes)
  alloc: { shares: number; reservationBps: number; limitBps: number; priority: number };
  live: boolean;
  paused: boolean;
  addedAtNs: number;
  removedAtNs: number | null;
  queuedPackets: number; queuedBytes: number; // at the engine, by our accounting
  offeredPackets: number; offeredBytes: number;
  acceptedPackets: number; acceptedBytes: number;
  sentPackets: number; sentBytes: number;
  fullStatuses: number; returned: number; pauses: number;
  intervalOfferedBytes: number;
  hist: DelayHistogram;
  intervalHist: DelayHistogram;
  sent: IntervalSums;                          // bytes per interval, by wire finish time
  sentPkts: IntervalSums;                      // frames per interval, by wire finish time
  idealSeries: (number | null)[];
  offeredSeries: (number | null)[];
  p50Series: (number | null)[];
  p99Series: (number | null)[];
  backlogSeries: (number | null)[];
}

interface NicRecord {
  index: number;
  name: string;
  speedBps: number;
  model: NicModel;
  wire: IntervalSums;                          // wire bytes per interval
  sentPackets: number; sentBytes: number;
  upSeries: number[];
  addedAtNs: number;
}

type Timed = FaultSpec & { seq: number };

const PER_PACKET_POLICIES = new Set(['round-robin', 'least-load', 'flowlet']);

export class Simulation {
  readonly scenario: Scenario;
  readonly engine: Scheduler;
  /** Current virtual time (ns). */
  nowNs = 0;
  private readonly rng: Rng;
  private readonly records: VmRecord[] = [];
  private readonly byId: (VmRecord | undefined)[] = [];
  private readonly nics: (NicRecord | undefined)[] = [];
  private readonly packets = new PacketTable();
  private readonly faults: Timed[];
  private faultNext = 0;
  private readonly intervalNs: number;
  private nextTickNs: number;
  private readonly timeNs: number[] = [];
  private wakeNs = Infinity;
  /** Something changed outside the loop (start, live control): process the current instant. */
  private kick = true;
  /** nowNs as bigint, made once per step. */
  private bigNow = 0n;
  /** The engine's ingress columns in Wasm memory (zero-copy enqueue; valid for the engine's life). */
  private readonly raw: RawBuffers;
  /** Cached exact-length views of the scratch columns, by length (batch calls take whole arrays). */
  private views: ([Uint32Array, Uint32Array, Uint32Array] | undefined)[] = [];
  /** Per-VM frames and bytes of a completion run (completeNic). */
  private readonly runSums = new RunSums();
  /** Per-VM frames and bytes of the batch offer() is building (applied by submitPlain when all is taken). */
  private readonly offered = new RunSums();
  private readonly events: SimEvent[] = [];
  private readonly eventCounts: Record<string, number> = {};
  private readonly batch: number;
  private readonly pinned: boolean;
  private feasible = true;
  // audit (packets)
  private accepted = 0; private completedTotal = 0; private returnedTotal = 0; private violations = 0;
  // feed (replay)
  private readonly feed: FrameFeed | undefined;
  private feedNext = 0;
  private readonly unmatched: HostRing | undefined;
  /** Frames refused for good: unknown-vm, forged, malformed (engine statuses), tooLarge (above the VM's queueBytes). */
  readonly refused = { unknownVm: 0, forged: 0, malformed: 0, tooLarge: 0 };
  // scratch columns for batch enqueue (grown on demand)
  private scrVm = new Uint32Array(1024);
  private scrLen = new Uint32Array(1024);
  private scrHandle = new Uint32Array(1024);
  private scrRec = new Uint32Array(1024);
  private scrFrames: Uint8Array[] = [];

  private constructor(scenario: Scenario, engine: Scheduler, options: SimulationOptions) {
    this.scenario = scenario;
    this.engine = engine;
    this.rng = new Rng(scenario.seed);
    this.intervalNs = scenario.sampleIntervalNs;
    this.nextTickNs = scenario.sampleIntervalNs;
    this.batch = engine.capacity.batchSize;
    this.raw = engine.rawBuffers;
    this.pinned = !PER_PACKET_POLICIES.has(engine.policy);
    this.feed = options.feed;
    if (this.feed) this.unmatched = new HostRing(this.feed.frames.length + 1);
    this.faults = expandFaults(scenario.faults);
    engine.onAny((type, e) => this.onEvent(type, e as unknown as Record<string, unknown>));
  }

  /** Creates the engine and the simulated host for a resolved scenario. */
  static async create(scenario: Scenario, options: SimulationOptions = {}): Promise<Simulation> {
    let sim: Simulation | undefined;
    const engine = await createScheduler({
      nics: scenario.nics.map((n) => n.config),
      ...(scenario.teaming ? { teaming: scenario.teaming } : {}),
      ...(scenario.capacity ? { capacity: scenario.capacity } : {}),
      // every data-path call gets virtual time explicitly; this covers any call that reads the clock
      clock: () => BigInt(sim?.nowNs ?? 0),
    });
    sim = new Simulation(scenario, engine, options);
    scenario.nics.forEach((n, i) => sim.attachNic(i, n));
    const feed = options.feed;
    const perRecord = new Uint32Array(scenario.vms.length);
    if (feed) for (let i = 0; i < feed.recordOf.length; i++) { const r = feed.recordOf[i]!; if (r >= 0) perRecord[r]!++; }
    scenario.vms.forEach((v, i) => {
      // with a feed, VMs without a source take their frames from it (host ring sized to hold them all)
      if (feed && v.source.type === 'none') sim!.addVm(v, { framed: true, ringPackets: perRecord[i]! + 1 });
      else sim!.addVm(v);
    });
    return sim;
  }

  // ------------------------------------------------------------------ live control (faults, browser demo)

  /** Adds a VM now; returns its engine id. */
  addVm(spec: SimVmSpec, options: { framed?: boolean; ringPackets?: number } = {}): number {
    const t = this.nowNs;
    const id = this.engine.addVm(spec.config, BigInt(t));
    const cfg = this.engine.vmConfig(id);
    const src = spec.source;
    const ringPackets = options.ringPackets ?? (src.type === 'none' ? 1 : src.ringPackets ?? DEFAULT_RING_PACKETS);
    const r: VmRecord = {
      index: this.records.length, id, name: spec.config.name, macs: [...this.engine.vmMacs(id)],
      source: new Source(src, this.rng.fork(), t), sourceLabel: describeSource(src),
      ring: new HostRing(ringPackets), framed: options.framed ?? false,
      queuePackets: cfg.queuePackets, queueBytes: cfg.queueBytes,
      alloc: { shares: cfg.shares, reservationBps: cfg.reservationBps, limitBps: cfg.limitBps, priority: cfg.priority },
      live: true, paused: false, addedAtNs: t, removedAtNs: null,
      queuedPackets: 0, queuedBytes: 0, offeredPackets: 0, offeredBytes: 0, acceptedPackets: 0, acceptedBytes: 0,
      sentPackets: 0, sentBytes: 0, fullStatuses: 0, returned: 0, pauses: 0, intervalOfferedBytes: 0,
      hist: new DelayHistogram(), intervalHist: new DelayHistogram(), sent: new IntervalSums(), sentPkts: new IntervalSums(),
      idealSeries: [], offeredSeries: [], p50Series: [], p99Series: [], backlogSeries: [],
    };
    // intervals before the VM existed
    for (let k = 0; k < this.timeNs.length; k++) {
      r.idealSeries.push(null); r.offeredSeries.push(null); r.p50Series.push(null); r.p99Series.push(null); r.backlogSeries.push(null);
    }
    this.records.push(r);
    this.runSums.ensure(this.records.length); this.offered.ensure(this.records.length);
    this.kick = true;
    this.byId[id] = r;
    return id;
  }

  /** Removes a VM now; packets it had queued come back to the host (counted as returned). */
  removeVm(vm: string | number): void {
    const r = this.record(vm);
    const back = this.engine.removeVm(r.id);
    for (let i = 0; i < back.handles.length; i++) {
      const h = back.handles[i]!;
      if (this.packets.state[h] !== QUEUED) this.violations++;
      this.packets.release(h);
      r.returned++; this.returnedTotal++;
    }
    r.queuedPackets = 0; r.queuedBytes = 0;
    r.ring.clear();
    r.live = false; r.paused = false;
    r.removedAtNs = this.nowNs;
    this.kick = true;
    this.byId[r.id] = undefined;
  }

  /** Changes a VM's allocation now (engine updateVm). */
  updateVm(vm: string | number, changes: VmUpdateInput): void {
    const r = this.record(vm);
    this.engine.updateVm(r.id, changes, BigInt(this.nowNs));
    const cfg = this.engine.vmConfig(r.id);
    r.queuePackets = cfg.queuePackets; r.queueBytes = cfg.queueBytes;
    this.kick = true;
    r.alloc = { shares: cfg.shares, reservationBps: cfg.reservationBps, limitBps: cfg.limitBps, priority: cfg.priority };
  }

  /** Replaces a VM's traffic source now (e.g. a rate slider). */
  setSource(vm: string | number, spec: SourceSpec): void {
    const r = this.record(vm);
    r.source = new Source(spec, this.rng.fork(), this.nowNs);
    this.kick = true;
    r.sourceLabel = describeSource(spec);
  }

  /** Reports a link change now; on loss, frames not yet on the wire go back to the engine (re-steer). */
  setLink(nic: string | number, up: boolean): void {
    this.kick = true;
    const i = this.engine.nicIndex(nic);
    const n = this.nics[i]!;
    if (n.model.removed && up) throw new Error(`NIC ${n.name} was removed`);
    if (up === n.model.up) { this.engine.setLink(i, up, BigInt(this.nowNs)); return; }
    if (up) {
      n.model.up = true;
      n.model.restart(this.nowNs);
      this.engine.setLink(i, true, BigInt(this.nowNs));
      return;
    }
    this.completeNic(n, this.nowNs, true);
    this.engine.setLink(i, false, BigInt(this.nowNs));
    const pk = this.packets;
    const m = n.model;
    for (let k = 0; k < m.inFlight; k++) {
      const h = m.handleAt(k);
      const s = pk.state[h];
      if (s === RETURNED) {
        const r = this.records[pk.record[h]!]!;
        r.returned++; this.returnedTotal++;
        pk.release(h);
      } else if (s === RELEASED) {
        pk.state[h] = QUEUED;
        const r = this.records[pk.record[h]!]!;
        r.queuedPackets++; r.queuedBytes += pk.length[h]!;
      } else this.violations++;
    }
    m.clear(this.nowNs);
    m.up = false;
  }

  /** Adds a NIC to the team now. */
  addNic(spec: SimNicSpec): number {
    const i = this.engine.addNic(spec.config);
    this.attachNic(i, spec);
    this.kick = true;
    return i;
  }

  /** Takes a NIC out of the team for good: its link goes down (failover), then the engine removes it. */
  removeNic(nic: string | number): void {
    const i = this.engine.nicIndex(nic);
    this.setLink(i, false);
    this.nics[i]!.model.removed = true;
    this.engine.removeNic(i, BigInt(this.nowNs));
  }

  private attachNic(i: number, spec: SimNicSpec): void {
    const st = this.engine.stats().nics.find((n) => n.index === i)!;
    const speedBps = st.speedBps;
    const model = new NicModel({
      speedBps, wireOverheadBytes: spec.wireOverheadBytes, txRingPackets: spec.txRingPackets,
      txCoalesceFrames: spec.txCoalesceFrames, txCoalesceNs: spec.txCoalesceNs, inFlightLimitBytes: st.inFlightLimitBytes,
    }, spec.config.up !== false);
    model.restart(this.nowNs);
    this.nics[i] = {
      index: i, name: spec.config.name, speedBps, model, wire: new IntervalSums(), sentPackets: 0, sentBytes: 0,
      upSeries: this.timeNs.map(() => 0), addedAtNs: this.nowNs,
    };
  }

  private record(vm: string | number): VmRecord {
    const r = typeof vm === 'number' ? this.byId[vm] : this.records.find((x) => x.live && x.name === vm);
    if (!r || !r.live) throw new Error(`no live VM ${JSON.stringify(vm)} in the simulation`);
    return r;
  }

  // ------------------------------------------------------------------ events from the engine

  private onEvent(type: string, e: Record<string, unknown>): void {
    this.events.push({ tNs: this.nowNs, type, ...(plain(e) as Record<string, unknown>) });
    this.eventCounts[type] = (this.eventCounts[type] ?? 0) + 1;
    switch (type) {
      case 'vm-pause': {
        const r = this.byId[e.vm as number];
        if (r) { r.paused = true; r.pauses++; r.source.pause(this.nowNs); }
        break;
      }
      case 'vm-resume': {
        const r = this.byId[e.vm as number];
        if (r) { r.paused = false; r.source.resume(this.nowNs); }
        break;
      }
      case 'returned': this.packets.state[e.handle as number] = RETURNED; break;
      default: break;
    }
  }

  // ------------------------------------------------------------------ the loop

  /** Runs every event with time ≤ untilNs, then sets the clock to untilNs. */
  step(untilNs: number): void {
    for (;;) {
      const t = this.nextEventNs();
      if (t > untilNs) break;
      this.nowNs = t;
      this.process(t);
    }
    if (untilNs > this.nowNs) this.nowNs = untilNs;
  }

  /** True when nothing is queued, in flight, waiting in a host ring or still to arrive from the feed. */
  get drained(): boolean {
    if (this.feed && this.feedNext < this.feed.frames.length) return false;
    if (this.unmatched && this.unmatched.count) return false;
    for (const r of this.records) if (r.live && (r.queuedPackets || r.ring.count)) return false;
    for (const n of this.nics) if (n && n.model.inFlight) return false;
    return true;
  }

  private nextEventNs(): number {
    const now = this.nowNs;
    if (this.kick) return now;
    let t = this.nextTickNs;
    if (this.faultNext < this.faults.length) t = Math.min(t, this.faults[this.faultNext]!.atNs);
    for (const n of this.nics) if (n && n.model.up) { const c = n.model.nextCompletionNs(); if (c < t) t = c; }
    if (this.wakeNs > now && this.wakeNs < t) t = this.wakeNs;
    // Arrivals matter only if a NIC could take a packet now: room opens only at the events
    // above, so while every NIC is busy, arrivals wait (exactly) for the next of them.
    let room = false;
    for (const n of this.nics) if (n && n.model.hasRoom) { room = true; break; }
    if (!room) return t;
    const batchAt = now + this.scenario.hostBatchNs;
    for (const r of this.records) {
      if (!r.live) continue;
      const a = r.source.wakeNs(now);
      if (a < t) t = Math.min(t, Math.max(Math.ceil(a), batchAt));
    }
    if (this.feed && this.feedNext < this.feed.frames.length) {
      const a = this.feed.timesNs[this.feedNext]!;
      if (a < t) t = Math.min(t, Math.max(Math.ceil(a), batchAt));
    }
    return t;
  }

  private process(now: number): void {
    this.kick = false;
    this.bigNow = BigInt(now);
    while (this.nextTickNs <= now) { this.tick(this.nextTickNs); this.nextTickNs += this.intervalNs; }
    while (this.faultNext < this.faults.length && this.faults[this.faultNext]!.atNs <= now) this.applyFault(this.faults[this.faultNext++]!);
    for (const n of this.nics) if (n && n.model.up) this.completeNic(n, now, false);
    for (const r of this.records) {
      if (!r.live || r.source.nextNs > now) continue;
      const bytes = r.source.generate(now, r.ring);
      r.intervalOfferedBytes += bytes;
    }
    if (this.feed) this.arriveFrames(now);
    this.offer(now, false);
    this.pollAll(now);
  }

  private arriveFrames(now: number): void {
    const f = this.feed!;
    while (this.feedNext < f.frames.length && f.timesNs[this.feedNext]! <= now) {
      const i = this.feedNext++;
      const rec = f.recordOf[i]!;
      const len = f.wireLengths[i]!;
      if (rec < 0) { this.unmatched!.push(len, i); continue; }
      const r = this.records[rec]!;
      r.intervalOfferedBytes += len;
      if (!r.ring.push(len, i)) r.source.hostDrops++;
    }
  }

  private applyFault(f: FaultSpec): void {
    switch (f.type) {
      case 'link-down': this.setLink(f.nic, false); break;
      case 'link-up': this.setLink(f.nic, true); break;
      case 'remove-nic': this.removeNic(f.nic); break;
      case 'add-nic': this.addNic(f.nic); break;
      case 'update-vm': this.updateVm(f.vm, f.changes); break;
      case 'add-vm': this.addVm(f.vm); break;
      case 'remove-vm': this.removeVm(f.vm); break;
      case 'flap': break; // expanded into link-down / link-up at construction
    }
  }

  /** Reports completions of NIC n: those the coalescing rule releases now, or (all) every frame finished by now. */
  private completeNic(n: NicRecord, now: number, all: boolean): void {
    const m = n.model;
    if (!all && m.nextCompletionNs() > now) return;
    // walk the NIC's FIFO columns in place (finish times grow along it): every frame finished by now
    const handles = m.handles, lengths = m.lengths, finishes = m.finishes, mask = m.mask;
    const head = m.head, end = m.scheduled;
    if (head === end || finishes[head & mask]! > now) return;
    const pk = this.packets, state = pk.state, record = pk.record;
    const iv = this.intervalNs, ovh = m.params.wireOverheadBytes;
    // the interval changes rarely along the FIFO: sum wire bytes per interval run
    let bucket = Math.floor(finishes[head & mask]! / iv), bucketEnd = (bucket + 1) * iv, wire = 0, bytes = 0, valid = 0;
    // and the VMs' sent frames and bytes per run too (RunSums), applied once per run
    const sent = this.runSums;
    let p = head;
    for (; p < end; p++) {
      const i = p & mask;
      const f = finishes[i]!;
      if (f > now) break;
      const h = handles[i]!, len = lengths[i]!;
      if (f >= bucketEnd) {
        n.wire.add(bucket, wire); wire = 0;
        this.applySent(bucket);
        bucket = Math.floor(f / iv); bucketEnd = (bucket + 1) * iv;
      }
      wire += len + ovh; bytes += len;
      if (state[h] !== RELEASED) { this.violations++; continue; }
      valid++;
      sent.add(record[h]!, 1, len);
      pk.release(h);
    }
    const k = p - head;
    n.wire.add(bucket, wire);
    this.applySent(bucket);
    n.sentPackets += k; n.sentBytes += bytes;
    this.completedTotal += valid;
    this.engine.completed(n.index, k);
    m.advance(k, bytes, now);
  }

  /** Credits the frames runSums collected to their VMs as sent in interval `bucket`. */
  private applySent(bucket: number): void {
    const sums = this.runSums, t = sums.touched, recs = this.records;
    for (let j = 0; j < sums.count; j++) {
      const ri = t[j]!, r = recs[ri]!, pkts = sums.packets[ri]!, bytes = sums.bytes[ri]!;
      r.sentPackets += pkts; r.sentBytes += bytes;
      r.sent.add(bucket, bytes); r.sentPkts.add(bucket, pkts);
    }
    sums.clear();
  }

  /** Makes the scratch columns hold n entries (called per VM per offer: no closure here, V8 would allocate its context on every call). */
  private grow(n: number): void {
    if (n <= this.scrVm.length) return;
    let size = this.scrVm.length;
    while (size < n) size *= 2;
    this.scrVm = grown(this.scrVm, size); this.scrLen = grown(this.scrLen, size);
    this.scrHandle = grown(this.scrHandle, size); this.scrRec = grown(this.scrRec, size);
    this.views = [];
  }

  /** Offers host frames to the engine (room permitting); greedyOnly: only top up greedy VMs. */
  private offer(now: number, greedyOnly: boolean): void {
    const pk = this.packets;
    let n = 0, nf = 0;
    const frames = this.scrFrames;
    for (const r of this.records) {
      if (!r.live || r.paused) continue;
      const s = r.source;
      if (greedyOnly && !s.greedy) continue;
      let pktRoom = r.queuePackets - r.queuedPackets;
      let byteRoom = r.queueBytes - r.queuedBytes;
      if (pktRoom <= 0) continue;
      const greedy = s.greedy && s.activeAt(now);
      this.grow(n + pktRoom);
      if (greedy && r.ring.count === 0 && !r.framed) {
        // fast path: a greedy VM's frames are made right here, no host ring
        const scrVm = this.scrVm, scrLen = this.scrLen, scrHandle = this.scrHandle, scrRec = this.scrRec;
        const id = r.id, idx = r.index;
        let made = 0, bytes = 0;
        while (pktRoom > 0) {
          const len = s.drawSize();
          if (len > byteRoom) { r.ring.push(len); r.intervalOfferedBytes += len; break; }
          const h = pk.alloc();
          pk.record[h] = idx; pk.length[h] = len;
          scrVm[n] = id; scrHandle[n] = h; scrLen[n] = len; scrRec[n] = 0;
          n++; pktRoom--; byteRoom -= len; made++; bytes += len;
        }
        r.offeredPackets += made; r.offeredBytes += bytes; r.intervalOfferedBytes += bytes;
        if (made > 0) this.offered.add(idx, made, bytes);
        continue;
      }
      let took = 0, tookBytes = 0;
      while (pktRoom > 0) {
        if (r.ring.count === 0) {
          if (!greedy) break;
          const len = s.drawSize();
          r.ring.push(len);
          r.intervalOfferedBytes += len;
        }
        const len = r.ring.peek();
        // a frame larger than the whole queue is still offered once the queue is empty: the engine decides
        if (len > byteRoom && (len <= r.queueBytes || r.queuedPackets > 0 || took > 0)) break;
        const ref = r.ring.peekRef();
        r.ring.shift();
        const h = pk.alloc();
        pk.record[h] = r.index; pk.length[h] = len;
        if (r.framed) { frames[nf] = this.feed!.frames[ref]!; this.scrLen[n] = ref; nf++; }
        this.scrVm[n] = r.id; this.scrHandle[n] = h; this.scrRec[n] = r.framed ? 1 : 0;
        if (!r.framed) this.scrLen[n] = len;
        n++; pktRoom--; byteRoom -= len; took++; tookBytes += len;
        r.offeredPackets++; r.offeredBytes += len;
      }
      if (took > 0) this.offered.add(r.index, took, tookBytes);
    }
    if (n === 0 && !(this.unmatched && this.unmatched.count)) return;
    if (nf === 0) this.submitPlain(now, n, true);
    else this.submitMixed(now, n, nf);
    this.offered.clear();
  }

  /** Enqueues scratch rows 0..n-1 (pre-classified); `whole`: they are exactly what `offered` sums per VM. */
  private submitPlain(now: number, n: number, whole: boolean): void {
    if (n === 0) return;
    let st: Uint8Array, accepted: number;
    if (n <= this.batch) {
      // the usual case (one engine batch): write the descriptors straight into the engine's
      // columns and enqueue them in place (enqueueWritten: one core call like enqueue, no copies)
      const raw = this.raw, vms = raw.vms, lens = raw.lengths, hds = raw.handles, hashes = raw.flowHashes;
      const scrVm = this.scrVm, scrLen = this.scrLen, scrHandle = this.scrHandle;
      // flow hash 0, as enqueue gives it (the column is shared with the frame paths, which write it)
      for (let i = 0; i < n; i++) { vms[i] = scrVm[i]!; lens[i] = scrLen[i]!; hds[i] = scrHandle[i]!; hashes[i] = 0; }
      accepted = this.engine.enqueueWritten(n, this.bigNow);
      st = raw.statuses; // valid until the next engine call; none happens below
    } else {
      // more than one batch (e.g. the first fill): enqueue splits it, in the same core calls
      let v = this.views[n];
      if (!v) this.views[n] = v = [this.scrVm.subarray(0, n), this.scrLen.subarray(0, n), this.scrHandle.subarray(0, n)];
      const res = this.engine.enqueue(v[0], v[1], v[2], undefined, this.bigNow);
      st = res.statuses; accepted = res.accepted;
    }
    const pk = this.packets;
    if (accepted === n && whole) {
      // fast path: everything taken, and the VMs' counters move by what offer() summed per VM
      const off = this.offered, t = off.touched, recs = this.records;
      for (let j = 0; j < off.count; j++) {
        const ri = t[j]!, r = recs[ri]!, pkts = off.packets[ri]!, bytes = off.bytes[ri]!;
        r.queuedPackets += pkts; r.queuedBytes += bytes;
        r.acceptedPackets += pkts; r.acceptedBytes += bytes;
      }
      const scrHandle = this.scrHandle, state = pk.state, enq = pk.enqueuedNs;
      for (let i = 0; i < n; i++) { const h = scrHandle[i]!; state[h] = QUEUED; enq[h] = now; }
      this.accepted += n;
      return;
    }
    if (accepted === n) {
      // everything taken
      const scrHandle = this.scrHandle, recs = this.records, state = pk.state, enq = pk.enqueuedNs, rec = pk.record, lens = pk.length;
      for (let i = 0; i < n; i++) {
        const h = scrHandle[i]!;
        const r = recs[rec[h]!]!;
        const len = lens[h]!;
        state[h] = QUEUED; enq[h] = now;
        r.queuedPackets++; r.queuedBytes += len;
        r.acceptedPackets++; r.acceptedBytes += len;
      }
      this.accepted += n;
      return;
    }
    for (let i = n - 1; i >= 0; i--) {
      const h = this.scrHandle[i]!;
      const r = this.records[pk.record[h]!]!;
      const len = pk.length[h]!;
      if (st[i] === 0) this.acceptOne(r, h, len, now);
      else this.refuseOne(r, h, len, 0, st[i]!, now);
    }
  }

  /** Replay: frames go through enqueueFrames (the engine classifies them), generated packets through enqueue. */
  private submitMixed(now: number, n: number, nf: number): void {
    const pk = this.packets;
    const plain: number[] = [];
    const frames = this.scrFrames, feed = this.feed!;
    const fHandles = new Uint32Array(nf + (this.unmatched?.count ?? 0));
    const fLens = new Uint32Array(fHandles.length);
    const refs = new Uint32Array(fHandles.length);
    let k = 0;
    for (let i = 0; i < n; i++) {
      if (this.scrRec[i] === 1) { refs[k] = this.scrLen[i]!; fHandles[k] = this.scrHandle[i]!; fLens[k] = feed.wireLengths[refs[k]!]!; k++; }
      else plain.push(i);
    }
    // frames no VM claims by MAC are offered once too: the engine decides (unknown-vm, malformed, or a VM after all)
    while (this.unmatched && this.unmatched.count) {
      const ref = this.unmatched.peekRef(); this.unmatched.shift();
      const h = pk.alloc();
      pk.record[h] = 0xffffffff; pk.length[h] = feed.wireLengths[ref]!;
      frames[k] = feed.frames[ref]!; refs[k] = ref; fHandles[k] = h; fLens[k] = pk.length[h]!; k++;
    }
    frames.length = k;
    if (plain.length) {
      for (let j = 0; j < plain.length; j++) { const i = plain[j]!; this.scrVm[j] = this.scrVm[i]!; this.scrLen[j] = this.scrLen[i]!; this.scrHandle[j] = this.scrHandle[i]!; }
      this.submitPlain(now, plain.length, false);
    }
    const res = this.engine.enqueueFrames(frames, fHandles, fLens, this.bigNow);
    const st = res.statuses;
    for (let i = k - 1; i >= 0; i--) {
      const h = fHandles[i]!, len = fLens[i]!;
      const vm = res.vms[i]!;
      const r = vm === 0xffffffff ? undefined : this.byId[vm];
      if (st[i] === 0 && r) {
        pk.record[h] = r.index;
        this.acceptOne(r, h, len, now);
      } else if (st[i] === 1 && r) {
        pk.record[h] = r.index;
        this.refuseOne(r, h, len, refs[i]!, 1, now);
      } else {
        if (st[i] === 2) this.refused.unknownVm++; else if (st[i] === 3) this.refused.forged++; else this.refused.malformed++;
        pk.release(h);
      }
    }
    frames.length = 0;
  }

  private acceptOne(r: VmRecord, h: number, len: number, now: number): void {
    const pk = this.packets;
    pk.state[h] = QUEUED; pk.enqueuedNs[h] = now;
    r.queuedPackets++; r.queuedBytes += len;
    r.acceptedPackets++; r.acceptedBytes += len;
    this.accepted++;
  }

  /** A frame not taken: `full` goes back to the head of its host ring (order kept); other statuses are lost. */
  private refuseOne(r: VmRecord, h: number, len: number, ref: number, status: number, now: number): void {
    r.offeredPackets--; r.offeredBytes -= len; // it will be offered again
    if (status === 1) {
      r.fullStatuses++;
      // larger than the whole queue (queueBytes): it can never fit, the host drops it
      if (len > r.queueBytes) { r.source.hostDrops++; this.refused.tooLarge++; }
      else r.ring.pushFront(len, ref);
      r.source.congestion(now);
    } else if (status === 2) this.refused.unknownVm++;
    else if (status === 3) this.refused.forged++;
    else this.refused.malformed++;
    this.packets.release(h);
  }

  private pollAll(now: number): void {
    const pk = this.packets, recs = this.records, nics = this.nics;
    for (;;) {
      // per poll: offer() below may grow the packet table (new columns)
      const state = pk.state, record = pk.record, enq = pk.enqueuedNs;
      const res = this.engine.poll(this.bigNow);
      // nextWakeNs is a getter that consults the engine: read it once
      const wake = res.nextWakeNs;
      this.wakeNs = wake === null ? Infinity : Number(wake);
      const c = res.count;
      const hs = res.handles, ns = res.nics, ls = res.lengths;
      for (let i = 0; i < c; i++) {
        const h = hs[i]!, len = ls[i]!;
        if (state[h] === QUEUED) {
          state[h] = RELEASED;
          const r = recs[record[h]!]!;
          r.queuedPackets--; r.queuedBytes -= len;
          const e = enq[h]!;
          if (e >= 0) {
            enq[h] = -1; // released once: a re-steered packet's delay counts once
            r.intervalHist.record(now - e);
          }
        } else this.violations++;
        nics[ns[i]!]!.model.push(h, len, now);
      }
      if (c < this.batch) break;
      this.offer(now, true);
    }
  }

  // ------------------------------------------------------------------ measurement

  private tick(tickNs: number): void {
    const k = this.timeNs.length;
    this.timeNs.push(tickNs);
    const iv = this.intervalNs;
    for (const n of this.nics) if (n) n.upSeries.push(n.model.up ? 1 : 0);
    const present = (r: VmRecord) => r.addedAtNs < tickNs && (r.removedAtNs === null || r.removedAtNs > tickNs - iv);
    for (const r of this.records) {
      if (r.idealSeries.length > k) continue;
      if (!present(r)) {
        r.offeredSeries.push(null); r.p50Series.push(null); r.p99Series.push(null); r.backlogSeries.push(null); r.idealSeries.push(null);
        continue;
      }
      r.offeredSeries.push((r.intervalOfferedBytes * 8e9) / iv);
      r.p50Series.push(r.intervalHist.count ? r.intervalHist.quantile(0.5) : null);
      r.p99Series.push(r.intervalHist.count ? r.intervalHist.quantile(0.99) : null);
      r.backlogSeries.push(r.live ? r.queuedPackets + r.ring.count : 0);
    }
    this.idealTick(tickNs, present);
    for (const r of this.records) { r.intervalOfferedBytes = 0; r.hist.merge(r.intervalHist); r.intervalHist.reset(); }
  }

  /** The ideal allocation (DESIGN §2) of the interval ending at tickNs, appended to each VM's idealSeries. */
  private idealTick(tickNs: number, present: (r: VmRecord) => boolean): void {
    const iv = this.intervalNs;
    const live = this.records.filter((r) => r.live && present(r));
    for (const r of this.records) if (!r.live && present(r)) r.idealSeries.push(0);
    if (live.length === 0) return;
    // capacity in frame bytes = link speed × len / (len + overhead), len = the pool's mean frame length
    const capOf = (n: NicRecord, meanLen: number) => (n.model.up ? (n.speedBps * meanLen) / (meanLen + n.model.params.wireOverheadBytes) : 0);
    const pools = new Map<number, VmRecord[]>(); // NIC index, or -1 for the team pool
    let nicOf: Map<number, number | null> | undefined;
    if (this.pinned) nicOf = new Map(this.engine.stats().vms.map((v) => [v.id, v.nic]));
    for (const r of live) {
      const key = nicOf ? nicOf.get(r.id) ?? null : -1;
      if (key === null) { r.idealSeries.push(0); continue; }
      let list = pools.get(key);
      if (!list) pools.set(key, (list = []));
      list.push(r);
    }
    for (const [key, list] of pools) {
      const meanLen = this.meanFrameBytes(list, this.timeNs.length - 1);
      let cap = 0;
      if (key === -1) { for (const n of this.nics) if (n) cap += capOf(n, meanLen); }
      else cap = capOf(this.nics[key]!, meanLen);
      const input: IdealVm[] = list.map((r) => {
        const active = r.source.greedy ? r.source.activeAt(tickNs - 1) : true;
        const backlogBytes = r.queuedBytes + r.ring.bytes;
        const demandBps = r.source.elastic && !r.framed ? (active ? Infinity : 0)
          : (r.intervalOfferedBytes * 8e9) / iv + (backlogBytes > 0 ? (backlogBytes * 8e9) / iv : 0);
        return { demandBps, shares: r.alloc.shares, reservationBps: r.alloc.reservationBps, limitBps: r.alloc.limitBps, priority: r.alloc.priority };
      });
      const out = idealAllocation(cap, input);
      if (!out.feasible) this.feasible = false;
      list.forEach((r, i) => r.idealSeries.push(out.ratesBps[i]!));
    }
  }

  /**
   * Mean frame length (bytes) these VMs sent in interval k (what sets the pool's capacity in
   * frame bytes), else over the whole run so far, else of their sources' size distributions.
   */
  private meanFrameBytes(list: VmRecord[] = this.records, k = -1): number {
    let bytes = 0, pkts = 0;
    if (k >= 0) for (const r of list) { bytes += r.sent.get(k); pkts += r.sentPkts.get(k); }
    if (pkts > 0) return bytes / pkts;
    for (const r of list) { bytes += r.sentBytes; pkts += r.sentPackets; }
    if (pkts > 0) return bytes / pkts;
    return list.length ? list.reduce((s, r) => s + r.source.sizes.meanBytes, 0) / list.length : 1500;
  }

  // ------------------------------------------------------------------ results

  /** Everything measured so far, as plain JSON-safe data (intervals closed so far). */
  result(): SimResult {
    const K = this.timeNs.length;
    // delays of the interval still open count in the whole-run summary
    const open = (r: VmRecord) => { const h = new DelayHistogram(); h.merge(r.hist); h.merge(r.intervalHist); return h; };
    const iv = this.intervalNs;
    const vms: SimVmResult[] = this.records.map((r) => {
      const hist = open(r);
      const sentBps: (number | null)[] = [];
      let sumSent = 0, sumIdeal = 0, nPresent = 0;
      for (let k = 0; k < K; k++) {
        if (r.offeredSeries[k] === null) { sentBps.push(null); continue; }
        const v = (r.sent.get(k) * 8e9) / iv;
        sentBps.push(v);
        sumSent += v; sumIdeal += r.idealSeries[k] ?? 0; nPresent++;
      }
      return {
        id: r.id, name: r.name, macs: r.macs, allocation: { ...r.alloc }, source: r.sourceLabel,
        addedAtNs: r.addedAtNs, removedAtNs: r.removedAtNs,
        offeredPackets: r.offeredPackets, offeredBytes: r.offeredBytes,
        acceptedPackets: r.acceptedPackets, acceptedBytes: r.acceptedBytes,
        sentPackets: r.sentPackets, sentBytes: r.sentBytes,
        fullStatuses: r.fullStatuses, hostDrops: r.source.hostDrops, returned: r.returned, pauses: r.pauses,
        achievedBps: nPresent ? sumSent / nPresent : 0,
        idealBps: nPresent ? sumIdeal / nPresent : 0,
        delay: { p50Ns: hist.quantile(0.5), p99Ns: hist.quantile(0.99), maxNs: hist.maxNs, meanNs: hist.meanNs, count: hist.count },
        series: {
          sentBps, idealBps: r.idealSeries.slice(0, K), offeredBps: r.offeredSeries.slice(0, K),
          delayP50Ns: r.p50Series.slice(0, K), delayP99Ns: r.p99Series.slice(0, K), backlogPackets: r.backlogSeries.slice(0, K),
        },
      };
    });
    const stats = this.engine.stats();
    const nics: SimNicResult[] = [];
    let teamCapacityBps = 0;
    const meanLen = this.meanFrameBytes();
    for (const n of this.nics) {
      if (!n) continue;
      const util: number[] = [];
      let sum = 0;
      for (let k = 0; k < K; k++) {
        const u = Math.min(1, (n.wire.get(k) * 8e9) / (n.speedBps * iv));
        util.push(u); sum += u;
      }
      teamCapacityBps += (n.speedBps * meanLen) / (meanLen + n.model.params.wireOverheadBytes);
      nics.push({
        index: n.index, name: n.name, speedBps: n.speedBps, wireOverheadBytes: n.model.params.wireOverheadBytes,
        utilization: K ? sum / K : 0, sentPackets: n.sentPackets, sentBytes: n.sentBytes,
        failovers: stats.nics.find((x) => x.index === n.index)?.failovers ?? 0,
        series: { utilization: util, up: n.upSeries.slice(0, K) },
      });
    }
    const census = this.packets.census();
    const c = {
      accepted: this.accepted, completed: this.completedTotal, queued: census.queued, inFlight: census.released,
      returned: this.returnedTotal, violations: this.violations, ok: false,
    };
    c.ok = c.violations === 0 && c.accepted === c.completed + c.queued + c.inFlight + c.returned;
    return {
      scenario: {
        name: this.scenario.name, seed: this.scenario.seed, durationNs: this.scenario.durationNs,
        sampleIntervalNs: iv, policy: this.engine.policy,
        ...(this.scenario.description !== undefined ? { description: this.scenario.description } : {}),
      },
      timeNs: this.timeNs.slice(),
      vms, nics,
      events: this.events.slice(),
      eventCounts: { ...this.eventCounts },
      conservation: c,
      totals: {
        simulatedNs: this.nowNs,
        sentPackets: this.completedTotal,
        sentBytes: vms.reduce((s, v) => s + v.sentBytes, 0),
        teamCapacityBps, feasible: this.feasible,
      },
    };
  }

}

/** A copy of `a` in a larger column of `size` entries. */
function grown(a: Uint32Array, size: number): Uint32Array<ArrayBuffer> {
  const b = new Uint32Array(size);
  b.set(a);
  return b;
}

/** Event payloads as JSON-safe data: bigint (e.g. advice times) → number (exact below 2^53). */
function plain(v: unknown): unknown {
  if (typeof v === 'bigint') return Number(v);
  if (Array.isArray(v)) return v.map(plain);
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = plain(x);
    return out;
  }
  return v;
}

/** Flap faults become alternating link-down / link-up faults; all are ordered by time (stable). */
function expandFaults(faults: FaultSpec[]): Timed[] {
  const out: Timed[] = [];
  let seq = 0;
  for (const f of faults) {
    if (f.type === 'flap') {
      let t = f.atNs;
      for (let i = 0; i < f.count; i++) {
        out.push({ atNs: t, type: 'link-down', nic: f.nic, seq: seq++ });
        out.push({ atNs: t + f.downNs, type: 'link-up', nic: f.nic, seq: seq++ });
        t += f.downNs + f.upNs;
      }
    } else out.push({ ...f, seq: seq++ });
  }
  return out.sort((a, b) => a.atNs - b.atNs || a.seq - b.seq);
}

/** A short human label for a source ("cbr 200 Mbit/s, fixed 200 B"). */
export function describeSource(s: SourceSpec): string {
  const rate = (bps: number) => (bps >= 1e9 ? `${+(bps / 1e9).toFixed(2)} Gbit/s` : `${+(bps / 1e6).toFixed(1)} Mbit/s`);
  const ms = (ns: number) => `${+(ns / 1e6).toFixed(3)} ms`;
  if (s.type === 'none') return 'none';
  const size = s.size.kind === 'fixed' ? `${s.size.bytes} B` : s.size.kind === 'uniform' ? `${s.size.minBytes}-${s.size.maxBytes} B` : s.size.kind;
  switch (s.type) {
    case 'greedy': return `greedy, ${size}`;
    case 'cbr': return `cbr ${rate(s.rateBps)}, ${size}`;
    case 'poisson': return `poisson ${rate(s.rateBps)}, ${size}`;
    case 'onoff': return `on/off ${rate(s.rateBps)} ${ms(s.onNs)}/${ms(s.offNs)}, ${size}`;
    case 'tcp': return `tcp-like AIMD ≤ ${rate(s.maxRateBps)}, ${size}`;
  }
}

export interface RunOptions {
  /** Called about 100 times per run with simulated ns done and the total. */
  onProgress?: (doneNs: number, totalNs: number) => void;
  /** Replay feed (see replay.ts). */
  feed?: FrameFeed;
}

/** Runs a whole scenario and returns its result (deterministic: same scenario and seed, same JSON). */
export async function runSimulation(scenario: Scenario, options: RunOptions = {}): Promise<SimResult> {
  const sim = await Simulation.create(scenario, options.feed ? { feed: options.feed } : {});
  const total = scenario.durationNs;
  const chunk = Math.max(1, Math.ceil(total / 100));
  for (let t = 0; t < total;) {
    t = Math.min(total, t + chunk);
    sim.step(t);
    options.onProgress?.(t, total);
  }
  return sim.result();
}
