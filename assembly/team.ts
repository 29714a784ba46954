// team.ts — the NICs of the team: link state, selection, in-flight FIFOs,
// placement of pinned VMs, failover with re-steering, failback.
//
// Each NIC keeps a FIFO of the packets handed to it and not yet completed
// (slots linked in release order) and admits more while its in-flight bytes
// are below its limit (BQL-like: at most one packet beyond the limit).
// Policies implemented here (team-wide default, overridable per VM):
//   round-robin     per packet, the next up NIC with room after the last used;
//   least-load      per packet, the up NIC with room and the fewest in-flight
//                   bytes per unit of speed (bytes * ns-per-byte, Q20), lowest index on ties;
//   flow-hash       per packet, up NIC number (flow hash mod up count): a flow
//                   stays on one NIC while the set of up NICs is unchanged; a packet
//                   whose NIC has no room waits (head of line) rather than reorder;
//   flowlet         per packet, the NIC of the packet's flowlet; a new flowlet (first
//                   packet, or a gap > δ since the flow's last packet) takes the
//                   least-loaded NIC (Kandula et al., "Dynamic load balancing without
//                   packet reordering", CCR 2007; CONGA, SIGCOMM 2014). Flows are
//                   tracked in a direct-mapped table; a colliding flow starts a new flowlet;
//   port-id         pinned: the up NIC with the most unreserved capacity
//                   (speed - Σ reservations pinned there), then the fewest pinned
//                   VMs; moves only on failure;
//   load-based      pinned like port-id; the host (src/api/rebalance.ts) moves VMs
//                   off hot NICs through vmMove;
//   failover-order  pinned: the first up NIC of the VM's ordered list;
//   src-mac-hash    pinned: up NIC number (MAC hash mod up count), re-hashed on
//                   every link change, like Linux bonding's layer2 xmit hash.
// On link down, the NIC's in-flight packets are spliced back, in order, at
// the head of their VMs' queues (re-steer) and pinned VMs move to surviving
// NICs; nothing is lost. Cost: link events are O(maxVms + in flight); the
// per-packet selection is O(maxNics).

import {
  NIL, NS_PRESENT, NS_UP, N_STATE, N_IF_PKTS, N_IF_BYTES, N_IF_LIMIT, N_SPEED, N_INV_SPEED,
  N_IF_HEAD, N_IF_TAIL, N_SENT_PKTS, N_SENT_BYTES, N_REL_PKTS, N_REL_BYTES, N_FAILOVERS, N_RESTEERED,
  N_RES_SUM, N_PINNED, N_BAD_COMPLETIONS,
  P_LEN, P_NEXT, P_VM, P_HANDLE,
  VS_FREE, VS_IDLE, VS_REMOVING, VF_DRAIN, V_FLAGS, V_STATE, V_DOMAIN, V_NIC, V_HOME_NIC, V_QHEAD, V_QTAIL, V_QPKTS, V_QBYTES,
  V_INFLIGHT, V_TMP_HEAD, V_TMP_TAIL, V_RES_BPS, V_POLICY,
  S_SENT_PKTS, S_SENT_BYTES, S_RESTEER_PKTS, S_RET_PKTS, S_RET_BYTES,
  EV_LINK, EV_MOVED, EV_FAILOVER, EV_FAILBACK, EV_TEAM_DOWN, EV_TEAM_UP, EV_RETURNED, EV_CAPACITY,
  T_RESTEERED, T_FAILOVERS, T_BAD_COMPLETIONS, POL_PORT_ID, POL_FAILOVER_ORDER, POL_SRC_MAC_HASH, POL_LOAD_BASED,
  POL_LEAST_LOAD, POL_FLOW_HASH, POL_FLOWLET, POL_ROUND_ROBIN, V_ORDER, V_MAC_HASH, P_HASH, FL_STRIDE,
  nicPtr, vmPtr, vmStatPtr, slotPtr, maxNics, maxVms, teamDomain, teamBase, flowletBase, flowletSlots, TEAM_UPLIST,
} from './layout';
import { emit } from './events';
import { linkQueued, slotRelease } from './queue';
import { activate, deactivate, resetFinish } from './sched';
import { invFromBps } from './shaper';
import { reservedBps, vmIdFreed } from './vmids';

export let teamPolicy: u32 = 0;
export let failback: bool = true;
export let flowletGapNs: i64 = 500_000;
let rrNext: u32 = 0;
let upN: u32 = 0;                   // NICs up; their indices at teamBase + UPLIST, ascending
const UPLIST: usize = TEAM_UPLIST;  // u8 x 64 inside the team block, after the counters

@inline function upAt(k: u32): u32 { return load<u8>(teamBase + UPLIST + k); }

/**
 * Bit n set ⇔ NIC n is up and its in-flight bytes are below its limit (nicHasRoom).
 * Kept exact by nicPush, nicCompleted and refreshUpList, so the per-packet NIC
 * choice reads one word instead of every NIC's record (maxNics ≤ 63).
 */
let roomMask: u64 = 0;

@inline function roomOf(n: u32): u64 {
  const p = nicPtr(n);
  return <u64>((load<u32>(p, N_STATE) & NS_UP) != 0 && load<u64>(p, N_IF_BYTES) < load<u64>(p, N_IF_LIMIT)) << n;
}
@inline function refreshRoom(n: u32): void { roomMask = (roomMask & ~((<u64>1) << n)) | roomOf(n); }

/** Rebuilds the ascending list of up NICs and the room mask (after any link or NIC change). */
export function refreshUpList(): void {
  let k: u32 = 0;
  let room: u64 = 0;
  for (let i: u32 = 0; i < maxNics; i++) {
    room |= roomOf(i);
    if (nicUp(i)) { store<u8>(teamBase + UPLIST + k, <u8>i); k++; }
  }
  upN = k;
  roomMask = room;
}

@inline function add64(p: usize, v: u64): void { store<u64>(p, load<u64>(p) + v); }

@inline export function nicUp(n: u32): bool { return (load<u32>(nicPtr(n), N_STATE) & NS_UP) != 0; }
@inline export function nicHasRoom(n: u32): bool { return ((roomMask >> n) & 1) != 0; }

export function setTeam(policy: u32, fb: bool, gapNs: i64): void { teamPolicy = policy; failback = fb; flowletGapNs = gapNs; }
@inline export function isPinnedPolicy(pol: u32): bool {
  return pol == POL_PORT_ID || pol == POL_FAILOVER_ORDER || pol == POL_SRC_MAC_HASH || pol == POL_LOAD_BASED;
}


/** Configures NIC i (present, down until setLink says up... or up if `up`). */
export function nicConfigure(i: u32, speedBps: u64, limitBytes: u64, up: bool): void {
  const p = nicPtr(i);
  const wasPresent = (load<u32>(p, N_STATE) & NS_PRESENT) != 0;
  store<u64>(p, speedBps, N_SPEED);
  store<u64>(p, invFromBps(speedBps), N_INV_SPEED);
  store<u64>(p, limitBytes, N_IF_LIMIT);
  if (!wasPresent) {
    store<u32>(p, NIL, N_IF_HEAD); store<u32>(p, NIL, N_IF_TAIL);
    store<u32>(p, NS_PRESENT | (up ? NS_UP : 0), N_STATE);
  }
  refreshUpList(); // a new limit changes the room bit
}

/** Removes a NIC that is down: it takes no traffic and no placement any more. */
export function nicRemove(i: u32): i32 {
  const p = nicPtr(i);
  const st = load<u32>(p, N_STATE);
  if ((st & NS_PRESENT) == 0 || (st & NS_UP) != 0) return -1;
  store<u32>(p, 0, N_STATE);
  for (let vm: u32 = 0; vm < maxVms; vm++) {
    const v = vmPtr(vm);
    if (load<u32>(v, V_HOME_NIC) == i) store<u32>(v, load<u32>(v, V_NIC), V_HOME_NIC);
  }
  refreshUpList();
  return 0;
}

/** Round robin: the first NIC with room at or after rrNext, wrapping; NIL when none has room. */
@inline function rrPick(): u32 {
  const bits = roomMask;
  if (bits == 0) return NIL;
  const after = bits & ~(((<u64>1) << rrNext) - 1);
  const i = <u32>ctz<u64>(after != 0 ? after : bits);
  rrNext = i + 1 >= maxNics ? 0 : i + 1;
  return i;
}

/** Least load: the NIC with room and the fewest in-flight bytes per unit of speed, lowest index on ties; NIL when none has room. */
function leastLoaded(): u32 {
  let bits = roomMask;
  let best: u32 = NIL;
  let bestLoad: u64 = 0;
  while (bits != 0) { // ascending index, strict <: lowest index on ties
    const i = <u32>ctz<u64>(bits);
    bits &= bits - 1;
    const p = nicPtr(i);
    const load_ = load<u64>(p, N_IF_BYTES) * load<u64>(p, N_INV_SPEED);
    if (best == NIL || load_ < bestLoad) { best = i; bestLoad = load_; }
  }
  return best;
}

/**
 * NIC for the head packet of a team-pool VM at `now`, by the VM's policy;
 * NIL when that NIC (or every NIC, for round-robin / least-load) has no room.
 */
@inline export function nicFor(vm: u32, now: i64): u32 {
  const pol = load<u32>(vmPtr(vm), V_POLICY);
  return pol == POL_ROUND_ROBIN ? rrPick() : nicForOther(vm, pol, now);
}

function nicForOther(vm: u32, pol: u32, now: i64): u32 {
  const v = vmPtr(vm);
  if (pol == POL_FLOW_HASH || pol == POL_FLOWLET) {
    if (upN == 0) return NIL;
    const hash = load<u32>(slotPtr(load<u32>(v, V_QHEAD)), P_HASH);
    if (pol == POL_FLOW_HASH) {
      const n = upAt(hash % upN);
      return nicHasRoom(n) ? n : NIL;
    }
    const e = flowletBase + (<usize>(hash & (flowletSlots - 1)) * FL_STRIDE);
    const n = load<u32>(e, 4);
    if (load<u32>(e) == hash && n < maxNics && nicUp(n) && now - load<i64>(e, 8) <= flowletGapNs) {
      if (!nicHasRoom(n)) return NIL; // same flowlet: wait, never reorder
      store<i64>(e, now, 8);
      return n;
    }
    const m = leastLoaded();
    if (m != NIL) { store<u32>(e, hash); store<u32>(e, m, 4); store<i64>(e, now, 8); }
    return m;
  }
  return pol == POL_LEAST_LOAD ? leastLoaded() : rrPick();
}

/** Hands slot s to NIC n: appends to its in-flight FIFO. */
export function nicPush(n: u32, s: u32, len: u32): void {
  const p = nicPtr(n);
  const tail = load<u32>(p, N_IF_TAIL);
  if (tail == NIL) store<u32>(p, s, N_IF_HEAD);
  else store<u32>(slotPtr(tail), s, P_NEXT);
  store<u32>(p, s, N_IF_TAIL);
  store<u32>(p, load<u32>(p, N_IF_PKTS) + 1, N_IF_PKTS);
  const bytes = load<u64>(p, N_IF_BYTES) + len;
  store<u64>(p, bytes, N_IF_BYTES);
  if (bytes >= load<u64>(p, N_IF_LIMIT)) roomMask &= ~((<u64>1) << n);
  add64(p + N_REL_PKTS, 1);
  add64(p + N_REL_BYTES, len);
}

/** Engine time of the last call (completions carry no clock of their own). */
export let lastNowTeam: i64 = 0;
export function setTeamNow(t: i64): void { lastNowTeam = t; }

@inline function finishInflight(vm: u32): void {
  const v = vmPtr(vm);
  const n = load<u32>(v, V_INFLIGHT) - 1;
  store<u32>(v, n, V_INFLIGHT);
  if (n != 0) return;
  if (load<u32>(v, V_STATE) == VS_REMOVING) { store<u32>(v, VS_FREE, V_STATE); vmIdFreed(vm); return; }
  if ((load<u32>(v, V_FLAGS) & VF_DRAIN) != 0) endDrain(vm, lastNowTeam);
}

/** A draining VM whose last in-flight packet is done may be scheduled again. */
function endDrain(vm: u32, now: i64): void {
  const v = vmPtr(vm);
  const f = load<u32>(v, V_FLAGS);
  if ((f & VF_DRAIN) == 0) return;
  store<u32>(v, f & ~VF_DRAIN, V_FLAGS);
  if (load<u32>(v, V_STATE) == VS_IDLE && load<u32>(v, V_QPKTS) > 0) activate(vm, now);
}

/** TX completions: the oldest `count` packets on NIC n. Returns how many there were. */
export function nicCompleted(n: u32, count: u32): u32 {
  const p = nicPtr(n);
  let done: u32 = 0;
  let bytes: u64 = 0;
  let s = load<u32>(p, N_IF_HEAD);
  while (done < count && s != NIL) {
    const sp = slotPtr(s);
    const next = load<u32>(sp, P_NEXT);
    const len = load<u16>(sp, P_LEN);
    const vm = load<u32>(sp, P_VM);
    bytes += len;
    const st = vmStatPtr(vm);
    add64(st + S_SENT_PKTS, 1);
    add64(st + S_SENT_BYTES, len);
    finishInflight(vm);
    slotRelease(s);
    done++;
    s = next;
  }
  // the NIC's record once per call, not per packet
  store<u32>(p, s, N_IF_HEAD);
  if (s == NIL) store<u32>(p, NIL, N_IF_TAIL);
  store<u32>(p, load<u32>(p, N_IF_PKTS) - done, N_IF_PKTS);
  store<u64>(p, load<u64>(p, N_IF_BYTES) - bytes, N_IF_BYTES);
  add64(p + N_SENT_PKTS, done);
  add64(p + N_SENT_BYTES, bytes);
  refreshRoom(n);
  if (done < count) {
    const bad = <u64>load<u32>(p, N_BAD_COMPLETIONS) + <u64>(count - done);
    store<u32>(p, bad > 0xffffffff ? 0xffffffff : <u32>bad, N_BAD_COMPLETIONS); // saturating u32
    add64(teamBase + T_BAD_COMPLETIONS, count - done);
  }
  return done;
}

/** Where a pinned VM belongs now, by its policy; NIL when no NIC it may use is up. */
export function placeFor(vm: u32): u32 {
  const v = vmPtr(vm);
  const pol = load<u32>(v, V_POLICY);
  if (pol == POL_FAILOVER_ORDER) {
    for (let k: u32 = 0; k < 8; k++) {
      const n = <u32>load<u8>(v + V_ORDER + k);
      if (n == 0xff) break;
      if (n < maxNics && nicUp(n)) return n;
    }
    return NIL;
  }
  if (pol == POL_SRC_MAC_HASH) return upN == 0 ? NIL : upAt(load<u32>(v, V_MAC_HASH) % upN);
  return placeNic();
}

/**
 * Placement for port-id / load-based: the up NIC with the most unreserved
 * capacity, then the fewest pinned VMs, then the lowest index; NIL if none is up.
 */
export function placeNic(): u32 {
  let best: u32 = NIL;
  let bestFree: i64 = 0;
  let bestPinned: u32 = 0;
  for (let i: u32 = 0; i < maxNics; i++) {
    if (!nicUp(i)) continue;
    const p = nicPtr(i);
    const free = <i64>load<u64>(p, N_SPEED) - <i64>load<u64>(p, N_RES_SUM);
    const pinned = load<u32>(p, N_PINNED);
    if (best == NIL || free > bestFree || (free == bestFree && pinned < bestPinned)) { best = i; bestFree = free; bestPinned = pinned; }
  }
  return best;
}

/** Records that a VM is pinned to `nic` (or to the pool when NIL / per-packet policy). */
export function attach(vm: u32, nic: u32): void {
  const v = vmPtr(vm);
  store<u32>(v, nic, V_NIC);
  if (nic == NIL) { store<u32>(v, teamDomain, V_DOMAIN); return; }
  store<u32>(v, nic, V_DOMAIN);
  const p = nicPtr(nic);
  add64(p + N_RES_SUM, load<u64>(v, V_RES_BPS));
  store<u32>(p, load<u32>(p, N_PINNED) + 1, N_PINNED);
}

export function detach(vm: u32): void {
  const v = vmPtr(vm);
  const nic = load<u32>(v, V_NIC);
  if (nic == NIL) return;
  const p = nicPtr(nic);
  store<u64>(p, load<u64>(p, N_RES_SUM) - load<u64>(v, V_RES_BPS), N_RES_SUM);
  store<u32>(p, load<u32>(p, N_PINNED) - 1, N_PINNED);
  store<u32>(v, NIL, V_NIC);
}

/** Moves a pinned VM to another NIC's domain; it competes there from that domain's virtual time. */
export function moveVm(vm: u32, to: u32, now: i64): void {
  const v = vmPtr(vm);
  const from = load<u32>(v, V_NIC);
  deactivate(vm);
  detach(vm);
  attach(vm, to);
  if (to == NIL) store<u32>(v, from, V_DOMAIN); // stays queued where it was: no NIC up
  resetFinish(vm);
  emit(EV_MOVED, vm, from, to, 0, 0);
  if (from != NIL && to != NIL && load<u32>(v, V_INFLIGHT) > 0) {
    store<u32>(v, load<u32>(v, V_FLAGS) | VF_DRAIN, V_FLAGS); // wait for the old NIC: no reordering
  }
  if (load<u32>(v, V_QPKTS) > 0) activate(vm, now);
}

/** Splices NIC n's in-flight FIFO back onto the heads of its VMs' queues. Returns packets moved. */
function resteer(n: u32): u32 {
  const p = nicPtr(n);
  let s = load<u32>(p, N_IF_HEAD);
  let moved: u32 = 0;
  // pass 1: build per-VM lists in FIFO order
  while (s != NIL) {
    const sp = slotPtr(s);
    const next = load<u32>(sp, P_NEXT);
    const vm = load<u32>(sp, P_VM);
    const v = vmPtr(vm);
    store<u32>(sp, NIL, P_NEXT);
    if (load<u32>(v, V_STATE) == VS_REMOVING) {
      // its VM is gone: hand the packet back to the host instead
      const st = vmStatPtr(vm);
      add64(st + S_RET_PKTS, 1);
      add64(st + S_RET_BYTES, load<u16>(sp, P_LEN));
      emit(EV_RETURNED, vm, load<u32>(sp, P_HANDLE), n, load<u16>(sp, P_LEN), 0);
      finishInflight(vm);
      slotRelease(s);
    } else {
      const tail = load<u32>(v, V_TMP_TAIL);
      if (tail == NIL) store<u32>(v, s, V_TMP_HEAD);
      else linkQueued(tail, s, load<u16>(sp, P_LEN));
      store<u32>(v, s, V_TMP_TAIL);
      const left = load<u32>(v, V_INFLIGHT) - 1;
      store<u32>(v, left, V_INFLIGHT);
      if (left == 0) store<u32>(v, load<u32>(v, V_FLAGS) & ~VF_DRAIN, V_FLAGS);
      add64(vmStatPtr(vm) + S_RESTEER_PKTS, 1);
      moved++;
    }
    s = next;
  }
  store<u32>(p, NIL, N_IF_HEAD); store<u32>(p, NIL, N_IF_TAIL);
  store<u32>(p, 0, N_IF_PKTS); store<u64>(p, 0, N_IF_BYTES);
  refreshRoom(n);
  add64(p + N_RESTEERED, moved);
  add64(teamBase + T_RESTEERED, moved);
  // pass 2: prepend each VM's list to its queue (in VM id order)
  for (let vm: u32 = 0; vm < maxVms; vm++) {
    const v = vmPtr(vm);
    const h = load<u32>(v, V_TMP_HEAD);
    if (h == NIL) continue;
    const t = load<u32>(v, V_TMP_TAIL);
    deactivate(vm);
    let cnt: u32 = 0, bytes: u32 = 0;
    for (let x = h; x != NIL; x = load<u32>(slotPtr(x), P_NEXT)) { cnt++; bytes += load<u16>(slotPtr(x), P_LEN); }
    const oldHead = load<u32>(v, V_QHEAD);
    if (oldHead == NIL) { store<u32>(slotPtr(t), NIL, P_NEXT); store<u32>(v, t, V_QTAIL); }
    else linkQueued(t, oldHead, load<u16>(slotPtr(oldHead), P_LEN));
    store<u32>(v, h, V_QHEAD);
    store<u32>(v, load<u32>(v, V_QPKTS) + cnt, V_QPKTS);
    store<u32>(v, load<u32>(v, V_QBYTES) + bytes, V_QBYTES);
    store<u32>(v, NIL, V_TMP_HEAD); store<u32>(v, NIL, V_TMP_TAIL);
    resetFinish(vm);
  }
  return moved;
}

/** Re-files every idle VM that has packets (after re-steering). */
function activateWaiting(now: i64): void {
  for (let vm: u32 = 0; vm < maxVms; vm++) {
    const v = vmPtr(vm);
    if (load<u32>(v, V_STATE) == VS_IDLE && load<u32>(v, V_QPKTS) > 0) activate(vm, now);
  }
}

/** Σ reservations vs up capacity: emits `capacity` when they no longer fit. */
function checkCapacity(): void {
  let upSpeed: u64 = 0;
  for (let i: u32 = 0; i < maxNics; i++) if (nicUp(i)) upSpeed += load<u64>(nicPtr(i), N_SPEED);
  const reserved = reservedBps;
  if (reserved > upSpeed) emit(EV_CAPACITY, NIL, 0, 0, reserved, upSpeed);
  for (let i: u32 = 0; i < maxNics; i++) {
    const p = nicPtr(i);
    if (nicUp(i) && load<u64>(p, N_RES_SUM) > load<u64>(p, N_SPEED)) emit(EV_CAPACITY, i, 0, 0, load<u64>(p, N_RES_SUM), load<u64>(p, N_SPEED));
  }
}

/** Link change from the host. Returns 0, or -1 when nothing changed. */
export function setLink(n: u32, up: bool, now: i64): i32 {
  const p = nicPtr(n);
  const st = load<u32>(p, N_STATE);
  if ((st & NS_PRESENT) == 0) return -1;
  if (((st & NS_UP) != 0) == up) return -1;
  const before = upN;
  store<u32>(p, up ? st | NS_UP : st & ~NS_UP, N_STATE);
  emit(EV_LINK, n, up ? 1 : 0, 0, 0, 0);
  refreshUpList();
  if (!up) {
    const resteered = resteer(n);
    let moved: u32 = 0;
    for (let vm: u32 = 0; vm < maxVms; vm++) {
      const v = vmPtr(vm);
      const vs = load<u32>(v, V_STATE);
      if (vs == VS_FREE || vs == VS_REMOVING) continue;
      const pol = load<u32>(v, V_POLICY);
      if (!isPinnedPolicy(pol)) continue;
      const cur = load<u32>(v, V_NIC);
      if (cur != n && pol != POL_SRC_MAC_HASH) continue;
      const to = placeFor(vm);
      if (to == NIL || to == cur) continue;
      moveVm(vm, to, now);
      moved++;
    }
    add64(p + N_FAILOVERS, 1);
    add64(teamBase + T_FAILOVERS, 1);
    emit(EV_FAILOVER, n, moved, resteered, 0, 0);
    if (upN == 0) emit(EV_TEAM_DOWN, 0, 0, 0, 0, 0);
  } else {
    if (before == 0) emit(EV_TEAM_UP, 0, 0, 0, 0, 0);
    let back: u32 = 0;
    for (let vm: u32 = 0; vm < maxVms; vm++) {
      const v = vmPtr(vm);
      const vs = load<u32>(v, V_STATE);
      if (vs == VS_FREE || vs == VS_REMOVING) continue;
      const pol = load<u32>(v, V_POLICY);
      if (!isPinnedPolicy(pol)) continue;
      const cur = load<u32>(v, V_NIC);
      let to: u32 = NIL;
      if (cur == NIL || !nicUp(cur)) {
        to = placeFor(vm); // stranded while its NICs were down
        if (to != NIL && load<u32>(v, V_HOME_NIC) == NIL) store<u32>(v, to, V_HOME_NIC);
      } else if (pol == POL_SRC_MAC_HASH) {
        to = placeFor(vm);
      } else if (failback) {
        if (pol == POL_FAILOVER_ORDER) to = placeFor(vm);
        else if (load<u32>(v, V_HOME_NIC) == n) to = n;
      }
      if (to == NIL || to == cur) continue;
      moveVm(vm, to, now);
      back++;
    }
    if (back > 0) emit(EV_FAILBACK, n, back, 0, 0, 0); // b = VMs moved onto up NICs (failback, re-hash, stranded)
  }
  activateWaiting(now);
  checkCapacity();
  return 0;
}

/** Places a new VM according to its policy; records its home NIC. */
export function placeNew(vm: u32): void {
  const v = vmPtr(vm);
  if (isPinnedPolicy(load<u32>(v, V_POLICY))) {
    const to = placeFor(vm);
    attach(vm, to);
    store<u32>(v, to, V_HOME_NIC);
    if (to == NIL) {
      // no NIC up: wait in NIC 0's domain until one comes up
      store<u32>(v, 0, V_DOMAIN);
    }
  } else {
    attach(vm, NIL);
    store<u32>(v, NIL, V_HOME_NIC);
  }
}

export { checkCapacity, activateWaiting };
