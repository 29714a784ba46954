// sched.ts — per-VM allocation: mClock-style tags with an SCFQ share phase.
//
// Follows mClock (Gulati, Merchant, Varman, OSDI 2010) for reservation and
// limit, and self-clocked fair queueing (Golestani, INFOCOM 1994) for shares.
// Each scheduling domain (one per NIC for pinned policies, one for the team
// pool) holds a share set (share.ts) and two heaps of VMs (heap.ts):
//   timer heap — HELD VMs, keyed by the time their head packet conforms to
//                limit and peak (shaper.ts);
//   res heap   — ACTIVE VMs with a reservation, keyed by their head packet's
//                reservation tag (mClock R tag: the time it is due);
//   share set  — ACTIVE VMs, ordered by (priority desc, virtual finish tag F)
//                (share.ts: a winner tree, a binary heap once large).
// Picking in a domain at time t:
//   1. constraint phase: the res-heap top if its tag is due (<= t): earliest
//      deadline first, reservations of every priority before any priority;
//   2. share phase: the share set's top (highest priority, smallest F).
// Every release charges the limit and peak shapers, the reservation tag
// (mClock R tag: kept while backlogged, so waiting for NIC room or for
// earlier-due VMs loses no credit, up to 16 buckets; floored at zero tokens,
// so share-phase service counts toward the reservation: it is a floor, not an
// addition), and advances F, so reserved service is also charged to the VM's share. Only the share phase moves the
// class's virtual time V (SCFQ: V = F of the packet served).
// F of a new head: F = max(F, V[prio]) + len * invW, invW = 2^40 / shares
// (virtual units per byte, wrapping u64; see heap.ts for the comparison). A VM
// served by its reservation runs ahead of V; F is kept within V + 2^61 so the
// wrapping comparison stays valid (a VM that far ahead is owed nothing anyway).
// SCFQ bounds two backlogged VMs of one class by
//   |S_i/w_i - S_j/w_j| <= Lmax/w_i + Lmax/w_j.
// Cost per packet: O(log n) for n active VMs in the domain; no allocation.

import {
  NIL, VS_ACTIVE, VS_HELD, VS_IDLE, VS_REMOVING, VS_FREE, VF_PAUSED, VF_DRAIN, VF_LIM, VF_PK, VF_RES, VF_WM, V_RES_DEPTH,
  V_STATE, V_DOMAIN, V_PRIO, V_FLAGS, V_QHEAD, V_QPKTS, V_QBYTES, V_F, V_INVW,
  V_RES_TAT, V_RES_INV, V_RES_FRAC, V_LIM_TAT, V_LIM_INV, V_LIM_FRAC, V_PK_TAT, V_PK_INV, V_PK_FRAC,
  V_QMAX_PKTS, V_QMAX_BYTES, V_HIWM, V_LOWM, V_INFLIGHT,
  S_ACC_PKTS, S_ACC_BYTES, S_FULL_PKTS, S_FULL_BYTES, S_REL_PKTS, S_REL_BYTES, S_PAUSES, S_RES_BYTES,
  S_DELAY_MAX, S_DELAY_SUM, S_DELAY_HIST, P_TS, P_LEN,
  D_V, HK_RES, HK_TIMER, EV_PAUSE, EV_RESUME,
  ST_QUEUED, ST_FULL, ST_UNKNOWN_VM, ST_MALFORMED,
  T_MALFORMED, T_UNKNOWN, T_BADLEN,
  vmPtr, vmStatPtr, domPtr, slotPtr, maxVms, teamBase,
} from './layout';
import { heapInsert, heapRemove, heapSize, heapTopKey, heapTopVm, heapUpdate } from './heap';
import { shareInsert, shareRemove, shareSet, shareSize, shareTopVm } from './share';
import { eligibleAt, deadline, charge, chargeReservation, resetIfIdle } from './shaper';
import { emit } from './events';
import { headLen, nextLen, poolFree, slotAlloc, vmQueuePop, vmQueuePush } from './queue';

@inline function add64(p: usize, v: u64): void { store<u64>(p, load<u64>(p) + v); }
@inline export function teamCount(off: u32): void { add64(teamBase + off, 1); }

const AHEAD_MAX: i64 = 1 << 61;

@inline function vGet(d: u32, prio: u32): u64 { return load<u64>(domPtr(d) + D_V + (<usize>prio << 3)); }
@inline function vSet(d: u32, prio: u32, v: u64): void { store<u64>(domPtr(d) + D_V + (<usize>prio << 3), v); }

/** Sets F so the next activation starts at the class's virtual time (used on moves and priority changes). */
export function resetFinish(vm: u32): void {
  const v = vmPtr(vm);
  store<u64>(v, vGet(load<u32>(v, V_DOMAIN), load<u32>(v, V_PRIO)), V_F);
}

/** Time at which the head of length len conforms to limit and peak (flags: the VM's V_FLAGS). */
@inline function shapeAt(v: usize, flags: u32, len: u32): i64 {
  let e: i64 = i64.MIN_VALUE;
  if ((flags & VF_LIM) != 0) e = eligibleAt(v + V_LIM_TAT, v + V_LIM_FRAC, len);
  if ((flags & VF_PK) != 0) {
    const p = eligibleAt(v + V_PK_TAT, v + V_PK_FRAC, len);
    if (p > e) e = p;
  }
  return e;
}

@inline function assignFinish(v: usize, d: u32, prio: u32, len: u32): u64 {
  const vt = vGet(d, prio);
  let f = load<u64>(v, V_F);
  if (<i64>(f - vt) < 0) f = vt;
  f += <u64>len * load<u64>(v, V_INVW);
  if (<i64>(f - vt) > AHEAD_MAX) f = vt + <u64>AHEAD_MAX;
  store<u64>(v, f, V_F);
  return f;
}

/**
 * Puts a VM with a non-empty queue that is in no heap into the right heap:
 * HELD (timer heap) if its head does not conform yet, else ACTIVE.
 */
export function activate(vm: u32, now: i64): void {
  const v = vmPtr(vm);
  const flags = load<u32>(v, V_FLAGS);
  if ((flags & VF_DRAIN) != 0) { store<u32>(v, VS_IDLE, V_STATE); return; } // see VF_DRAIN
  const d = load<u32>(v, V_DOMAIN);
  const len = headLen(vm);
  const e = shapeAt(v, flags, len);
  if (e > now) {
    store<u32>(v, VS_HELD, V_STATE);
    heapInsert(HK_TIMER, d, vm, <u64>e, 0);
    return;
  }
  store<u32>(v, VS_ACTIVE, V_STATE);
  const prio = load<u32>(v, V_PRIO);
  shareInsert(d, vm, assignFinish(v, d, prio, len), prio);
  if ((flags & VF_RES) != 0) {
    heapInsert(HK_RES, d, vm, <u64>deadline(v + V_RES_TAT, v + V_RES_FRAC, len), 0);
  }
}

/** Takes a VM out of every heap; its state becomes IDLE (queue untouched). */
export function deactivate(vm: u32): void {
  const v = vmPtr(vm);
  const st = load<u32>(v, V_STATE);
  const d = load<u32>(v, V_DOMAIN);
  if (st == VS_ACTIVE) {
    shareRemove(d, vm);
    heapRemove(HK_RES, d, vm);
  } else if (st == VS_HELD) {
    heapRemove(HK_TIMER, d, vm);
  }
  if (st == VS_ACTIVE || st == VS_HELD) store<u32>(v, VS_IDLE, V_STATE);
}

/** Moves HELD VMs whose time has come to ACTIVE. */
export function releaseTimers(d: u32, now: i64): void {
  while (heapSize(HK_TIMER, d) > 0 && <i64>heapTopKey(HK_TIMER, d) <= now) {
    const vm = heapTopVm(HK_TIMER, d);
    heapRemove(HK_TIMER, d, vm);
    activate(vm, now);
  }
}

export let pickedPhaseRes: bool = false;

/** The VM a domain serves next at `now`, or NIL. Sets pickedPhaseRes. */
@inline export function pick(d: u32, now: i64): u32 {
  if (heapSize(HK_RES, d) > 0 && <i64>heapTopKey(HK_RES, d) <= now) {
    pickedPhaseRes = true;
    return heapTopVm(HK_RES, d);
  }
  if (shareSize(d) > 0) {
    pickedPhaseRes = false;
    return shareTopVm(d);
  }
  return NIL;
}

/**
 * Releases the head packet of an ACTIVE VM: charges its shapers, advances its
 * tags and re-files it. Returns the slot, now owned by the caller.
 */
export function serve(vm: u32, now: i64, resPhase: bool): u32 {
  const v = vmPtr(vm);
  const d = load<u32>(v, V_DOMAIN);
  const prio = load<u32>(v, V_PRIO);
  const flags = load<u32>(v, V_FLAGS);
  const s = vmQueuePop(vm);
  const sp = slotPtr(s);
  const len = <u32>load<u16>(sp, P_LEN);
  if ((flags & VF_LIM) != 0) charge(v + V_LIM_TAT, v + V_LIM_FRAC, len, now);
  if ((flags & VF_PK) != 0) charge(v + V_PK_TAT, v + V_PK_FRAC, len, now);
  const hasRes = (flags & VF_RES) != 0;
  if (hasRes) chargeReservation(v + V_RES_TAT, v + V_RES_FRAC, len, now, load<i64>(v, V_RES_DEPTH) << 4);
  if (!resPhase) vSet(d, prio, load<u64>(v, V_F));
  const st = vmStatPtr(vm);
  add64(st + S_REL_PKTS, 1);
  add64(st + S_REL_BYTES, len);
  if (resPhase) add64(st + S_RES_BYTES, len);
  // queue delay in 1.024 µs units (wrapping u32: exact for delays under 73 minutes)
  const delay = <u32>(now >> 10) - load<u32>(sp, P_TS);
  add64(st + S_DELAY_SUM, delay);
  if (<u64>delay > load<u64>(st + S_DELAY_MAX)) store<u64>(st + S_DELAY_MAX, delay);
  // bucket 32 - clz(delay), the top one (31) also taking delays of 2^31 units and more
  const b: u32 = 32 - clz<u32>(delay);
  const hb = st + S_DELAY_HIST + (<usize>(b < <u32>31 ? b : <u32>31) << 2);
  store<u32>(hb, load<u32>(hb) + 1);
  store<u32>(v, load<u32>(v, V_INFLIGHT) + 1, V_INFLIGHT);
  if ((flags & VF_PAUSED) != 0 && load<u32>(v, V_QPKTS) <= load<u32>(v, V_LOWM)) {
    store<u32>(v, flags & ~VF_PAUSED, V_FLAGS);
    emit(EV_RESUME, vm, load<u32>(v, V_QPKTS), 0, load<u32>(v, V_QBYTES), 0);
  }
  if (load<u32>(v, V_QHEAD) == NIL) {
    shareRemove(d, vm);
    if (hasRes) heapRemove(HK_RES, d, vm);
    store<u32>(v, VS_IDLE, V_STATE);
    return s;
  }
  const next = nextLen(s);
  const e = shapeAt(v, flags, next);
  if (e > now) {
    shareRemove(d, vm);
    if (hasRes) heapRemove(HK_RES, d, vm);
    store<u32>(v, VS_HELD, V_STATE);
    heapInsert(HK_TIMER, d, vm, <u64>e, 0);
    return s;
  }
  // F only grows here (max(F, V) + len·invW, and V + 2^61 ≥ F), so the VM can only sink in the share order
  shareSet(d, vm, assignFinish(v, d, prio, next));
  if (hasRes) heapUpdate(HK_RES, d, vm, <u64>deadline(v + V_RES_TAT, v + V_RES_FRAC, next));
  return s;
}

/**
 * Admits one packet for `vm`. Returns its status; never throws.
 * Counted: accepted (queued), full (refused, host keeps it), unknown VM, bad length.
 */
export function enqueueOne(vm: u32, len: u32, handle: u32, hash: u32, now: i64): u8 {
  if (vm >= maxVms) { teamCount(T_UNKNOWN); return ST_UNKNOWN_VM; }
  const v = vmPtr(vm);
  const state = load<u32>(v, V_STATE);
  if (state == VS_FREE || state == VS_REMOVING) { teamCount(T_UNKNOWN); return ST_UNKNOWN_VM; }
  if (len == 0 || len > 0xffff) { teamCount(T_BADLEN); teamCount(T_MALFORMED); return ST_MALFORMED; }
  const st = vmStatPtr(vm);
  const q = load<u32>(v, V_QPKTS);
  if (q >= load<u32>(v, V_QMAX_PKTS) || load<u32>(v, V_QBYTES) + len > load<u32>(v, V_QMAX_BYTES) || poolFree() == 0) {
    add64(st + S_FULL_PKTS, 1);
    add64(st + S_FULL_BYTES, len);
    return ST_FULL;
  }
  const flags = load<u32>(v, V_FLAGS);
  if (q == 0 && (flags & VF_RES) != 0) resetIfIdle(v + V_RES_TAT, v + V_RES_FRAC, now);
  const s = slotAlloc(handle, len, hash, <u32>(now >> 10), vm);
  vmQueuePush(vm, s, len);
  add64(st + S_ACC_PKTS, 1);
  add64(st + S_ACC_BYTES, len);
  if (state == VS_IDLE) activate(vm, now);
  if ((flags & (VF_WM | VF_PAUSED)) == VF_WM && q + 1 >= load<u32>(v, V_HIWM)) {
    store<u32>(v, load<u32>(v, V_FLAGS) | VF_PAUSED, V_FLAGS);
    add64(st + S_PAUSES, 1);
    emit(EV_PAUSE, vm, q + 1, 0, load<u32>(v, V_QBYTES), 0);
  }
  return ST_QUEUED;
}
