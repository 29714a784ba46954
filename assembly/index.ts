// index.ts — the Wasm core's exports: configuration calls and one call per batch.
//
// Host contract (documented for non-JavaScript hosts in README "Wasm core"):
//   init(...) once, then read the header at the returned pointer for every region.
//   Data path: write descriptors into the in-ring, call enqueue/enqueueFrames(n, now);
//   call poll(now, max) and read `count` decisions from the out-ring; call
//   completed(nic, count) as NICs finish; drain the event ring after each call.
// Every export validates its indices and returns a negative code instead of
// trapping; data-path trouble becomes a per-packet status or a counter.
// Time arguments are i64 nanoseconds of a monotonic clock. A clock that goes
// backwards is treated as standing still (counted in T_CLOCK_BACK).

import {
  layoutInit, hdr, NIL, VS_FREE, VS_IDLE, VS_REMOVING, V_STATE, V_DOMAIN, V_PRIO, V_QHEAD, V_QTAIL, V_QPKTS, V_INVW,
  V_RES_TAT, V_RES_INV, V_RES_DEPTH, V_LIM_INV, V_LIM_DEPTH, V_PK_INV, V_PK_DEPTH, V_NIC, V_HOME_NIC, V_QMAX_PKTS,
  V_QMAX_BYTES, V_HIWM, V_LOWM, V_INFLIGHT, V_TMP_HEAD, V_TMP_TAIL, V_POLICY, V_RES_BPS, VM_STRIDE, VMSTAT_STRIDE,
  V_MAC_HASH, V_ORDER, V_FLAGS, VF_LIM, VF_PK, VF_RES, VF_WM, VF_CONFIG, C_SHARES, C_RES_BPS, C_LIM_BPS, C_BURST, C_PEAK_BPS, C_PEAK_BURST, C_PRIO, C_QMAX_PKTS,
  C_QMAX_BYTES, C_HIWM, C_LOWM, C_MTU, C_POLICY, C_MAC_HASH, C_ORDER, POL_COUNT, S_RET_PKTS, S_RET_BYTES, P_HANDLE,
  P_LEN, H_NEXT_WAKE_LO, H_NEXT_WAKE_HI, T_POLLS, T_CLOCK_BACK, T_MALFORMED, ST_MALFORMED, ST_UNKNOWN_VM, T_UNKNOWN,
  HK_TIMER, NS_PRESENT, N_STATE, N_IF_HEAD, N_IF_TAIL, S_FORGED_PKTS, S_FORGED_BYTES, T_FORGED, ST_FORGED, vmPtr,
  vmStatPtr, slotPtr, nicPtr, setHdrWord, flowletBase, FL_STRIDE, maxVms, maxNics, batchMax, cfgBase, teamBase,
  teamDomain, inVm, inLen, inHandle, inHash, inOff, inCap, outHandle, outNic, outVm, outLen, statusBase, frameBase,
  frameBytes,
} from './layout';
import {
  poolInit, publishPoolFree, slotRelease, vmQueuePop,
} from './queue';
import {
  macInsert, macDelete, macLookup,
} from './mactable';
import {
  parseFrame, pSrcHi, pSrcLo, pHash, setHashMode, setHashNeeded,
} from './parse';
import {
  heapSize, heapTopKey,
} from './heap';
import {
  vmIdTake, vmIdFreed, reservationChanged, reservationOf, reservedBps,
} from './vmids';
import {
  activeDomains,
} from './share';
import {
  invFromBps,
} from './shaper';
import {
  activate, deactivate, enqueueOne, pick, pickedPhaseRes, releaseTimers, resetFinish, serve,
} from './sched';
import {
  nicConfigure, nicCompleted, nicHasRoom, nicPush, placeNew, detach, attach, setLink as teamSetLink,
  setTeam as teamSet, teamPolicy, setTeamNow, checkCapacity, nicFor, isPinnedPolicy, nicUp, moveVm,
  nicRemove as teamNicRemove,
} from './team';

export const E_RANGE: i32 = -1;   // an index out of range
export const E_STATE: i32 = -2;   // the object is not in a state that allows this
export const E_FULL: i32 = -3;    // no free VM slot / MAC table full
export const E_MEMORY: i32 = -4;  // linear memory could not grow

let initialized = false;
let lastNow: i64 = 0;
let domStart: u32 = 0;

@inline function clampNow(now: i64): i64 {
  if (now < lastNow) { store<u64>(teamBase + T_CLOCK_BACK, load<u64>(teamBase + T_CLOCK_BACK) + 1); return lastNow; }
  lastNow = now;
  setTeamNow(now);
  return now;
}

/** The engine's clock: the latest time any call passed in (ns; calls behind it were treated as standing still). */
export function clock(): i64 { return lastNow; }

/** Σ reservations (bit/s) the core enforces for its live VMs (kept as VMs change, vmids.ts). */
export function reserved(): u64 { return reservedBps; }

/** Lays out memory; returns the header pointer (> 0) or a negative error code. */
export function init(vms: u32, nics: u32, pool: u32, batch: u32, events: u32, fbytes: u32, macs: u32, flowlets: u32): i32 {
  if (initialized) return E_STATE;
  if (vms == 0 || nics == 0 || nics > 63 || pool == 0 || batch == 0 || events == 0) return E_RANGE;
  if (macs == 0 || (macs & (macs - 1)) != 0) return E_RANGE;
  if (flowlets == 0 || (flowlets & (flowlets - 1)) != 0) return E_RANGE;
  if (layoutInit(vms, nics, pool, batch, events, fbytes, macs, flowlets) < 0) return E_MEMORY;
  poolInit();
  for (let n: u32 = 0; n < nics; n++) { store<u32>(nicPtr(n), NIL, N_IF_HEAD); store<u32>(nicPtr(n), NIL, N_IF_TAIL); }
  for (let vm: u32 = 0; vm < vms; vm++) {
    const v = vmPtr(vm);
    store<u32>(v, NIL, V_QHEAD); store<u32>(v, NIL, V_QTAIL);
    store<u32>(v, NIL, V_TMP_HEAD); store<u32>(v, NIL, V_TMP_TAIL);
    store<u32>(v, NIL, V_NIC); store<u32>(v, NIL, V_HOME_NIC);
  }
  // flowlet slots start with no flow: a time so old that every gap exceeds δ
  for (let k: u32 = 0; k < flowlets; k++) store<i64>(flowletBase + <usize>k * FL_STRIDE, i64.MIN_VALUE >> 1, 8);
  initialized = true;
  return <i32>hdr;
}

/** Team settings: default policy (POL_*), failback (0/1), flow hash mode (HASH_*), flowlet gap δ in ns. */
export function setTeam(policy: u32, fb: u32, hashMode: u32, flowletGapNs: i64): i32 {
  if (policy >= POL_COUNT || hashMode > 2 || flowletGapNs < 0) return E_RANGE;
  teamSet(policy, fb != 0, flowletGapNs);
  setHashMode(hashMode);
  return 0;
}

/** Whether frames need a flow hash (a flow-hash or flowlet policy is in use, or the host reads hashes). */
export function setFlowHashing(on: u32): void { setHashNeeded(on != 0); }

/** Adds or reconfigures NIC i. A new NIC starts with the given link state. */
export function nicSet(i: u32, speedBps: u64, inFlightLimitBytes: u64, up: u32): i32 {
  if (i >= maxNics) return E_RANGE;
  if (speedBps == 0 || inFlightLimitBytes == 0) return E_RANGE;
  nicConfigure(i, speedBps, inFlightLimitBytes, up != 0);
  return 0;
}

export function setLink(i: u32, up: u32, now: i64): i32 {
  if (i >= maxNics) return E_RANGE;
  const r = teamSetLink(i, up != 0, clampNow(now));
  publishPoolFree(); // re-steering hands packets of removed VMs back to the pool
  return r;
}

function applyConfig(vm: u32): void {
  const v = vmPtr(vm);
  const c = cfgBase;
  const shares = load<u64>(c, C_SHARES);
  store<u64>(v, (<u64>1 << 40) / (shares == 0 ? 1 : shares), V_INVW);
  const mtu = load<u64>(c, C_MTU);
  const resInv = invFromBps(load<u64>(c, C_RES_BPS));
  store<u64>(v, resInv, V_RES_INV);
  // reservation bucket: 3 MTU deep, so a VM that waits up to two packet times for NIC
  // room keeps its credit (the guarantee is reservation·T − 2·MTU)
  store<i64>(v, <i64>((3 * mtu * resInv) >> 20), V_RES_DEPTH);
  store<u64>(v, load<u64>(c, C_RES_BPS), V_RES_BPS);
  const limInv = invFromBps(load<u64>(c, C_LIM_BPS));
  store<u64>(v, limInv, V_LIM_INV);
  store<i64>(v, <i64>((load<u64>(c, C_BURST) * limInv) >> 20), V_LIM_DEPTH);
  const pkInv = invFromBps(load<u64>(c, C_PEAK_BPS));
  store<u64>(v, pkInv, V_PK_INV);
  store<i64>(v, <i64>((load<u64>(c, C_PEAK_BURST) * pkInv) >> 20), V_PK_DEPTH);
  store<u32>(v, <u32>load<u64>(c, C_PRIO), V_PRIO);
  store<u32>(v, <u32>load<u64>(c, C_QMAX_PKTS), V_QMAX_PKTS);
  store<u32>(v, <u32>load<u64>(c, C_QMAX_BYTES), V_QMAX_BYTES);
  store<u32>(v, <u32>load<u64>(c, C_HIWM), V_HIWM);
  store<u32>(v, <u32>load<u64>(c, C_LOWM), V_LOWM);
  store<u32>(v, <u32>load<u64>(c, C_MAC_HASH), V_MAC_HASH);
  store<u64>(v + V_ORDER, load<u64>(c, C_ORDER));
  let f = load<u32>(v, V_FLAGS) & ~VF_CONFIG;
  if (limInv != 0) f |= VF_LIM;
  if (pkInv != 0) f |= VF_PK;
  if (resInv != 0) f |= VF_RES;
  if (load<u32>(v, V_HIWM) != 0) f |= VF_WM;
  store<u32>(v, f, V_FLAGS);
}

/** Adds a VM from the staged config record; returns its id or a negative code. */
export function vmAdd(now: i64): i32 {
  now = clampNow(now);
  const id = vmIdTake();
  if (id == NIL) return E_FULL;
  const v = vmPtr(id);
  memory.fill(v, 0, VM_STRIDE);
  memory.fill(vmStatPtr(id), 0, VMSTAT_STRIDE);
  store<u32>(v, NIL, V_QHEAD); store<u32>(v, NIL, V_QTAIL);
  store<u32>(v, NIL, V_TMP_HEAD); store<u32>(v, NIL, V_TMP_TAIL);
  store<u32>(v, NIL, V_NIC); store<u32>(v, NIL, V_HOME_NIC);
  applyConfig(id);
  const pol = <u32>load<u64>(cfgBase, C_POLICY);
  store<u32>(v, pol < POL_COUNT ? pol : teamPolicy, V_POLICY);
  store<u32>(v, VS_IDLE, V_STATE);
  reservationChanged(0, reservationOf(id));
  store<i64>(v, now, V_RES_TAT); // mClock: R tags start at the VM's first packet, no credit
  placeNew(id);
  resetFinish(id);
  checkCapacity();
  return <i32>id;
}

/** Reconfigures a VM from the staged record; keeps its queue, tags and counters. */
export function vmUpdate(vm: u32, now: i64): i32 {
  now = clampNow(now);
  if (vm >= maxVms) return E_RANGE;
  const v = vmPtr(vm);
  const st = load<u32>(v, V_STATE);
  if (st == VS_FREE || st == VS_REMOVING) return E_STATE;
  const oldPrio = load<u32>(v, V_PRIO);
  deactivate(vm);
  const nic = load<u32>(v, V_NIC);
  const dom = load<u32>(v, V_DOMAIN);
  detach(vm);
  const resBefore = reservationOf(vm);
  applyConfig(vm);
  reservationChanged(resBefore, reservationOf(vm));
  attach(vm, nic);
  store<u32>(v, dom, V_DOMAIN);
  if (load<u32>(v, V_PRIO) != oldPrio) resetFinish(vm);
  if (load<u32>(v, V_QPKTS) > 0) activate(vm, now);
  checkCapacity();
  return 0;
}

/** Removes a VM: it stops being scheduled; its queue is handed back by vmTakeQueued. */
export function vmRemove(vm: u32): i32 {
  if (vm >= maxVms) return E_RANGE;
  const v = vmPtr(vm);
  const st = load<u32>(v, V_STATE);
  if (st == VS_FREE || st == VS_REMOVING) return E_STATE;
  deactivate(vm);
  detach(vm);
  store<u32>(v, VS_REMOVING, V_STATE);
  reservationChanged(reservationOf(vm), 0);
  if (load<u32>(v, V_QPKTS) == 0 && load<u32>(v, V_INFLIGHT) == 0) { store<u32>(v, VS_FREE, V_STATE); vmIdFreed(vm); }
  return 0;
}

/**
 * Hands back up to `max` queued packets of a removed VM: handles into the
 * out-ring's handle column, lengths into its length column. Returns the count.
 */
export function vmTakeQueued(vm: u32, max: u32): i32 {
  if (vm >= maxVms) return E_RANGE;
  const v = vmPtr(vm);
  if (load<u32>(v, V_STATE) != VS_REMOVING) return 0;
  if (max > batchMax) max = batchMax;
  let n: u32 = 0;
  const st = vmStatPtr(vm);
  while (n < max && load<u32>(v, V_QHEAD) != NIL) {
    const s = vmQueuePop(vm);
    const sp = slotPtr(s);
    store<u32>(outHandle + (<usize>n << 2), load<u32>(sp, P_HANDLE));
    store<u32>(outLen + (<usize>n << 2), load<u16>(sp, P_LEN));
    store<u32>(outVm + (<usize>n << 2), vm);
    store<u32>(outNic + (<usize>n << 2), NIL);
    store<u64>(st + S_RET_PKTS, load<u64>(st + S_RET_PKTS) + 1);
    store<u64>(st + S_RET_BYTES, load<u64>(st + S_RET_BYTES) + load<u16>(sp, P_LEN));
    slotRelease(s);
    n++;
  }
  if (load<u32>(v, V_QHEAD) == NIL && load<u32>(v, V_INFLIGHT) == 0) { store<u32>(v, VS_FREE, V_STATE); vmIdFreed(vm); }
  publishPoolFree();
  return <i32>n;
}

export function vmState(vm: u32): i32 {
  if (vm >= maxVms) return E_RANGE;
  return <i32>load<u32>(vmPtr(vm), V_STATE);
}

export function macSet(vm: u32, hi: u32, lo: u32): i32 {
  if (vm >= maxVms) return E_RANGE;
  return macInsert(hi, lo, vm) < 0 ? E_FULL : 0;
}

export function macRemove(hi: u32, lo: u32): i32 {
  return macDelete(hi, lo) == NIL ? E_STATE : 0;
}

export function macFind(hi: u32, lo: u32): i32 {
  return <i32>macLookup(hi, lo);
}

/** Pre-classified descriptors: inVm, inLen, inHandle, inHash[0..n). Writes a status per packet. */
export function enqueue(n: u32, now: i64): u32 {
  now = clampNow(now);
  if (n > batchMax) n = batchMax;
  let ok: u32 = 0;
  for (let i: u32 = 0; i < n; i++) {
    const o = <usize>i << 2;
    const s = enqueueOne(load<u32>(inVm + o), load<u32>(inLen + o), load<u32>(inHandle + o), load<u32>(inHash + o), now);
    store<u8>(statusBase + i, s);
    if (s == 0) ok++;
  }
  publishPoolFree();
  return ok;
}

/** Parses in-ring frame o (byte offset of its descriptor), bounds-checked against the frame buffer; counts it when malformed. */
@inline function parseIn(o: usize): bool {
  const off = load<u32>(inOff + o), cap = load<u32>(inCap + o);
  if (off > frameBytes || cap > frameBytes - off || !parseFrame(frameBase + off, cap)) {
    store<u64>(teamBase + T_MALFORMED, load<u64>(teamBase + T_MALFORMED) + 1);
    return false;
  }
  return true;
}

/** Status of a classified frame not yet queued (between enqueueFrames' two passes; never seen by the host). */
const ST_PENDING: u8 = 0xff;

/**
 * Raw frames: bytes at frameBase + inOff[i], inCap[i] of them readable,
 * inLen[i] the wire length charged to the VM, inHandle[i]. Classified by
 * source MAC; writes inVm[i] (NIL when unknown) and the status.
 */
export function enqueueFrames(n: u32, now: i64): u32 {
  now = clampNow(now);
  if (n > batchMax) n = batchMax;
  // Two passes over the batch, as vector packet processors do (VPP: Barach et al.,
  // IEEE Communications Magazine 2018): classifying every frame first keeps that
  // loop short, so the cache misses of several frames' headers and MAC-table slots
  // are in flight at once instead of one after another behind the queueing work.
  for (let i: u32 = 0; i < n; i++) {
    const o = <usize>i << 2;
    let vm: u32 = NIL;
    let s: u8 = ST_PENDING;
    if (!parseIn(o)) s = ST_MALFORMED;
    else {
      vm = macLookup(pSrcHi, pSrcLo);
      store<u32>(inHash + o, pHash);
      if (vm == NIL) { store<u64>(teamBase + T_UNKNOWN, load<u64>(teamBase + T_UNKNOWN) + 1); s = ST_UNKNOWN_VM; }
    }
    store<u32>(inVm + o, vm);
    store<u8>(statusBase + i, s);
  }
  let ok: u32 = 0;
  for (let i: u32 = 0; i < n; i++) {
    if (load<u8>(statusBase + i) != ST_PENDING) continue;
    const o = <usize>i << 2;
    const s = enqueueOne(load<u32>(inVm + o), load<u32>(inLen + o), load<u32>(inHandle + o), load<u32>(inHash + o), now);
    store<u8>(statusBase + i, s);
    if (s == 0) ok++;
  }
  publishPoolFree();
  return ok;
}

/** Forged-transmit policy for enqueueFramesFromPorts: 0 reject (status forged), 1 accept and charge the port's VM. */
let forgedAccept = false;
export function setForgedPolicy(accept: u32): void { forgedAccept = accept != 0; }

/**
 * Raw frames from known virtual ports: inVm[i] is the VM that owns the port the
 * frame came from. The source MAC is still parsed and checked: a frame whose
 * MAC is not registered to that VM is forged — rejected with status forged, or
 * accepted and charged to the port's VM (per setForgedPolicy) — and counted on
 * the port's VM either way. A VM can therefore never spend another VM's allocation.
 */
export function enqueueFramesFromPorts(n: u32, now: i64): u32 {
  now = clampNow(now);
  if (n > batchMax) n = batchMax;
  let ok: u32 = 0;
  for (let i: u32 = 0; i < n; i++) {
    const o = <usize>i << 2;
    const port = load<u32>(inVm + o);
    let s: u8;
    if (!parseIn(o)) {
      s = ST_MALFORMED;
    } else if (port >= maxVms || load<u32>(vmPtr(port), V_STATE) == VS_FREE || load<u32>(vmPtr(port), V_STATE) == VS_REMOVING) {
      store<u64>(teamBase + T_UNKNOWN, load<u64>(teamBase + T_UNKNOWN) + 1);
      s = ST_UNKNOWN_VM;
    } else {
      store<u32>(inHash + o, pHash);
      const owner = macLookup(pSrcHi, pSrcLo);
      if (owner != port) {
        const st = vmStatPtr(port);
        store<u64>(st + S_FORGED_PKTS, load<u64>(st + S_FORGED_PKTS) + 1);
        store<u64>(st + S_FORGED_BYTES, load<u64>(st + S_FORGED_BYTES) + load<u32>(inLen + o));
        store<u64>(teamBase + T_FORGED, load<u64>(teamBase + T_FORGED) + 1);
      }
      if (owner != port && !forgedAccept) s = ST_FORGED;
      else s = enqueueOne(port, load<u32>(inLen + o), load<u32>(inHandle + o), pHash, now);
    }
    store<u8>(statusBase + i, s);
    if (s == 0) ok++;
  }
  publishPoolFree();
  return ok;
}

/**
 * Releases up to `max` packets that NIC room and allocations allow at `now`.
 * Decisions go to the out-ring (handle, nic, vm, length); returns the count and
 * writes the next time a held VM becomes eligible (or -1) into the header.
 */
export function poll(now: i64, max: u32): u32 {
  now = clampNow(now);
  if (max > batchMax) max = batchMax;
  store<u64>(teamBase + T_POLLS, load<u64>(teamBase + T_POLLS) + 1);
  const ndom = teamDomain + 1;
  for (let d: u32 = 0; d < ndom; d++) releaseTimers(d, now);
  let out: u32 = 0;
  while (out < max) {
    // one round: each busy domain once, in rotation from domStart (the mask rotated so
    // bit domStart comes first; every domain index is < 64, so k maps back to (k + domStart) mod 64)
    const mask = activeDomains;
    if (mask == 0) break;
    let bits = rotr<u64>(mask, <u64>domStart);
    const before = out;
    while (bits != 0 && out < max) {
      const d = (<u32>ctz<u64>(bits) + domStart) & 63;
      bits &= bits - 1;
      let vm: u32, nic: u32;
      if (d == teamDomain) {
        // team pool: the scheduler picks the VM, its policy picks the NIC
        vm = pick(d, now);
        nic = nicFor(vm, now);
        if (nic == NIL) continue;
      } else {
        if (!nicHasRoom(d)) continue;
        nic = d;
        vm = pick(d, now);
      }
      const s = serve(vm, now, pickedPhaseRes);
      const sp = slotPtr(s);
      const len = load<u16>(sp, P_LEN);
      nicPush(nic, s, len);
      const o = <usize>out << 2;
      store<u32>(outHandle + o, load<u32>(sp, P_HANDLE));
      store<u32>(outNic + o, nic);
      store<u32>(outVm + o, vm);
      store<u32>(outLen + o, len);
      out++;
    }
    if (out == before) break;
  }
  domStart = domStart + 1 >= ndom ? 0 : domStart + 1;
  // next wake: the earliest held VM
  let wake: i64 = -1;
  for (let d: u32 = 0; d < ndom; d++) {
    if (heapSize(HK_TIMER, d) == 0) continue;
    const k = <i64>heapTopKey(HK_TIMER, d);
    if (wake < 0 || k < wake) wake = k;
  }
  setHdrWord(H_NEXT_WAKE_LO, <u32>wake);
  setHdrWord(H_NEXT_WAKE_HI, <u32>(wake >>> 32));
  return out;
}

/** Moves a pinned VM to NIC i (load-based rebalancing by the host); i becomes its home. */
export function vmMove(vm: u32, i: u32, now: i64): i32 {
  now = clampNow(now);
  if (vm >= maxVms || i >= maxNics) return E_RANGE;
  const v = vmPtr(vm);
  const st = load<u32>(v, V_STATE);
  if (st == VS_FREE || st == VS_REMOVING || !isPinnedPolicy(load<u32>(v, V_POLICY)) || !nicUp(i)) return E_STATE;
  if (load<u32>(v, V_NIC) == i) return 0;
  moveVm(vm, i, now);
  store<u32>(v, i, V_HOME_NIC);
  checkCapacity();
  return 0;
}

/** Removes NIC i, which must be down (the host calls setLink(i, 0) first). */
export function nicDelete(i: u32): i32 {
  if (i >= maxNics) return E_RANGE;
  return teamNicRemove(i) < 0 ? E_STATE : 0;
}

/** TX completions for NIC i, in order. Returns how many were in flight to complete. */
export function completed(i: u32, count: u32): i32 {
  if (i >= maxNics) return E_RANGE;
  if ((load<u32>(nicPtr(i), N_STATE) & NS_PRESENT) == 0) return E_STATE; // a NIC slot never configured or removed
  const r = <i32>nicCompleted(i, count);
  publishPoolFree();
  return r;
}
