// engine.ts — the TypeScript model of the scheduler: slow, plain, the oracle.
//
// Same semantics as the Wasm core (assembly/), written for reading rather
// than speed: VM queues are arrays, "heaps" are flags plus linear scans for the
// minimum under the same total order, all tag arithmetic is BigInt so nothing
// can overflow by accident (u64 wrap is applied explicitly where the core
// relies on it). Differential tests drive both with the same operations and
// require identical decisions, statuses, events and counters.
//
// Allocation rules (DESIGN §2, ALGORITHMS.md): a VM whose head conforms to its
// limit/peak buckets is ACTIVE; the constraint phase serves the ACTIVE VM with
// the earliest reservation eligibility time if that time has come, otherwise
// the share phase serves the highest priority, smallest virtual finish tag (in
// units of 2^16, then the smallest VM id: the order key of assembly/share.ts).

import type { ResolvedVm } from '../../src/api/config.js';

const M64 = (1n << 64n) - 1n;
const u64 = (x: bigint) => x & M64;
const i64 = (x: bigint) => BigInt.asIntN(64, x);
const Q = 20n;
/** The share order key: finish tag F with the VM id in its low 16 bits (assembly/share.ts). */
const orderKey = (f: bigint, id: number) => (f & ~0xffffn) | BigInt(id);
const QMASK = (1n << Q) - 1n;
export const NIL = 0xffffffff;

export const ST = { queued: 0, full: 1, unknownVm: 2, forged: 3, malformed: 4 } as const;
export const EV = {
  LINK: 1, MOVED: 2, FAILOVER: 3, FAILBACK: 4, TEAM_DOWN: 5, TEAM_UP: 6, PAUSE: 7, RESUME: 8, RETURNED: 9, CAPACITY: 10,
} as const;
export interface RawEvent { type: number; a: number; b: number; c: number; x: number; y: number }

interface Pkt { handle: number; len: number; hash: number; vm: number; ts: number /* enqueue time, ns >> 10, u32 */ }
interface Shaper { tat: bigint; frac: bigint; inv: bigint; depth: bigint }
type VmStateName = 'free' | 'idle' | 'active' | 'held' | 'removing';

interface VmM {
  state: VmStateName; domain: number; prio: number; paused: boolean;
  /** moved between up NICs with packets still in flight on the old one: not scheduled until they complete */
  draining: boolean;
  queue: Pkt[]; qBytes: number;
  F: bigint; invW: bigint;
  res: Shaper; lim: Shaper; pk: Shaper;
  inShare: boolean; shareKey: bigint; inRes: boolean; resKey: bigint; inTimer: boolean; timerKey: bigint;
  nic: number; home: number; policy: number; resBps: bigint; order: number[]; macHash: number;
  qMaxPkts: number; qMaxBytes: number; hiWm: number; loWm: number; inflight: number;
  st: VmCounters;
}
export interface VmCounters {
  acceptedPackets: number; acceptedBytes: number; releasedPackets: number; releasedBytes: number;
  sentPackets: number; sentBytes: number; fullPackets: number; fullBytes: number;
  returnedPackets: number; returnedBytes: number; resteeredPackets: number; pauses: number; reservationBytes: number;
  delayMax: number; delaySum: number; delayHist: number[];
}
interface NicM {
  present: boolean; up: boolean; fifo: Pkt[]; ifBytes: bigint; limit: bigint; speed: bigint; invSpeed: bigint;
  sentPackets: number; sentBytes: number; releasedPackets: number; releasedBytes: number; failovers: number;
  resteered: number; resSum: bigint; pinned: number; badCompletions: number;
}

const zeroCounters = (): VmCounters => ({
  acceptedPackets: 0, acceptedBytes: 0, releasedPackets: 0, releasedBytes: 0, sentPackets: 0, sentBytes: 0,
  fullPackets: 0, fullBytes: 0, returnedPackets: 0, returnedBytes: 0, resteeredPackets: 0, pauses: 0, reservationBytes: 0,
  delayMax: 0, delaySum: 0, delayHist: new Array<number>(32).fill(0),
});
const units = (now: bigint) => Number((now >> 10n) & 0xffffffffn);
const shaper = (): Shaper => ({ tat: 0n, frac: 0n, inv: 0n, depth: 0n });

export function invFromBps(bps: number | bigint): bigint {
  const b = BigInt(bps);
  return b === 0n ? 0n : (8_000_000_000n << Q) / b;
}
function eligibleAt(s: Shaper, len: number): bigint {
  return s.tat + ((s.frac + BigInt(len) * s.inv) >> Q) - s.depth;
}
function deadlineOf(s: Shaper, len: number): bigint {
  return s.tat + ((s.frac + BigInt(len) * s.inv) >> Q);
}
function charge(s: Shaper, len: number, now: bigint): void {
  if (s.tat < now) { s.tat = now; s.frac = 0n; }
  const total = s.frac + BigInt(len) * s.inv;
  s.tat += total >> Q;
  s.frac = total & QMASK;
}
/** mClock R tag of a backlogged VM: advances from where it was (credit kept up to 16 buckets), tokens floored at 0. */
function chargeReservation(s: Shaper, len: number, now: bigint): void {
  const credit = s.depth << 4n;
  if (s.tat < now - credit) { s.tat = now - credit; s.frac = 0n; }
  const total = s.frac + BigInt(len) * s.inv;
  s.tat += total >> Q;
  s.frac = total & QMASK;
  if (s.tat > now) { s.tat = now; s.frac = 0n; }
}

export interface ModelCapacity { maxVms: number; maxNics: number; poolPackets: number; batchSize: number; eventCapacity: number; mtu: number; flowletSlots: number }
export const POLICY = {
  'round-robin': 0, 'least-load': 1, 'port-id': 2, 'failover-order': 3, 'src-mac-hash': 4, 'flow-hash': 5, 'load-based': 6, 'flowlet': 7,
} as const;
const PINNED = new Set([2, 3, 4, 6]);
/** what the model needs beyond ResolvedVm's numbers */
export type ModelVmConfig = ResolvedVm;

export interface Decision { handle: number; nic: number; vm: number; len: number }

export class ModelEngine {
  readonly vms: VmM[] = [];
  readonly nics: NicM[] = [];
  readonly V: bigint[][] = [];
  events: RawEvent[] = [];
  eventsLost = 0;
  poolFree: number;
  team = { malformed: 0, unknownVm: 0, badLength: 0, polls: 0, resteered: 0, failovers: 0, badCompletions: 0, clockBackwards: 0 };
  private lastNow = 0n;
  private domStart = 0;
  private rrNext = 0;
  private readonly teamDomain: number;
  nextWake: bigint | null = null;

  /** flowlet table: slot → { hash, nic, last packet time } */
  private readonly flowlets = new Map<number, { hash: number; nic: number; last: bigint }>();

  constructor(readonly cap: ModelCapacity, readonly policy: number, readonly failback: boolean, readonly flowletGapNs = 500_000n) {
    this.poolFree = cap.poolPackets;
    this.teamDomain = cap.maxNics;
    for (let i = 0; i < cap.maxVms; i++) this.vms.push(this.blankVm());
    for (let i = 0; i < cap.maxNics; i++) this.nics.push({
      present: false, up: false, fifo: [], ifBytes: 0n, limit: 0n, speed: 0n, invSpeed: 0n, sentPackets: 0, sentBytes: 0,
      releasedPackets: 0, releasedBytes: 0, failovers: 0, resteered: 0, resSum: 0n, pinned: 0, badCompletions: 0,
    });
    for (let d = 0; d <= cap.maxNics; d++) this.V.push(new Array<bigint>(8).fill(0n));
  }

  private blankVm(): VmM {
    return {
      state: 'free', domain: 0, prio: 0, paused: false, draining: false, queue: [], qBytes: 0, F: 0n, invW: 0n,
      res: shaper(), lim: shaper(), pk: shaper(), inShare: false, shareKey: 0n, inRes: false, resKey: 0n,
      inTimer: false, timerKey: 0n, nic: NIL, home: NIL, policy: 0, resBps: 0n, order: [], macHash: 0,
      qMaxPkts: 0, qMaxBytes: 0, hiWm: 0, loWm: 0, inflight: 0, st: zeroCounters(),
    };
  }

  private emit(type: number, a: number, b: number, c: number, x: number | bigint, y: number | bigint): void {
    if (this.events.length >= this.cap.eventCapacity) { this.eventsLost++; return; }
    this.events.push({ type, a, b, c, x: Number(x), y: Number(y) });
  }
  /** Ends one host call: like the host draining the ring, moves this call's events out (a lost count becomes type 0). */
  endCall(): void {
    this.delivered.push(...this.events);
    if (this.eventsLost) this.delivered.push({ type: 0, a: this.eventsLost, b: 0, c: 0, x: 0, y: 0 });
    this.events = []; this.eventsLost = 0;
  }
  takeEvents(): RawEvent[] { this.endCall(); const e = this.delivered; this.delivered = []; return e; }
  private delivered: RawEvent[] = [];

  private clamp(now: bigint): bigint {
    if (now < this.lastNow) { this.team.clockBackwards++; return this.lastNow; }
    this.lastNow = now;
    return now;
  }

  // ---------------------------------------------------------------- NICs
  nicSet(i: number, speed: number, limit: number, up: boolean): void {
    const n = this.nics[i]!;
    n.speed = BigInt(speed); n.invSpeed = invFromBps(speed); n.limit = BigInt(limit);
    if (!n.present) { n.present = true; n.up = up; }
  }
  private hasRoom(i: number): boolean { const n = this.nics[i]!; return n.up && n.ifBytes < n.limit; }
  private upList(): number[] { const l: number[] = []; this.nics.forEach((n, i) => { if (n.up) l.push(i); }); return l; }

  private teamPick(pol: number): number {
    if (pol === 1) {
      let best = NIL, bestLoad = 0n;
      for (let i = 0; i < this.cap.maxNics; i++) {
        if (!this.hasRoom(i)) continue;
        const l = u64(this.nics[i]!.ifBytes * this.nics[i]!.invSpeed);
        if (best === NIL || l < bestLoad) { best = i; bestLoad = l; }
      }
      return best;
    }
    for (let k = 0; k < this.cap.maxNics; k++) {
      const i = (this.rrNext + k) % this.cap.maxNics;
      if (this.hasRoom(i)) { this.rrNext = (i + 1) % this.cap.maxNics; return i; }
    }
    return NIL;
  }

  private nicFor(id: number, now: bigint): number {
    const v = this.vms[id]!;
    if (v.policy === 5 || v.policy === 7) {
      const up = this.upList();
      if (up.length === 0) return NIL;
      const hash = v.queue[0]!.hash >>> 0;
      if (v.policy === 5) { const n = up[hash % up.length]!; return this.hasRoom(n) ? n : NIL; }
      const slot = hash & (this.cap.flowletSlots - 1);
      const e = this.flowlets.get(slot);
      if (e && e.hash === hash && e.nic < this.cap.maxNics && this.nics[e.nic]!.up && now - e.last <= this.flowletGapNs) {
        if (!this.hasRoom(e.nic)) return NIL;
        e.last = now;
        return e.nic;
      }
      const m = this.teamPick(1);
      if (m !== NIL) this.flowlets.set(slot, { hash, nic: m, last: now });
      return m;
    }
    return this.teamPick(v.policy);
  }

  private placeFor(id: number): number {
    const v = this.vms[id]!;
    if (v.policy === 3) {
      for (const n of v.order) if (n < this.cap.maxNics && this.nics[n]!.up) return n;
      return NIL;
    }
    if (v.policy === 4) { const up = this.upList(); return up.length ? up[(v.macHash >>> 0) % up.length]! : NIL; }
    return this.placeNic();
  }

  private placeNic(): number {
    let best = NIL, bestFree = 0n, bestPinned = 0;
    for (let i = 0; i < this.cap.maxNics; i++) {
      const n = this.nics[i]!;
      if (!n.up) continue;
      const free = n.speed - n.resSum;
      if (best === NIL || free > bestFree || (free === bestFree && n.pinned < bestPinned)) { best = i; bestFree = free; bestPinned = n.pinned; }
    }
    return best;
  }

  // ---------------------------------------------------------------- scheduling state
  private shapeAt(v: VmM, len: number): bigint {
    let e = -(1n << 63n);
    if (v.lim.inv !== 0n) e = eligibleAt(v.lim, len);
    if (v.pk.inv !== 0n) { const p = eligibleAt(v.pk, len); if (p > e) e = p; }
    return e;
  }
  private assignFinish(v: VmM, len: number): bigint {
    const vt = this.V[v.domain]![v.prio]!;
    let f = v.F;
    if (i64(f - vt) < 0n) f = vt;
    f = u64(f + BigInt(len) * v.invW);
    if (i64(f - vt) > 1n << 61n) f = u64(vt + (1n << 61n));
    v.F = f;
    return f;
  }
  private activate(id: number, now: bigint): void {
    const v = this.vms[id]!;
    if (v.draining) { v.state = 'idle'; return; }
    const len = v.queue[0]!.len;
    const e = this.shapeAt(v, len);
    if (e > now) { v.state = 'held'; v.inTimer = true; v.timerKey = e; return; }
    v.state = 'active';
    v.inShare = true; v.shareKey = this.assignFinish(v, len);
    if (v.res.inv !== 0n) { v.inRes = true; v.resKey = deadlineOf(v.res, len); }
  }
  private deactivate(id: number): void {
    const v = this.vms[id]!;
    if (v.state === 'active' || v.state === 'held') v.state = 'idle';
    v.inShare = v.inRes = v.inTimer = false;
  }
  private resetFinish(id: number): void { const v = this.vms[id]!; v.F = this.V[v.domain]![v.prio]!; }

  /** min over VMs in a domain's set under the core's total order. */
  private minIn(d: number, kind: 'share' | 'res' | 'timer'): number {
    let best = NIL;
    for (let id = 0; id < this.vms.length; id++) {
      const v = this.vms[id]!;
      if (v.domain !== d) continue;
      if (kind === 'share' ? !v.inShare : kind === 'res' ? !v.inRes : !v.inTimer) continue;
      if (best === NIL) { best = id; continue; }
      const b = this.vms[best]!;
      if (kind === 'share') {
        if (v.prio !== b.prio) { if (v.prio > b.prio) best = id; continue; }
        // order key: F with the VM id in its low 16 bits (assembly/share.ts), compared wrapping
        const diff = i64(orderKey(v.shareKey, id) - orderKey(b.shareKey, best));
        if (diff < 0n) best = id;
      } else {
        const kv = kind === 'res' ? v.resKey : v.timerKey, kb = kind === 'res' ? b.resKey : b.timerKey;
        if (i64(kv) < i64(kb)) best = id;
      }
    }
    return best;
  }
  private count(d: number, kind: 'share' | 'res' | 'timer'): number {
    return this.vms.filter((v) => v.domain === d && (kind === 'share' ? v.inShare : kind === 'res' ? v.inRes : v.inTimer)).length;
  }

  private serve(id: number, now: bigint, resPhase: boolean): Pkt {
    const v = this.vms[id]!;
    const p = v.queue.shift()!;
    v.qBytes -= p.len;
    if (v.lim.inv !== 0n) charge(v.lim, p.len, now);
    if (v.pk.inv !== 0n) charge(v.pk, p.len, now);
    const hasRes = v.res.inv !== 0n;
    if (hasRes) chargeReservation(v.res, p.len, now);
    if (!resPhase) this.V[v.domain]![v.prio] = v.F;
    v.st.releasedPackets++; v.st.releasedBytes += p.len;
    if (resPhase) v.st.reservationBytes += p.len;
    const delay = (units(now) - p.ts) >>> 0;
    v.st.delaySum += delay;
    if (delay > v.st.delayMax) v.st.delayMax = delay;
    v.st.delayHist[Math.min(31, delay === 0 ? 0 : 32 - Math.clz32(delay))]!++;
    v.inflight++;
    if (v.paused && v.queue.length <= v.loWm) { v.paused = false; this.emit(EV.RESUME, id, v.queue.length, 0, v.qBytes, 0); }
    if (v.queue.length === 0) { v.inShare = false; v.inRes = false; v.state = 'idle'; return p; }
    const next = v.queue[0]!.len;
    const e = this.shapeAt(v, next);
    if (e > now) { v.inShare = false; v.inRes = false; v.state = 'held'; v.inTimer = true; v.timerKey = e; return p; }
    v.shareKey = this.assignFinish(v, next);
    if (hasRes) v.resKey = deadlineOf(v.res, next);
    return p;
  }

  // ---------------------------------------------------------------- VMs
  private apply(id: number, c: ResolvedVm): void {
    const v = this.vms[id]!;
    v.invW = (1n << 40n) / BigInt(c.shares || 1);
    const mtu = BigInt(this.cap.mtu);
    v.res.inv = invFromBps(c.reservationBps); v.res.depth = (3n * mtu * v.res.inv) >> Q; v.resBps = BigInt(c.reservationBps);
    v.lim.inv = invFromBps(c.limitBps); v.lim.depth = (BigInt(c.burstBytes) * v.lim.inv) >> Q;
    v.pk.inv = invFromBps(c.peakBps); v.pk.depth = (BigInt(c.peakBurstBytes) * v.pk.inv) >> Q;
    v.prio = c.priority; v.qMaxPkts = c.queuePackets; v.qMaxBytes = c.queueBytes;
    v.hiWm = c.highWatermark; v.loWm = c.lowWatermark;
    v.order = c.failoverOrder.slice(0, 8); v.macHash = c.macHash >>> 0;
  }
  private attach(id: number, nic: number): void {
    const v = this.vms[id]!;
    v.nic = nic;
    if (nic === NIL) { v.domain = this.teamDomain; return; }
    v.domain = nic;
    this.nics[nic]!.resSum += v.resBps; this.nics[nic]!.pinned++;
  }
  private detach(id: number): void {
    const v = this.vms[id]!;
    if (v.nic === NIL) return;
    this.nics[v.nic]!.resSum -= v.resBps; this.nics[v.nic]!.pinned--;
    v.nic = NIL;
  }
  private checkCapacity(): void {
    let up = 0n; for (const n of this.nics) if (n.up) up += n.speed;
    let reserved = 0n; for (const v of this.vms) if (v.state !== 'free' && v.state !== 'removing') reserved += v.resBps;
    if (reserved > up) this.emit(EV.CAPACITY, NIL, 0, 0, reserved, up);
    this.nics.forEach((n, i) => { if (n.up && n.resSum > n.speed) this.emit(EV.CAPACITY, i, 0, 0, n.resSum, n.speed); });
  }

  addVm(c: ResolvedVm, now: bigint): number {
    now = this.clamp(now);
    const id = this.vms.findIndex((v) => v.state === 'free');
    if (id < 0) return -3;
    this.vms[id] = this.blankVm();
    this.apply(id, c);
    const v = this.vms[id]!;
    v.policy = c.policy ?? this.policy;
    v.state = 'idle';
    v.res.tat = now; // mClock: R tags start at the first packet, no credit
    if (PINNED.has(v.policy)) {
      const to = this.placeFor(id);
      this.attach(id, to);
      v.home = to;
      if (to === NIL) v.domain = 0;
    } else { this.attach(id, NIL); v.home = NIL; }
    this.resetFinish(id);
    this.checkCapacity();
    return id;
  }

  updateVm(id: number, c: ResolvedVm, now: bigint): number {
    now = this.clamp(now);
    const v = this.vms[id];
    if (!v || v.state === 'free' || v.state === 'removing') return -2;
    const oldPrio = v.prio;
    this.deactivate(id);
    const nic = v.nic, dom = v.domain;
    this.detach(id);
    this.apply(id, c);
    this.attach(id, nic);
    v.domain = dom;
    if (v.prio !== oldPrio) this.resetFinish(id);
    if (v.queue.length > 0) this.activate(id, now);
    this.checkCapacity();
    return 0;
  }

  /** Removes a VM; returns the queued packets handed back. */
  removeVm(id: number): Pkt[] {
    const v = this.vms[id]!;
    if (v.state === 'free' || v.state === 'removing') return [];
    this.deactivate(id);
    this.detach(id);
    v.state = 'removing';
    const back = v.queue.splice(0);
    for (const p of back) { v.st.returnedPackets++; v.st.returnedBytes += p.len; this.poolFree++; }
    v.qBytes = 0;
    if (v.inflight === 0) v.state = 'free';
    return back;
  }

  // ---------------------------------------------------------------- data path
  enqueueOne(id: number, len: number, handle: number, hash: number, now: bigint): number {
    if (id >= this.cap.maxVms || id < 0) { this.team.unknownVm++; return ST.unknownVm; }
    const v = this.vms[id]!;
    if (v.state === 'free' || v.state === 'removing') { this.team.unknownVm++; return ST.unknownVm; }
    if (len === 0 || len > 0xffff) { this.team.badLength++; this.team.malformed++; return ST.malformed; }
    const q = v.queue.length;
    if (q >= v.qMaxPkts || v.qBytes + len > v.qMaxBytes || this.poolFree === 0) {
      v.st.fullPackets++; v.st.fullBytes += len; return ST.full;
    }
    this.poolFree--;
    if (q === 0 && v.res.inv !== 0n && v.res.tat < now) { v.res.tat = now; v.res.frac = 0n; } // idle: no credit
    v.queue.push({ handle, len, hash, vm: id, ts: units(now) });
    v.qBytes += len;
    v.st.acceptedPackets++; v.st.acceptedBytes += len;
    if (v.state === 'idle') this.activate(id, now);
    if (v.hiWm !== 0 && q + 1 >= v.hiWm && !v.paused) {
      v.paused = true; v.st.pauses++;
      this.emit(EV.PAUSE, id, q + 1, 0, v.qBytes, 0);
    }
    return ST.queued;
  }

  enqueue(vms: number[], lens: number[], handles: number[], hashes: number[], now: bigint): number[] {
    now = this.clamp(now);
    return vms.map((vm, i) => this.enqueueOne(vm, lens[i]!, handles[i]!, hashes[i]!, now));
  }

  poll(now: bigint, max: number): Decision[] {
    now = this.clamp(now);
    this.team.polls++;
    const ndom = this.teamDomain + 1;
    for (let d = 0; d < ndom; d++) {
      for (;;) {
        const id = this.minIn(d, 'timer');
        if (id === NIL || i64(this.vms[id]!.timerKey) > now) break;
        this.vms[id]!.inTimer = false;
        this.activate(id, now);
      }
    }
    const out: Decision[] = [];
    while (out.length < max) {
      let progress = false;
      for (let k = 0; k < ndom && out.length < max; k++) {
        const d = (this.domStart + k) % ndom;
        if (this.count(d, 'share') === 0) continue;
        if (d !== this.teamDomain && !this.hasRoom(d)) continue;
        let id = NIL, resPhase = false;
        const r = this.minIn(d, 'res');
        if (r !== NIL && this.vms[r]!.resKey <= now) { id = r; resPhase = true; } else id = this.minIn(d, 'share');
        const nic = d === this.teamDomain ? this.nicFor(id, now) : d;
        if (nic === NIL) continue;
        const p = this.serve(id, now, resPhase);
        const n = this.nics[nic]!;
        n.fifo.push(p); n.ifBytes += BigInt(p.len); n.releasedPackets++; n.releasedBytes += p.len;
        out.push({ handle: p.handle, nic, vm: id, len: p.len });
        progress = true;
      }
      if (!progress) break;
    }
    this.domStart = (this.domStart + 1) % ndom;
    let wake: bigint | null = null;
    for (let d = 0; d < ndom; d++) {
      const id = this.minIn(d, 'timer');
      if (id === NIL) continue;
      const k = this.vms[id]!.timerKey;
      if (wake === null || k < wake) wake = k;
    }
    this.nextWake = wake;
    return out;
  }

  completed(nic: number, count: number): number {
    const n = this.nics[nic]!;
    let done = 0;
    while (done < count && n.fifo.length > 0) {
      const p = n.fifo.shift()!;
      n.ifBytes -= BigInt(p.len); n.sentPackets++; n.sentBytes += p.len;
      const v = this.vms[p.vm]!;
      v.st.sentPackets++; v.st.sentBytes += p.len;
      v.inflight--;
      if (v.inflight === 0 && v.state === 'removing') v.state = 'free';
      else if (v.inflight === 0 && v.draining) {
        v.draining = false;
        if (v.state === 'idle' && v.queue.length > 0) this.activate(p.vm, this.lastNow);
      }
      this.poolFree++;
      done++;
    }
    if (done < count) { n.badCompletions = Math.min(0xffffffff, n.badCompletions + count - done); this.team.badCompletions += count - done; }
    return done;
  }

  private moveVm(id: number, to: number, now: bigint): void {
    const v = this.vms[id]!;
    const from = v.nic;
    this.deactivate(id);
    this.detach(id);
    this.attach(id, to);
    if (to === NIL) v.domain = from;
    this.resetFinish(id);
    this.emit(EV.MOVED, id, from, to, 0, 0);
    if (from !== NIL && to !== NIL && v.inflight > 0) v.draining = true;
    if (v.queue.length > 0) this.activate(id, now);
  }

  private resteer(i: number): number {
    const n = this.nics[i]!;
    const lists = new Map<number, Pkt[]>();
    let moved = 0;
    for (const p of n.fifo) {
      const v = this.vms[p.vm]!;
      if (v.state === 'removing') {
        v.st.returnedPackets++; v.st.returnedBytes += p.len;
        this.emit(EV.RETURNED, p.vm, p.handle, i, p.len, 0);
        v.inflight--;
        if (v.inflight === 0) v.state = 'free';
        this.poolFree++;
      } else {
        if (!lists.has(p.vm)) lists.set(p.vm, []);
        lists.get(p.vm)!.push(p);
        v.inflight--;
        if (v.inflight === 0) v.draining = false;
        v.st.resteeredPackets++;
        moved++;
      }
    }
    n.fifo = []; n.ifBytes = 0n;
    n.resteered += moved; this.team.resteered += moved;
    for (const id of [...lists.keys()].sort((a, b) => a - b)) {
      const v = this.vms[id]!;
      this.deactivate(id);
      const l = lists.get(id)!;
      v.queue.unshift(...l);
      v.qBytes += l.reduce((s, p) => s + p.len, 0);
      this.resetFinish(id);
    }
    return moved;
  }

  setLink(i: number, up: boolean, now: bigint): number {
    const n = this.nics[i]!;
    if (!n.present || n.up === up) return -1; // the host API filters no-change calls before the core sees a clock
    now = this.clamp(now);
    const before = this.upList().length;
    n.up = up;
    this.emit(EV.LINK, i, up ? 1 : 0, 0, 0, 0);
    if (!up) {
      const resteered = this.resteer(i);
      let moved = 0;
      this.vms.forEach((v, id) => {
        if (v.state === 'free' || v.state === 'removing' || !PINNED.has(v.policy)) return;
        const cur = v.nic;
        if (cur !== i && v.policy !== 4) return;
        const to = this.placeFor(id);
        if (to === NIL || to === cur) return;
        this.moveVm(id, to, now);
        moved++;
      });
      n.failovers++; this.team.failovers++;
      this.emit(EV.FAILOVER, i, moved, resteered, 0, 0);
      if (this.upList().length === 0) this.emit(EV.TEAM_DOWN, 0, 0, 0, 0, 0);
    } else {
      if (before === 0) this.emit(EV.TEAM_UP, 0, 0, 0, 0, 0);
      let back = 0;
      this.vms.forEach((v, id) => {
        if (v.state === 'free' || v.state === 'removing' || !PINNED.has(v.policy)) return;
        const cur = v.nic;
        let to = NIL;
        if (cur === NIL || !this.nics[cur]!.up) {
          to = this.placeFor(id);
          if (to !== NIL && v.home === NIL) v.home = to;
        } else if (v.policy === 4) to = this.placeFor(id);
        else if (this.failback) {
          if (v.policy === 3) to = this.placeFor(id);
          else if (v.home === i) to = i;
        }
        if (to === NIL || to === cur) return;
        this.moveVm(id, to, now);
        back++;
      });
      if (back > 0) this.emit(EV.FAILBACK, i, back, 0, 0, 0);
    }
    this.vms.forEach((v, id) => { if (v.state === 'idle' && v.queue.length > 0) this.activate(id, now); });
    this.checkCapacity();
    return 0;
  }

  vmMove(id: number, nic: number, now: bigint): number {
    now = this.clamp(now);
    const v = this.vms[id]!;
    if (v.state === 'free' || v.state === 'removing' || !PINNED.has(v.policy) || !this.nics[nic]!.up) return -2;
    if (v.nic === nic) return 0;
    this.moveVm(id, nic, now);
    v.home = nic;
    this.checkCapacity();
    return 0;
  }

  nicRemove(i: number): number {
    const n = this.nics[i]!;
    if (!n.present || n.up) return -2;
    n.present = false;
    for (const v of this.vms) if (v.home === i) v.home = v.nic;
    return 0;
  }

  /** Conservation per VM: accepted = sent + queued + in flight + returned (+ dropped, never). */
  conservation(id: number): { accepted: number; accounted: number } {
    const v = this.vms[id]!;
    return { accepted: v.st.acceptedPackets, accounted: v.st.sentPackets + v.queue.length + v.inflight + v.st.returnedPackets };
  }
  queued(id: number): number { return this.vms[id]!.queue.length; }
  inflight(id: number): number { return this.vms[id]!.inflight; }
  stateOf(id: number): VmStateName { return this.vms[id]!.state; }
}
