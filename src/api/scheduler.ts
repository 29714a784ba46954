// scheduler.ts — the public Scheduler: configuration, the batch data path and
// event delivery around one instance of the Wasm core.
//
// Config calls validate (config.ts), stage numbers into the core's config
// record and call one export. Data-path calls copy a batch into the core's
// in-ring, make ONE call per batch of up to capacity.batchSize descriptors,
// and hand back typed-array views over the out-ring: no allocation on the
// path when no event fires. Results are views valid until the next call.
// Time is bigint nanoseconds of a monotonic clock: passed in, or read once
// per call from `config.clock` (default: process.hrtime / performance.now).

import * as L from '../wasm/layout.js';
import { instantiateCore, type CoreExports } from '../wasm/core.js';
import { NicteamError } from '../errors.js';
import {
  parseOrThrow, schedulerSchema, vmSchema, vmUpdateSchema, resolveCapacity, resolveVm, macToWords, normalizeMac,
  nicSchema, type ResolvedCapacity, type ResolvedVm, type SchedulerConfigInput, type VmConfigInput,
  type VmUpdateInput, type TeamingPolicy, type HashMode, type NicConfigInput, POLICIES, PINNED_POLICIES,
} from './config.js';
import { LoadBalancer, LOAD_BASED_DEFAULTS } from './rebalance.js';
import { Advisor, type AdvisorOptions } from './advice.js';
import { RateTracker } from './rates.js';
import { formatMetrics } from './metrics.js';
import { fairnessIndex, reservationConformance } from './fairness.js';
import { macHash } from './machash.js';
import { Emitter, type EventName, type Listener, type SchedulerEvents, type VmMove } from './events.js';
import { readStats, type StatsSnapshot, type VmStats } from './stats.js';

/** Status per packet from enqueue / enqueueFrames. */
export const Status = { queued: 0, full: 1, unknownVm: 2, forged: 3, malformed: 4 } as const;
export type StatusCode = (typeof Status)[keyof typeof Status];
export const STATUS_NAMES = ['queued', 'full', 'unknown-vm', 'forged', 'malformed'] as const;

export interface PollResult {
  /** Decisions in this result; the arrays below are longer, read indices 0..count-1. */
  count: number;
  handles: Uint32Array;
  nics: Uint32Array;
  vms: Uint32Array;
  lengths: Uint32Array;
  /**
   * When the host should poll again (ns): a VM held by its limit or peak becomes
   * eligible, or a delayed link change / timed event falls due; null when nothing
   * is pending. Read it before the next call (it is computed when read).
   */
  readonly nextWakeNs: bigint | null;
}

export interface EnqueueResult {
  /** Packets taken (status queued). */
  accepted: number;
  /** Packets in this call; statuses[0..count-1] is one status per packet (see Status). */
  count: number;
  statuses: Uint8Array;
  /** The VM each packet was classified to (0xffffffff when none); for enqueueFrames. */
  vms: Uint32Array;
}

/**
 * Views of the core's ingress columns and frame buffer in Wasm memory (zero-copy
 * ingress, see Scheduler.rawBuffers). Columns hold capacity.batchSize entries.
 */
export interface RawBuffers {
  /** capacity.frameBufferBytes bytes: frames referenced by offsets/capturedLengths. */
  frames: Uint8Array;
  offsets: Uint32Array;
  capturedLengths: Uint32Array;
  /** wire lengths in bytes, charged to the VM */
  lengths: Uint32Array;
  handles: Uint32Array;
  /** pre-classified: the VM of each packet (input); raw frames: the VM classified (output, 0xffffffff = none) */
  vms: Uint32Array;
  /** pre-classified: flow hash per packet (input); raw frames: the hash computed (output) */
  flowHashes: Uint32Array;
  /** one Status per packet of the last call */
  statuses: Uint8Array;
}

export interface RemovedVm { handles: Uint32Array; lengths: Uint32Array }

export interface CreateOptions {
  /** Wasm module bytes to use instead of the inlined release build (e.g. build/debug.wasm). */
  wasm?: Uint8Array | ArrayBuffer;
}

/** the smallest reservation the core represents (bit/s); a scaled floor never drops below it while it is granted at all */
const MIN_RES = 1_000;
/** An id that is not a u32 (NaN, 1.5, 2^32, -1) must not alias a real VM: it becomes unknown (NIL). */
function vmId(x: number): number { return x >>> 0 === x ? x : NIL; }
const minWake = (a: bigint | null, b: bigint | null) => (a === null ? b : b === null ? a : a < b ? a : b);

const HASH_CODE: Record<HashMode, number> = { l2: 0, 'l2+3': 1, 'l3+4': 2 };
const NIL = 0xffffffff;

interface VmRecord { id: number; name: string; macs: string[]; cfg: ResolvedVm }

/** Team behaviour that lives in the host half (timers on the engine clock). */
interface TeamTiming {
  downDelayNs: bigint; upDelayNs: bigint; notifyCount: number; notifyIntervalNs: bigint; pauseOnFailoverNs: bigint;
}
interface Timed { due: bigint; seq: number; type: EventName; event: unknown }
interface NicRecord { name: string; speedBps: number; inFlightBytes: number }

function defaultClock(): () => bigint {
  const g = globalThis as { process?: { hrtime?: { bigint?: () => bigint } }; performance?: { now(): number } };
  const hr = g.process?.hrtime?.bigint;
  if (hr) return () => hr();
  const perf = g.performance;
  if (perf) return () => BigInt(Math.round(perf.now() * 1e6));
  return () => BigInt(Date.now()) * 1_000_000n;
}

export class Scheduler {
  readonly capacity: ResolvedCapacity;
  readonly policy: TeamingPolicy;
  private readonly core: CoreExports;
  private readonly emitter = new Emitter();
  private readonly clock: () => bigint;
  private readonly notifySwitches: boolean;
  private readonly u32: Uint32Array;
  private readonly hdr: Uint32Array;
  private readonly inVm: Uint32Array; private readonly inLen: Uint32Array; private readonly inHandle: Uint32Array;
  private readonly inHash: Uint32Array; private readonly inOff: Uint32Array; private readonly inCap: Uint32Array;
  private readonly statusView: Uint8Array;
  private readonly frameView: Uint8Array;
  private readonly cfg: BigUint64Array;
  private readonly result: PollView;
  private readonly enq: EnqueueResult;
  private readonly vms = new Map<number, VmRecord>();
  private readonly vmNames = new Map<string, number>();
  private readonly macOwner = new Map<string, number>();
  private readonly nics: (NicRecord | undefined)[] = [];
  private pendingMoves: VmMove[] = [];
  private closed = false;
  private readonly timing: TeamTiming;
  /** link changes waiting out downDelay/upDelay, per NIC index */
  private readonly pendingLinks = new Map<number, { up: boolean; due: bigint }>();
  /** link state as the engine sees it (after delays) */
  private readonly linkUp: boolean[] = [];
  /** host-side events due later on the engine clock (notify repeats, failover pause ends) */
  private timed: Timed[] = [];
  private timedSeq = 0;
  private now = 0n;
  private readonly balancer: LoadBalancer | undefined;
  private readonly rates = new RateTracker();
  private advisor: Advisor | undefined;

  /** Use createScheduler(). */
  private constructor(core: CoreExports, cap: ResolvedCapacity, policy: TeamingPolicy, notifySwitches: boolean, clock: () => bigint,
    timing: TeamTiming, balancer: LoadBalancer | undefined) {
    this.core = core; this.capacity = cap; this.policy = policy; this.notifySwitches = notifySwitches; this.clock = clock;
    this.timing = timing; this.balancer = balancer;
    const hdrPtr = core.init(cap.maxVms, cap.maxNics, cap.poolPackets, cap.batchSize, cap.eventCapacity, cap.frameBufferBytes, cap.macSlots, cap.flowletSlots);
    if (hdrPtr < 0) throw new NicteamError(hdrPtr === -4 ? 'CAPACITY' : 'WASM', `the Wasm core could not lay out its memory (code ${hdrPtr}); lower capacity.maxVms, queuePackets or poolPackets`, 'capacity');
    const buf = core.memory.buffer;
    this.u32 = new Uint32Array(buf);
    this.hdr = new Uint32Array(buf, hdrPtr, L.H_WORDS);
    if (this.hdr[L.H_VERSION] !== L.LAYOUT_VERSION) throw new NicteamError('WASM', `Wasm layout version ${this.hdr[L.H_VERSION]} does not match the host's ${L.LAYOUT_VERSION}`);
    if (this.hdr[L.H_VM_STRIDE] !== L.VM_STRIDE || this.hdr[L.H_VMSTAT_STRIDE] !== L.VMSTAT_STRIDE || this.hdr[L.H_NIC_STRIDE] !== L.NIC_STRIDE || this.hdr[L.H_EV_STRIDE] !== L.EV_STRIDE)
      throw new NicteamError('WASM', 'Wasm record strides do not match the host layout (mismatched build)');
    const b = cap.batchSize;
    const col = (w: number) => new Uint32Array(buf, this.hdr[w]!, b);
    this.inVm = col(L.H_IN_VM); this.inLen = col(L.H_IN_LEN); this.inHandle = col(L.H_IN_HANDLE);
    this.inHash = col(L.H_IN_HASH); this.inOff = col(L.H_IN_OFF); this.inCap = col(L.H_IN_CAP);
    this.statusView = new Uint8Array(buf, this.hdr[L.H_STATUS]!, b);
    this.frameView = new Uint8Array(buf, this.hdr[L.H_FRAME_PTR]!, cap.frameBufferBytes);
    this.cfg = new BigUint64Array(buf, this.hdr[L.H_CFG_PTR]!, L.CFG_BYTES / 8);
    this.result = new PollView(this, col(L.H_OUT_HANDLE), col(L.H_OUT_NIC), col(L.H_OUT_VM), col(L.H_OUT_LEN));
    this.enq = { accepted: 0, count: 0, statuses: new Uint8Array(b), vms: new Uint32Array(b) };
  }

  /** @internal */
  static async create(config: SchedulerConfigInput, options: CreateOptions = {}): Promise<Scheduler> {
    const c = parseOrThrow(schedulerSchema, config, '');
    const cap = resolveCapacity(c.capacity, c.nics.length);
    const names = new Set<string>();
    c.nics.forEach((n, i) => {
      if (names.has(n.name)) throw new NicteamError('DUPLICATE', `NIC name "${n.name}" is used twice`, `nics[${i}].name`);
      names.add(n.name);
    });
    const core = await instantiateCore(options.wasm);
    const t = c.teaming;
    const policy = t?.policy ?? 'port-id';
    const ms = (x: number | undefined) => BigInt(x ?? 0) * 1_000_000n;
    const timing: TeamTiming = {
      downDelayNs: ms(t?.downDelayMs), upDelayNs: ms(t?.upDelayMs), notifyCount: t?.notifyCount ?? 1,
      notifyIntervalNs: ms(t?.notifyIntervalMs ?? 1000), pauseOnFailoverNs: ms(t?.pauseOnFailoverMs),
    };
    const balancer = new LoadBalancer({ ...LOAD_BASED_DEFAULTS, ...(t?.loadBased ?? {}) });
    const advisor = c.advice === false ? undefined : new Advisor((c.advice ?? {}) as AdvisorOptions);
    const s = new Scheduler(core, cap, policy, t?.notifySwitches ?? true, c.clock ?? defaultClock(), timing, balancer);
    s.advisor = advisor;
    core.setForgedPolicy(c.forgedTransmits === 'accept' ? 1 : 0);
    s.hashAlways = t?.hash !== undefined || policy === 'flow-hash' || policy === 'flowlet';
    core.setFlowHashing(s.hashAlways ? 1 : 0);
    core.setTeam(POLICIES.indexOf(policy), (t?.failback ?? true) ? 1 : 0, HASH_CODE[t?.hash ?? 'l3+4'], BigInt(Math.round((t?.flowletGapUs ?? 500) * 1000)));
    c.nics.forEach((n, i) => s.configureNic(i, n));
    s.drainEvents();
    return s;
  }

  // ------------------------------------------------------------------ NICs

  private configureNic(i: number, n: { name: string; speed: number; inFlightBytes?: number | undefined; up?: boolean | undefined }): void {
    // default in-flight limit: 50 µs of link time, at least two MTUs (like BQL's few tens of µs)
    const inFlightBytes = n.inFlightBytes ?? Math.max(2 * this.capacity.mtu, Math.round((n.speed / 8) * 50e-6));
    const r = this.core.nicSet(i, BigInt(n.speed), BigInt(inFlightBytes), n.up === false ? 0 : 1);
    if (r < 0) throw new NicteamError('OUT_OF_RANGE', `NIC ${i} could not be configured (code ${r})`, `nics[${i}]`);
    if (!this.nics[i]) this.linkUp[i] = n.up !== false;
    this.nics[i] = { name: n.name, speedBps: n.speed, inFlightBytes };
  }

  /**
   * Removes a NIC at run time: it fails over first (its traffic moves, its
   * in-flight packets are re-queued), then leaves the team. Its name is free again.
   */
  removeNic(nic: string | number, now?: bigint): void {
    this.live();
    const i = this.nicIndex(nic);
    const t = this.tick(now);
    this.pendingLinks.delete(i);
    if (this.linkUp[i]) { this.core.setLink(i, 0, t); this.linkUp[i] = false; this.drainEvents(); }
    this.core.nicDelete(i);
    this.nics[i] = undefined;
  }

  /** Adds a NIC at run time (down until setLink says up, unless `up` is true). Returns its index. */
  addNic(nic: NicConfigInput): number {
    this.live();
    const n = parseOrThrow(nicSchema, nic, 'nic');
    if (this.nics.some((x) => x?.name === n.name)) throw new NicteamError('DUPLICATE', `NIC name "${n.name}" is in use`, 'nic.name');
    // a slot never used before first (so a removed NIC's history keeps its index), then a freed one
    let i = this.nics.length < this.capacity.maxNics ? this.nics.length : this.nics.findIndex((x) => x === undefined);
    if (i < 0) i = this.nics.length;
    if (i >= this.capacity.maxNics) throw new NicteamError('CAPACITY', `all ${this.capacity.maxNics} NIC slots are in use (capacity.maxNics)`, 'nic');
    this.configureNic(i, { ...n, up: n.up ?? true });
    this.drainEvents();
    return i;
  }

  /** NIC index for a name or index; throws UNKNOWN_NIC. */
  nicIndex(nic: string | number): number {
    const i = typeof nic === 'number' ? nic : this.nics.findIndex((x) => x?.name === nic);
    if (!Number.isInteger(i) || i < 0 || !this.nics[i]) throw new NicteamError('UNKNOWN_NIC', `no NIC ${JSON.stringify(nic)}`, 'nic');
    return i;
  }

  nicName(i: number): string { return this.nics[i]?.name ?? `nic${i}`; }

  get nicNames(): string[] { return this.nics.filter((x): x is NicRecord => !!x).map((x) => x.name); }

  /**
   * Link change reported by the host. With no delay configured, failover
   * (re-steer, moves, notify) happens inside this call; with teaming.downDelayMs /
   * upDelayMs the change takes effect when it has lasted that long on the engine
   * clock (at a later call), and a change reverted within the delay never does.
   */
  setLink(nic: string | number, up: boolean, now?: bigint): void {
    this.live();
    const i = this.nicIndex(nic);
    const t = this.tick(now);
    const pending = this.pendingLinks.get(i);
    if (pending && pending.up !== up) this.pendingLinks.delete(i); // a flap shorter than the delay: filtered
    if (this.linkUp[i] === up) return;
    const delay = up ? this.timing.upDelayNs : this.timing.downDelayNs;
    if (delay === 0n) this.applyLink(i, up, t);
    else if (!this.pendingLinks.has(i)) this.pendingLinks.set(i, { up, due: t + delay });
  }

  private applyLink(i: number, up: boolean, t: bigint): void {
    this.linkUp[i] = up;
    this.core.setLink(i, up ? 1 : 0, t);
    this.drainEvents();
    this.rescaleReservations();
  }

  /** Reservation in force per VM id (bit/s) when it differs from the configured one. */
  private readonly effectiveRes = new Map<number, number>();

  /**
   * DESIGN §2 rule 1: when the reservations of a pool (a NIC for pinned VMs,
   * the team's up capacity for the others) exceed its capacity, floors are
   * granted by priority, highest first, and the class where capacity runs out
   * is scaled proportionally; lower classes get none. The core is given those
   * effective reservations (the configured ones stay in vmConfig and return
   * when capacity does); a `capacity` event has already told the host.
   * Config time only: after link changes, VM and NIC changes and moves.
   */
  private rescaleReservations(): void {
    // fast path (O(NICs), so adding thousands of VMs stays linear): nothing is scaled now and all
    // reservations together fit on the slowest up NIC, so no pool (that NIC or any other, or the
    // team) can be over its capacity and the full pass below would change nothing. With nothing
    // scaled the core enforces the configured reservations, so its running sum is theirs.
    if (this.effectiveRes.size === 0) {
      let minUp = Infinity;
      this.nics.forEach((n, i) => { if (n && this.linkUp[i] && n.speedBps < minUp) minUp = n.speedBps; });
      if (Number(this.core.reserved()) <= minUp) return;
    }
    // at the engine's own clock: the moment of the change that caused this. Not `now`: a
    // delayed link change applies at its due time, and a second one due later in the
    // same call must not find the core already moved on to `now` (a step back it would count)
    const t = this.core.clock();
    const vmBase = this.hdr[L.H_VM_PTR]!;
    const pools = new Map<number, { cap: number; vms: VmRecord[] }>();
    let teamCap = 0;
    this.nics.forEach((n, i) => { if (n && this.linkUp[i]) teamCap += n.speedBps; });
    for (const r of this.vms.values()) {
      if (!r.cfg.reservationBps && !this.effectiveRes.has(r.id)) continue;
      const nic = this.u32[(vmBase + r.id * L.VM_STRIDE + L.V_NIC) >>> 2]!;
      const key = nic === NIL ? -1 : nic;
      const cap = nic === NIL ? teamCap : this.linkUp[nic] ? this.nics[nic]!.speedBps : 0;
      if (!pools.has(key)) pools.set(key, { cap, vms: [] });
      pools.get(key)!.vms.push(r);
    }
    const want = new Map<number, number>();
    for (const { cap, vms } of pools.values()) {
      const total = vms.reduce((a, r) => a + r.cfg.reservationBps, 0);
      if (total <= cap || cap === 0) { for (const r of vms) want.set(r.id, r.cfg.reservationBps); continue; }
      let left = cap;
      for (let prio = 7; prio >= 0; prio--) {
        const cls = vms.filter((r) => r.cfg.priority === prio);
        const sum = cls.reduce((a, r) => a + r.cfg.reservationBps, 0);
        const f = sum === 0 ? 0 : Math.min(1, left / sum);
        for (const r of cls) want.set(r.id, r.cfg.reservationBps ? Math.max(MIN_RES, Math.floor(r.cfg.reservationBps * f)) : 0);
        left = Math.max(0, left - sum * f);
      }
    }
    // the core re-checks capacity on every update; the host already had its `capacity` event.
    // Drained after each update: many updates would otherwise overflow a small event ring
    // with these repeats and report events lost that no one needed (found by npm run fuzz).
    this.quietCapacity = true;
    for (const id of [...want.keys()].sort((a, b) => a - b)) {
      const r = this.vms.get(id)!;
      const eff = want.get(id)!;
      const cur = this.effectiveRes.get(id) ?? r.cfg.reservationBps;
      if (eff === cur) continue;
      if (eff === r.cfg.reservationBps) this.effectiveRes.delete(id); else this.effectiveRes.set(id, eff);
      this.stage({ ...r.cfg, reservationBps: eff });
      this.core.vmUpdate(id, t);
      if (this.hdr[L.H_EV_COUNT]) this.drainEvents();
    }
    this.drainEvents();
    this.quietCapacity = false;
  }
  private quietCapacity = false;

  /** @internal the scaled reservation in force for a VM, if any (bit/s), for tests. */
  _effectiveOverride(vm: number): number | undefined { return this.effectiveRes.get(vm); }

  /** @internal the reservation the core enforces for a VM (bit/s), for tests. */
  _effectiveReservation(vm: number): number { return this.effectiveRes.get(vm) ?? this.record(vm).cfg.reservationBps; }

  /** Reads the clock once for a call, applies link changes and timed events that are due. */
  private tick(now?: bigint): bigint {
    const t = now === undefined ? this.clock() : now;
    if (t > this.now) this.now = t;
    // per-call fast path: nothing pending is two plain field reads (no Map access; see docs/performance.md, allocation)
    if (this.pendingLinks.size === 0 && (this.timed.length === 0 || this.timed[0]!.due > t)) return t;
    return this.tickSlow(t);
  }

  private tickSlow(t: bigint): bigint {
    if (this.pendingLinks.size) {
      const due = [...this.pendingLinks].filter(([, p]) => p.due <= t).sort((a, b) => (a[1].due < b[1].due ? -1 : a[1].due > b[1].due ? 1 : a[0] - b[0]));
      for (const [i, p] of due) { this.pendingLinks.delete(i); this.applyLink(i, p.up, p.due); }
    }
    if (this.timed.length && this.timed[0]!.due <= t) {
      const due = this.timed.filter((e) => e.due <= t);
      this.timed = this.timed.filter((e) => e.due > t);
      for (const e of due) this.emitter.emit(e.type, e.event as never);
    }
    return t;
  }

  private schedule(due: bigint, type: EventName, event: unknown): void {
    this.timed.push({ due, seq: this.timedSeq++, type, event });
    this.timed.sort((a, b) => (a.due < b.due ? -1 : a.due > b.due ? 1 : a.seq - b.seq));
  }

  /** NICs up as the engine sees them (after link delays). */
  get linkState(): boolean[] { return this.nics.map((n, i) => !!n && !!this.linkUp[i]); }

  /** TX completions: the oldest `count` packets handed to `nic` have left. Returns how many were in flight. */
  completed(nic: number | string, count: number): number {
    if (this.closed) return 0;
    const i = typeof nic === 'number' && nic >= 0 && nic < this.capacity.maxNics ? nic : this.nicIndex(nic);
    // a negative or non-finite count completes nothing (-1 would otherwise read as 2^32 − 1); fractions round down
    const n = Number.isFinite(count) && count >= 0 ? Math.min(Math.floor(count), 1 << 24) : 0; // no NIC holds more than the pool
    const r = this.core.completed(i, n);
    if (this.hdr[L.H_EV_COUNT]) this.drainEvents();
    return r < 0 ? 0 : r;
  }

  // ------------------------------------------------------------------ VMs

  private stage(v: ResolvedVm): void {
    const c = this.cfg;
    c[L.C_SHARES / 8] = BigInt(v.shares);
    c[L.C_RES_BPS / 8] = BigInt(v.reservationBps);
    c[L.C_LIM_BPS / 8] = BigInt(v.limitBps);
    c[L.C_BURST / 8] = BigInt(v.burstBytes);
    c[L.C_PEAK_BPS / 8] = BigInt(v.peakBps);
    c[L.C_PEAK_BURST / 8] = BigInt(v.peakBurstBytes);
    c[L.C_PRIO / 8] = BigInt(v.priority);
    c[L.C_QMAX_PKTS / 8] = BigInt(v.queuePackets);
    c[L.C_QMAX_BYTES / 8] = BigInt(v.queueBytes);
    c[L.C_HIWM / 8] = BigInt(v.highWatermark);
    c[L.C_LOWM / 8] = BigInt(v.lowWatermark);
    c[L.C_MTU / 8] = BigInt(this.capacity.mtu);
    c[L.C_POLICY / 8] = BigInt(v.policy ?? 0xff);
    c[L.C_MAC_HASH / 8] = BigInt(v.macHash >>> 0);
    let order = 0n;
    for (let k = 7; k >= 0; k--) order = (order << 8n) | BigInt(v.failoverOrder[k] ?? 0xff);
    c[L.C_ORDER / 8] = order;
  }

  /** Adds a VM; returns its id (a small integer used on the data path). */
  addVm(config: VmConfigInput, now?: bigint): number {
    this.live();
    const v = parseOrThrow(vmSchema, config, 'vm');
    if (this.vmNames.has(v.name)) throw new NicteamError('DUPLICATE', `VM name "${v.name}" is in use`, 'vm.name');
    const macs = (v.mac === undefined ? [] : Array.isArray(v.mac) ? v.mac : [v.mac]).map(normalizeMac);
    macs.forEach((m, i) => {
      if (this.macOwner.has(m) || macs.indexOf(m) !== i) throw new NicteamError('DUPLICATE', `MAC ${m} already belongs to a VM`, 'vm.mac');
    });
    const cfg = resolveVm(v, this.capacity);
    const pol = POLICIES[cfg.policy ?? POLICIES.indexOf(this.policy)]!;
    if (v.failoverOrder) {
      if (pol !== 'failover-order') throw new NicteamError('INCONSISTENT', `failoverOrder is only used with policy "failover-order" (this VM's policy is "${pol}")`, 'vm.failoverOrder');
      cfg.failoverOrder = v.failoverOrder.map((name, k) => {
        const i = this.nics.findIndex((x) => x?.name === name);
        if (i < 0) throw new NicteamError('UNKNOWN_NIC', `no NIC named "${name}"`, `vm.failoverOrder[${k}]`);
        return i;
      });
    } else if (pol === 'failover-order') {
      cfg.failoverOrder = this.nics.map((x, i) => (x ? i : -1)).filter((i) => i >= 0).slice(0, 8);
    }
    if (macs.length) cfg.macHash = macHash(...macToWords(macs[0]!));
    this.stage(cfg);
    const id = this.core.vmAdd(this.tick(now));
    if (id < 0) throw new NicteamError('CAPACITY', `all ${this.capacity.maxVms} VM slots are in use (capacity.maxVms)`, 'vm');
    for (const m of macs) {
      const [hi, lo] = macToWords(m);
      if (this.core.macSet(id, hi, lo) < 0) {
        for (const done of macs) { if (done === m) break; const [h2, l2] = macToWords(done); this.core.macRemove(h2, l2); this.macOwner.delete(done); }
        this.core.vmRemove(id);
        throw new NicteamError('CAPACITY', 'the MAC table is full (capacity.maxMacs)', 'vm.mac');
      }
      this.macOwner.set(m, id);
    }
    this.vms.set(id, { id, name: v.name, macs, cfg });
    this.vmRowsChanged();
    if (this.isLoadBased(cfg)) this.loadBasedVms++;
    this.countHashing(cfg, 1);
    this.vmNames.set(v.name, id);
    this.drainEvents();
    if (cfg.reservationBps) this.rescaleReservations();
    return id;
  }

  private record(vm: number): VmRecord {
    const r = this.vms.get(vm);
    if (!r) throw new NicteamError('UNKNOWN_VM', `no VM with id ${vm}`, 'vm');
    return r;
  }

  /** Changes a VM's allocation; on error the previous config stays fully in force. */
  updateVm(vm: number, changes: VmUpdateInput, now?: bigint): void {
    this.live();
    const r = this.record(vm);
    const v = parseOrThrow(vmUpdateSchema, changes, 'vm');
    const cfg = resolveVm(v, this.capacity, r.cfg);
    this.stage({ ...cfg, reservationBps: this.effectiveRes.get(vm) ?? cfg.reservationBps });
    const t = this.tick(now);
    const rc = this.core.vmUpdate(vm, t);
    if (rc < 0) throw new NicteamError('UNKNOWN_VM', `VM ${vm} could not be updated (code ${rc})`, 'vm');
    r.cfg = cfg;
    this.vmRowsChanged();
    this.drainEvents();
    this.rescaleReservations();
  }

  /** Removes a VM and hands back the packets it still had queued (never dropped). */
  removeVm(vm: number): RemovedVm {
    this.live();
    const r = this.record(vm);
    this.core.vmRemove(vm);
    const handles: number[] = [], lengths: number[] = [];
    for (;;) {
      const n = this.core.vmTakeQueued(vm, this.capacity.batchSize);
      if (n <= 0) break;
      for (let i = 0; i < n; i++) { handles.push(this.result.handles[i]!); lengths.push(this.result.lengths[i]!); }
    }
    for (const m of r.macs) { const [hi, lo] = macToWords(m); this.core.macRemove(hi, lo); this.macOwner.delete(m); }
    this.vms.delete(vm);
    this.vmRowsChanged();
    this.vmNames.delete(r.name);
    this.effectiveRes.delete(vm);
    if (this.isLoadBased(r.cfg)) this.loadBasedVms--;
    this.countHashing(r.cfg, -1);
    this.drainEvents();
    if (r.cfg.reservationBps) this.rescaleReservations();
    return { handles: Uint32Array.from(handles), lengths: Uint32Array.from(lengths) };
  }

  vmId(name: string): number | undefined { return this.vmNames.get(name); }
  vmName(vm: number): string | undefined { return this.vms.get(vm)?.name; }
  vmConfig(vm: number): Readonly<ResolvedVm> { return this.record(vm).cfg; }
  vmMacs(vm: number): readonly string[] { return this.record(vm).macs; }
  get vmIds(): number[] { return [...this.vms.keys()].sort((a, b) => a - b); }

  // ------------------------------------------------------------------ data path

  /**
   * Pre-classified packets (the host's virtual port already names the VM).
   * `vm` is one id for all packets or one per packet. Flow hashes are optional
   * (0 when absent). One core call per batch of up to capacity.batchSize.
   */
  enqueue(vm: number | ArrayLike<number>, lengths: ArrayLike<number>, handles: ArrayLike<number>,
    flowHashes?: ArrayLike<number>, now?: bigint): EnqueueResult {
    const n = lengths.length;
    if (handles.length < n) throw new NicteamError('INVALID_CONFIG', `handles has ${handles.length} entries for ${n} lengths`, 'handles');
    const t = this.tick(now);
    const out = this.prepareResult(n);
    const b = this.capacity.batchSize;
    const single = typeof vm === 'number';
    const one = single ? vmId(vm as number) : 0;
    for (let base = 0; base < n; base += b) {
      const m = Math.min(b, n - base);
      for (let i = 0; i < m; i++) {
        const j = base + i;
        this.inVm[i] = single ? one : vmId((vm as ArrayLike<number>)[j]!);
        this.inLen[i] = lengths[j]!;
        this.inHandle[i] = handles[j]!;
        this.inHash[i] = flowHashes ? flowHashes[j]! : 0;
      }
      out.accepted += this.core.enqueue(m, t);
      this.copyOut(out, base, m);
      if (this.hdr[L.H_EV_COUNT]) this.drainEvents();
    }
    return out;
  }

  /**
   * Raw Ethernet frames, classified by source MAC (802.1Q/802.1ad aware).
   * `wireLengths` are the lengths charged to the VM when the bytes given are a
   * truncated capture (default: each frame's byteLength).
   */
  enqueueFrames(frames: readonly Uint8Array[], handles: ArrayLike<number>, wireLengths?: ArrayLike<number>, now?: bigint): EnqueueResult {
    return this.framesIn(frames, handles, wireLengths, now, undefined);
  }

  /**
   * Raw frames from the host's virtual ports: `ports` names the VM whose port
   * each frame came from (one id, or one per frame). The source MAC is checked
   * against that VM's MACs; a mismatch is a forged transmit, rejected with
   * status forged or accepted and charged to the port's VM (config
   * forgedTransmits), and counted on the port's VM (stats forgedPackets).
   */
  enqueueFramesFromPorts(ports: number | ArrayLike<number>, frames: readonly Uint8Array[], handles: ArrayLike<number>,
    wireLengths?: ArrayLike<number>, now?: bigint): EnqueueResult {
    return this.framesIn(frames, handles, wireLengths, now, ports);
  }

  private framesIn(frames: readonly Uint8Array[], handles: ArrayLike<number>, wireLengths: ArrayLike<number> | undefined,
    now: bigint | undefined, ports: number | ArrayLike<number> | undefined): EnqueueResult {
    const n = frames.length;
    if (handles.length < n) throw new NicteamError('INVALID_CONFIG', `handles has ${handles.length} entries for ${n} frames`, 'handles');
    const t = this.tick(now);
    const out = this.prepareResult(n);
    const cap = this.capacity.frameBufferBytes, batch = this.capacity.batchSize;
    const fv = this.frameView, inOff = this.inOff, inCap = this.inCap, inLen = this.inLen, inHandle = this.inHandle, inVm = this.inVm;
    let i = 0;
    while (i < n) {
      let m = 0, off = 0;
      const lim = Math.min(n - i, batch);
      while (m < lim) {
        const j = i + m;
        const f = frames[j]!;
        const len = f.byteLength;
        // a frame longer than the buffer is offered with the bytes that fit: it parses the same headers
        const take = len < cap ? len : cap;
        if (off + take > cap) { if (m > 0) break; }
        if (take === len) fv.set(f, off); else fv.set(f.subarray(0, take), off);
        inOff[m] = off; inCap[m] = take;
        inLen[m] = wireLengths ? wireLengths[j]! : len;
        inHandle[m] = handles[j]!;
        if (ports !== undefined) inVm[m] = vmId(typeof ports === 'number' ? ports : ports[j]!);
        off += take; m++;
      }
      out.accepted += ports === undefined ? this.core.enqueueFrames(m, t) : this.core.enqueueFramesFromPorts(m, t);
      this.copyOut(out, i, m);
      if (this.hdr[L.H_EV_COUNT]) this.drainEvents();
      i += m;
    }
    return out;
  }

  /** Copies one batch's statuses and VMs out of Wasm memory (a loop: subarray() would allocate). */
  private copyOut(out: EnqueueResult, base: number, m: number): void {
    const st = out.statuses, vms = out.vms, sv = this.statusView, iv = this.inVm;
    for (let k = 0; k < m; k++) { st[base + k] = sv[k]!; vms[base + k] = iv[k]!; }
  }

  private prepareResult(n: number): EnqueueResult {
    const r = this.enq;
    if (r.statuses.length < n) { r.statuses = new Uint8Array(n); r.vms = new Uint32Array(n); }
    r.accepted = 0; r.count = n;
    return r;
  }

  /**
   * Direct access for zero-copy hosts: the frame buffer and descriptor columns in
   * Wasm memory (views stay valid for the scheduler's life: its memory never grows
   * after creation). Fill them and call enqueueWritten / enqueueWrittenFrames:
   * nothing is copied or allocated on the way in.
   */
  get rawBuffers(): RawBuffers {
    return { frames: this.frameView, offsets: this.inOff, capturedLengths: this.inCap, lengths: this.inLen, handles: this.inHandle, vms: this.inVm, flowHashes: this.inHash, statuses: this.statusView };
  }

  /**
   * Zero-copy, pre-classified: the host wrote `n` descriptors (n ≤ capacity.batchSize)
   * into rawBuffers.vms, lengths, handles and flowHashes. One core call. Returns
   * the packets accepted; the status of packet i is rawBuffers.statuses[i].
   */
  enqueueWritten(n: number, now?: bigint): number { return this.written(n, now, false); }

  /**
   * Zero-copy raw frames: the frames already sit in rawBuffers.frames (the host
   * wrote them there, e.g. a ring of frame slots or a capture read in place) and
   * the host wrote `n` descriptors (n ≤ capacity.batchSize): offsets[i] and
   * capturedLengths[i] locate frame i in the buffer, lengths[i] is its wire length,
   * handles[i] its handle. Classified by source MAC like enqueueFrames; a
   * descriptor outside the buffer is counted malformed, never read. One core call.
   * Returns the packets accepted; statuses in rawBuffers.statuses, VMs in rawBuffers.vms.
   */
  enqueueWrittenFrames(n: number, now?: bigint): number { return this.written(n, now, true); }

  /** One core call over n descriptors the host wrote (raw frames or pre-classified); a bad n throws before anything is read. */
  private written(n: number, now: bigint | undefined, frames: boolean): number {
    this.live();
    if (!Number.isInteger(n) || n < 0 || n > this.capacity.batchSize)
      throw new NicteamError('INVALID_CONFIG', `descriptor count must be an integer in 0..${this.capacity.batchSize} (capacity.batchSize), got ${n}`, 'n');
    const t = this.tick(now);
    const r = frames ? this.core.enqueueFrames(n, t) : this.core.enqueue(n, t);
    if (this.hdr[L.H_EV_COUNT]) this.drainEvents();
    return r;
  }

  /** Releases what NIC room and allocations allow (at most capacity.batchSize decisions). */
  poll(now?: bigint): PollResult {
    const t = this.tick(now);
    if (this.loadBasedVms > 0) this.rebalance(t);
    const r = this.result;
    r.count = this.core.poll(t, this.capacity.batchSize);
    if (this.hdr[L.H_EV_COUNT]) this.drainEvents();
    if (this.advisor !== undefined && this.advisor.due(t)) this.advise(t);
    return r;
  }

  /** Advice runs at most once per advice.evalIntervalNs (100 ms) of engine time, off the per-packet path. */
  private advise(t: bigint): void {
    const st = this.snapshot(false, this.advisorRows); // also brings the rates up to date; delay histograms are not needed here
    const pinnedTeam = PINNED_POLICIES.includes(this.policy);
    // the advisor's view of each VM's config changes only with add/update/remove: built once, not per evaluation
    const vms = (this.advisorVms ??= st.vms.map((v) => {
      const r = this.vms.get(v.id)!;
      return { id: v.id, name: r.name, ...r.cfg, pinned: PINNED_POLICIES.includes(POLICIES[r.cfg.policy ?? POLICIES.indexOf(this.policy)]!) };
    }));
    for (const a of this.advisor!.evaluate(t, st, this.rates, vms, pinnedTeam ? 'pinned' : 'pool')) this.emitter.emit('advice', a);
  }
  /** Cached per-VM config rows for the advisor, in vmIds order (null: rebuild at the next evaluation). */
  private advisorVms: ({ id: number; name: string; pinned: boolean } & ResolvedVm)[] | null = null;
  /** Cached (id, name) rows in vmIds order for readStats (null: rebuild at the next snapshot). */
  private statRows: { id: number; name: string }[] | null = null;
  /** The advisor's private snapshot rows, overwritten at each evaluation (never handed out). */
  private readonly advisorRows: VmStats[] = [];
  /** A VM was added, changed or removed: the cached per-VM rows are stale. */
  private vmRowsChanged(): void { this.advisorVms = null; this.statRows = null; }

  /** Prometheus text exposition (format 0.0.4) of every counter and gauge; names start with nicteam_. */
  metrics(): string {
    const st = this.stats();
    const A = this.advisor;
    return formatMetrics(st, this.rates, { fairnessIndex: st.team.fairnessIndex, reservationConformance: st.team.reservationConformance, ...(A ? { adviceTotal: A.counts } : {}) });
  }

  private hostWake(wake: bigint | null): bigint | null {
    for (const p of this.pendingLinks.values()) wake = minWake(wake, p.due);
    if (this.timed.length) wake = minWake(wake, this.timed[0]!.due);
    if (this.loadBasedVms > 0) wake = minWake(wake, this.balancer!.nextDue());
    return wake;
  }

  /** frames get flow hashes always (teaming.hash given, or a hashing team policy), else only while hashVms > 0 */
  private hashAlways = true;
  private hashVms = 0;
  private countHashing(cfg: ResolvedVm, delta: number): void {
    const p = cfg.policy === undefined ? undefined : POLICIES[cfg.policy];
    if (p !== 'flow-hash' && p !== 'flowlet') return;
    this.hashVms += delta;
    if (!this.hashAlways) this.core.setFlowHashing(this.hashVms > 0 ? 1 : 0);
  }

  /** VMs under the load-based policy (kept as a count: poll must not scan VMs). */
  private loadBasedVms = 0;
  private isLoadBased(cfg: ResolvedVm): boolean { return POLICIES[cfg.policy ?? POLICIES.indexOf(this.policy)] === 'load-based'; }

  private rebalance(t: bigint): void {
    const b = this.balancer!;
    const due = b.nextDue();
    if (due !== null && t < due) return;
    const isLb = (vm: number) => { const r = this.vms.get(vm); return !!r && this.isLoadBased(r.cfg); };
    for (const m of b.evaluate(t, this.stats(), isLb)) {
      if (this.core.vmMove(m.vm, m.to, t) < 0) continue;
      this.drainEvents();
      this.rescaleReservations();
      this.emitter.emit('rebalance', {
        vm: m.vm, name: this.vmName(m.vm), from: this.nicName(m.from), to: this.nicName(m.to),
        fromUtilization: m.fromUtilization, toUtilization: m.toUtilization, vmRateBps: m.vmRateBps,
      });
    }
  }

  // ------------------------------------------------------------------ events and stats

  on<K extends EventName>(type: K, fn: Listener<K>): () => void { return this.emitter.on(type, fn); }
  off<K extends EventName>(type: K, fn: Listener<K>): void { this.emitter.off(type, fn); }
  onAny(fn: (type: EventName, e: SchedulerEvents[EventName]) => void): () => void { return this.emitter.onAny(fn); }

  private drainEvents(): void {
    const n = this.hdr[L.H_EV_COUNT]!;
    const lost = this.hdr[L.H_EV_LOST]!;
    if (n === 0 && lost === 0) return;
    const base = this.hdr[L.H_EV_PTR]! >>> 2;
    const u32 = this.u32;
    const pending: [EventName, unknown][] = [];
    const nicName = (i: number) => (i === NIL ? null : this.nicName(i));
    for (let k = 0; k < n; k++) {
      const w = base + k * (L.EV_STRIDE / 4);
      const type = u32[w]!, a = u32[w + 1]!, b = u32[w + 2]!, c = u32[w + 3]!;
      const x = u32[w + 4]! + u32[w + 5]! * 2 ** 32, y = u32[w + 6]! + u32[w + 7]! * 2 ** 32;
      switch (type) {
        case L.EV_LINK: pending.push(['link', { nic: this.nicName(a), up: b === 1 }]); break;
        case L.EV_MOVED: {
          const move: VmMove = { vm: a, name: this.vmName(a), from: nicName(b), to: nicName(c) };
          this.pendingMoves.push(move);
          if (this.notifySwitches && c !== NIL && this.vms.has(a)) {
            const note = { vm: a, name: move.name, macs: [...this.vms.get(a)!.macs], nic: this.nicName(c) };
            pending.push(['notify', note]);
            for (let k = 1; k < this.timing.notifyCount; k++) this.schedule(this.now + BigInt(k) * this.timing.notifyIntervalNs, 'notify', note);
          }
          break;
        }
        case L.EV_FAILOVER: {
          const moves = this.takeMoves();
          pending.push(['failover', { nic: this.nicName(a), moves, resteered: c }]);
          if (this.timing.pauseOnFailoverNs > 0n) {
            for (const m of moves) {
              if (m.to === null) continue;
              const q = this.queued(m.vm);
              pending.push(['vm-pause', { vm: m.vm, name: m.name, queuedPackets: q.packets, queuedBytes: q.bytes, reason: 'failover' }]);
              this.schedule(this.now + this.timing.pauseOnFailoverNs, 'vm-resume', { vm: m.vm, name: m.name, queuedPackets: -1, queuedBytes: -1, reason: 'failover' });
            }
          }
          break;
        }
        case L.EV_FAILBACK: pending.push(['failback', { nic: this.nicName(a), moves: this.takeMoves() }]); break;
        case L.EV_TEAM_DOWN: pending.push(['team-down', {}]); break;
        case L.EV_TEAM_UP: pending.push(['team-up', {}]); break;
        case L.EV_PAUSE: pending.push(['vm-pause', { vm: a, name: this.vmName(a), queuedPackets: b, queuedBytes: x, reason: 'watermark' }]); break;
        case L.EV_RESUME: pending.push(['vm-resume', { vm: a, name: this.vmName(a), queuedPackets: b, queuedBytes: x, reason: 'watermark' }]); break;
        case L.EV_RETURNED: pending.push(['returned', { vm: a, handle: b, nic: this.nicName(c), length: x }]); break;
        case L.EV_CAPACITY: if (!this.quietCapacity) pending.push(['capacity', { nic: nicName(a), reservedBps: x, availableBps: y }]); break;
      }
    }
    this.hdr[L.H_EV_COUNT] = 0;
    this.pendingMoves = []; // moves outside a failover/failback (rebalancing) are reported by their own event
    if (lost) { this.hdr[L.H_EV_LOST] = 0; pending.push(['events-lost', { count: lost }]); }
    for (const [t, e] of pending) this.emitter.emit(t, e as never);
  }

  private queued(vm: number): { packets: number; bytes: number } {
    const v = this.hdr[L.H_VM_PTR]! + vm * L.VM_STRIDE;
    return { packets: this.u32[(v + L.V_QPKTS) >>> 2]!, bytes: this.u32[(v + L.V_QBYTES) >>> 2]! };
  }

  private takeMoves(): VmMove[] { const m = this.pendingMoves; this.pendingMoves = []; return m; }

  /** A snapshot of every counter (reading it costs the data path nothing), with EWMA rates and fairness. */
  stats(): StatsSnapshot { return this.snapshot(true); }

  /** stats() with or without the per-VM delay histograms (the advisor does not read them); with `reuse`, the advisor's private snapshot (rows overwritten in place, no fairness figures). */
  private snapshot(delays: boolean, reuse?: VmStats[]): StatsSnapshot {
    const st = this.counters(delays, reuse);
    this.rates.update(this.now, st);
    for (const v of st.vms) { const r = this.rates.vm(v.id, v.name); v.rateBps = r?.sentBps ?? 0; v.offeredBps = r?.offeredBps ?? 0; }
    for (const n of st.nics) { const r = this.rates.nic(n.index); n.utilization = r?.utilization ?? 0; n.rateBps = r?.sentBps ?? 0; }
    if (reuse) return st; // the advisor's private snapshot: it reads neither fairness figure
    const rows = this.fairnessRows(st);
    st.team.fairnessIndex = fairnessIndex(rows);
    st.team.reservationConformance = reservationConformance(rows);
    return st;
  }

  /** The raw counters only. */
  private counters(delays = true, reuse?: VmStats[]): StatsSnapshot {
    const rows = (this.statRows ??= this.vmIds.map((id) => ({ id, name: this.vms.get(id)!.name })));
    return readStats(this.core.memory.buffer, this.hdr, rows,
      this.nics.map((n, i) => (n ? { index: i, name: n.name, speedBps: n.speedBps } : undefined)), delays, reuse);
  }

  private fairnessRows(st: StatsSnapshot) {
    const A = this.advisor;
    return st.vms.map((v) => {
      const cfg = this.vms.get(v.id)!.cfg;
      return { rateBps: v.rateBps, shares: cfg.shares, reservationBps: cfg.reservationBps,
        backlogged: A ? A.backlogged.has(v.id) : v.queuedPackets > 0, idealBps: A?.fairShares.get(v.id) };
    });
  }

  /** Linear-memory size in bytes (constant after creation). */
  get memoryBytes(): number { return this.core.memory.buffer.byteLength; }

  private wakeLo = NIL; private wakeHi = NIL; private wakeBig: bigint | null = null;

  /**
   * @internal the core's own next wake (without host timers), for the
   * differential tests; a bigint is made only when the header's words changed
   */
  get _engineWake(): bigint | null {
    const lo = this.hdr[L.H_NEXT_WAKE_LO]!, hi = this.hdr[L.H_NEXT_WAKE_HI]!;
    if (lo !== this.wakeLo || hi !== this.wakeHi) {
      this.wakeLo = lo; this.wakeHi = hi;
      this.wakeBig = lo === NIL && hi === NIL ? null : (BigInt(hi) << 32n) | BigInt(lo);
    }
    return this.wakeBig;
  }

  /** @internal the next wake after the last poll, host timers included (read lazily by PollView). */
  _nextWake(): bigint | null {
    const wake = this._engineWake;
    return this.pendingLinks.size || this.timed.length || this.loadBasedVms > 0 ? this.hostWake(wake) : wake;
  }

  /** @internal raw core, for tests and benches that check the layout. */
  get _core(): CoreExports { return this.core; }
  /** @internal */
  get _header(): Uint32Array { return this.hdr; }

  close(): void { this.closed = true; }
  private live(): void { if (this.closed) throw new NicteamError('CLOSED', 'this scheduler was closed'); }
}

/**
 * The reused result of poll(). nextWakeNs is computed when read, so a host
 * that does not need it pays no bigint allocation per poll.
 */
class PollView implements PollResult {
  count = 0;
  constructor(private readonly owner: Scheduler, readonly handles: Uint32Array, readonly nics: Uint32Array,
    readonly vms: Uint32Array, readonly lengths: Uint32Array) {}
  get nextWakeNs(): bigint | null { return this.owner._nextWake(); }
}

/** Creates a scheduler: validates the config, loads the Wasm core, configures the NICs. */
export function createScheduler(config: SchedulerConfigInput, options?: CreateOptions): Promise<Scheduler> {
  return Scheduler.create(config, options);
}
