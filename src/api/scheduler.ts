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
  type VmUpdateInput, type TeamingPolicy, type HashMode, type NicConfigInput,
} from './config.js';
import { Emitter, type EventName, type Listener, type SchedulerEvents, type VmMove } from './events.js';
import { readStats, type StatsSnapshot } from './stats.js';

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
  /** When a VM held by its limit or peak becomes eligible (ns), or null when none is held. */
  nextWakeNs: bigint | null;
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

export interface RemovedVm { handles: Uint32Array; lengths: Uint32Array }

export interface CreateOptions {
  /** Wasm module bytes to use instead of the inlined release build (e.g. build/debug.wasm). */
  wasm?: Uint8Array | ArrayBuffer;
}

const POLICY_CODE: Record<TeamingPolicy, number> = { 'round-robin': 0, 'least-load': 1, 'port-id': 2 };
const HASH_CODE: Record<HashMode, number> = { l2: 0, 'l2+3': 1, 'l3+4': 2 };
const NIL = 0xffffffff;

interface VmRecord { id: number; name: string; macs: string[]; cfg: ResolvedVm }
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
  private readonly result: PollResult;
  private readonly enq: EnqueueResult;
  private readonly vms = new Map<number, VmRecord>();
  private readonly vmNames = new Map<string, number>();
  private readonly macOwner = new Map<string, number>();
  private readonly nics: (NicRecord | undefined)[] = [];
  private pendingMoves: VmMove[] = [];
  private closed = false;

  /** Use createScheduler(). */
  private constructor(core: CoreExports, cap: ResolvedCapacity, policy: TeamingPolicy, notifySwitches: boolean, clock: () => bigint) {
    this.core = core; this.capacity = cap; this.policy = policy; this.notifySwitches = notifySwitches; this.clock = clock;
    const hdrPtr = core.init(cap.maxVms, cap.maxNics, cap.poolPackets, cap.batchSize, cap.eventCapacity, cap.frameBufferBytes, cap.macSlots);
    if (hdrPtr < 0) throw new NicteamError(hdrPtr === -4 ? 'CAPACITY' : 'WASM', `the Wasm core could not lay out its memory (code ${hdrPtr}); lower capacity.maxVms, queuePackets or poolPackets`, 'capacity');
    const buf = core.memory.buffer;
    this.u32 = new Uint32Array(buf);
    this.hdr = new Uint32Array(buf, hdrPtr, L.H_WORDS);
    if (this.hdr[L.H_VERSION] !== L.LAYOUT_VERSION) throw new NicteamError('WASM', `Wasm layout version ${this.hdr[L.H_VERSION]} does not match the host's ${L.LAYOUT_VERSION}`);
    if (this.hdr[L.H_VM_STRIDE] !== L.VM_STRIDE || this.hdr[L.H_NIC_STRIDE] !== L.NIC_STRIDE || this.hdr[L.H_EV_STRIDE] !== L.EV_STRIDE)
      throw new NicteamError('WASM', 'Wasm record strides do not match the host layout (mismatched build)');
    const b = cap.batchSize;
    const col = (w: number) => new Uint32Array(buf, this.hdr[w]!, b);
    this.inVm = col(L.H_IN_VM); this.inLen = col(L.H_IN_LEN); this.inHandle = col(L.H_IN_HANDLE);
    this.inHash = col(L.H_IN_HASH); this.inOff = col(L.H_IN_OFF); this.inCap = col(L.H_IN_CAP);
    this.statusView = new Uint8Array(buf, this.hdr[L.H_STATUS]!, b);
    this.frameView = new Uint8Array(buf, this.hdr[L.H_FRAME_PTR]!, cap.frameBufferBytes);
    this.cfg = new BigUint64Array(buf, this.hdr[L.H_CFG_PTR]!, L.CFG_BYTES / 8);
    this.result = {
      count: 0, nextWakeNs: null,
      handles: col(L.H_OUT_HANDLE), nics: col(L.H_OUT_NIC), vms: col(L.H_OUT_VM), lengths: col(L.H_OUT_LEN),
    };
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
    const policy = c.teaming?.policy ?? 'port-id';
    const s = new Scheduler(core, cap, policy, c.teaming?.notifySwitches ?? true, c.clock ?? defaultClock());
    core.setTeam(POLICY_CODE[policy], (c.teaming?.failback ?? true) ? 1 : 0, HASH_CODE[c.teaming?.hash ?? 'l3+4']);
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
    this.nics[i] = { name: n.name, speedBps: n.speed, inFlightBytes };
  }

  /** Adds a NIC at run time (down until setLink says up, unless `up` is true). Returns its index. */
  addNic(nic: NicConfigInput): number {
    this.live();
    const n = parseOrThrow(nicSchema, nic, 'nic');
    if (this.nics.some((x) => x?.name === n.name)) throw new NicteamError('DUPLICATE', `NIC name "${n.name}" is in use`, 'nic.name');
    let i = this.nics.findIndex((x) => x === undefined);
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

  /** Link change reported by the host. Failover (re-steer, moves, notify) happens inside this call. */
  setLink(nic: string | number, up: boolean, now?: bigint): void {
    this.live();
    const i = this.nicIndex(nic);
    this.core.setLink(i, up ? 1 : 0, now ?? this.clock());
    this.drainEvents();
  }

  /** TX completions: the oldest `count` packets handed to `nic` have left. Returns how many were in flight. */
  completed(nic: number | string, count: number): number {
    const i = typeof nic === 'number' && nic >= 0 && nic < this.capacity.maxNics ? nic : this.nicIndex(nic);
    const r = this.core.completed(i, count >>> 0);
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
    this.stage(cfg);
    const id = this.core.vmAdd(now ?? this.clock());
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
    this.vmNames.set(v.name, id);
    this.drainEvents();
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
    this.stage(cfg);
    const rc = this.core.vmUpdate(vm, now ?? this.clock());
    if (rc < 0) throw new NicteamError('UNKNOWN_VM', `VM ${vm} could not be updated (code ${rc})`, 'vm');
    r.cfg = cfg;
    this.drainEvents();
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
    this.vmNames.delete(r.name);
    this.drainEvents();
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
    const t = now ?? this.clock();
    const out = this.prepareResult(n);
    const b = this.capacity.batchSize;
    const single = typeof vm === 'number';
    for (let base = 0; base < n; base += b) {
      const m = Math.min(b, n - base);
      for (let i = 0; i < m; i++) {
        const j = base + i;
        this.inVm[i] = single ? (vm as number) : (vm as ArrayLike<number>)[j]!;
        this.inLen[i] = lengths[j]!;
        this.inHandle[i] = handles[j]!;
        this.inHash[i] = flowHashes ? flowHashes[j]! : 0;
      }
      out.accepted += this.core.enqueue(m, t);
      out.statuses.set(this.statusView.subarray(0, m), base);
      out.vms.set(this.inVm.subarray(0, m), base);
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
    const n = frames.length;
    if (handles.length < n) throw new NicteamError('INVALID_CONFIG', `handles has ${handles.length} entries for ${n} frames`, 'handles');
    const t = now ?? this.clock();
    const out = this.prepareResult(n);
    const cap = this.capacity.frameBufferBytes;
    let i = 0;
    while (i < n) {
      let m = 0, off = 0;
      while (i + m < n && m < this.capacity.batchSize) {
        const f = frames[i + m]!;
        // a frame longer than the buffer is offered with the bytes that fit: it parses the same headers
        const take = Math.min(f.byteLength, cap);
        if (m > 0 && off + take > cap) break;
        this.frameView.set(take === f.byteLength ? f : f.subarray(0, take), off);
        this.inOff[m] = off; this.inCap[m] = take;
        this.inLen[m] = wireLengths ? wireLengths[i + m]! : f.byteLength;
        this.inHandle[m] = handles[i + m]!;
        off += take; m++;
      }
      out.accepted += this.core.enqueueFrames(m, t);
      out.statuses.set(this.statusView.subarray(0, m), i);
      out.vms.set(this.inVm.subarray(0, m), i);
      if (this.hdr[L.H_EV_COUNT]) this.drainEvents();
      i += m;
    }
    return out;
  }

  private prepareResult(n: number): EnqueueResult {
    const r = this.enq;
    if (r.statuses.length < n) { r.statuses = new Uint8Array(n); r.vms = new Uint32Array(n); }
    r.accepted = 0; r.count = n;
    return r;
  }

  /** Direct access for zero-copy hosts: the frame buffer and descriptor columns in Wasm memory. */
  get rawBuffers() {
    return { frames: this.frameView, offsets: this.inOff, capturedLengths: this.inCap, lengths: this.inLen, handles: this.inHandle, vms: this.inVm, flowHashes: this.inHash, statuses: this.statusView };
  }

  /** Releases what NIC room and allocations allow (at most capacity.batchSize decisions). */
  poll(now?: bigint): PollResult {
    const r = this.result;
    r.count = this.core.poll(now ?? this.clock(), this.capacity.batchSize);
    const lo = this.hdr[L.H_NEXT_WAKE_LO]!, hi = this.hdr[L.H_NEXT_WAKE_HI]!;
    r.nextWakeNs = lo === NIL && hi === NIL ? null : (BigInt(hi) << 32n) | BigInt(lo);
    if (this.hdr[L.H_EV_COUNT]) this.drainEvents();
    return r;
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
          if (this.notifySwitches && c !== NIL && this.vms.has(a))
            pending.push(['notify', { vm: a, name: move.name, macs: [...this.vms.get(a)!.macs], nic: this.nicName(c) }]);
          break;
        }
        case L.EV_FAILOVER: pending.push(['failover', { nic: this.nicName(a), moves: this.takeMoves(), resteered: c }]); break;
        case L.EV_FAILBACK: pending.push(['failback', { nic: this.nicName(a), moves: this.takeMoves() }]); break;
        case L.EV_TEAM_DOWN: pending.push(['team-down', {}]); break;
        case L.EV_TEAM_UP: pending.push(['team-up', {}]); break;
        case L.EV_PAUSE: pending.push(['vm-pause', { vm: a, name: this.vmName(a), queuedPackets: b, queuedBytes: x }]); break;
        case L.EV_RESUME: pending.push(['vm-resume', { vm: a, name: this.vmName(a), queuedPackets: b, queuedBytes: x }]); break;
        case L.EV_RETURNED: pending.push(['returned', { vm: a, handle: b, nic: this.nicName(c), length: x }]); break;
        case L.EV_CAPACITY: pending.push(['capacity', { nic: nicName(a), reservedBps: x, availableBps: y }]); break;
      }
    }
    this.hdr[L.H_EV_COUNT] = 0;
    if (lost) { this.hdr[L.H_EV_LOST] = 0; pending.push(['events-lost', { count: lost }]); }
    for (const [t, e] of pending) this.emitter.emit(t, e as never);
  }

  private takeMoves(): VmMove[] { const m = this.pendingMoves; this.pendingMoves = []; return m; }

  /** A snapshot of every counter (reading it costs the data path nothing). */
  stats(): StatsSnapshot {
    return readStats(this.core.memory.buffer, this.hdr, this.vmIds.map((id) => ({ id, name: this.vms.get(id)!.name })),
      this.nics.map((n, i) => (n ? { index: i, name: n.name, speedBps: n.speedBps } : undefined)));
  }

  /** Linear-memory size in bytes (constant after creation). */
  get memoryBytes(): number { return this.core.memory.buffer.byteLength; }

  /** @internal raw core, for tests and benches that check the layout. */
  get _core(): CoreExports { return this.core; }
  /** @internal */
  get _header(): Uint32Array { return this.hdr; }

  close(): void { this.closed = true; }
  private live(): void { if (this.closed) throw new NicteamError('CLOSED', 'this scheduler was closed'); }
}

/** Creates a scheduler: validates the config, loads the Wasm core, configures the NICs. */
export function createScheduler(config: SchedulerConfigInput, options?: CreateOptions): Promise<Scheduler> {
  return Scheduler.create(config, options);
}
