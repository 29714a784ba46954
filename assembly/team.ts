// team.ts — the NICs of the team: link state, selection, in-flight FIFOs,
// placement of pinned VMs, failover with re-steering, failback.
//
// Each NIC keeps a FIFO of the packets handed to it and not yet completed
// (slots linked in release order) and admits more while its in-flight bytes
// are below its limit (BQL-like: at most one packet beyond the limit).
// Policies implemented here:
//   round-robin  per packet, the next up NIC with room after the last used;
//   least-load   per packet, the up NIC with room and the fewest in-flight
//                bytes per unit of speed (bytes * ns-per-byte, Q20), lowest index on ties;
//   port-id      each VM pinned to one NIC, placed on the up NIC with the
//                most unreserved capacity (speed - Σ reservations pinned there).
// On link down, the NIC's in-flight packets are spliced back, in order, at
// the head of their VMs' queues (re-steer) and pinned VMs move to surviving
// NICs; nothing is lost. Cost: link events are O(maxVms + in flight); the
// per-packet selection is O(maxNics).

import {
  NIL, NS_PRESENT, NS_UP, N_STATE, N_IF_PKTS, N_IF_BYTES, N_IF_LIMIT, N_SPEED, N_INV_SPEED,
  N_IF_HEAD, N_IF_TAIL, N_SENT_PKTS, N_SENT_BYTES, N_REL_PKTS, N_REL_BYTES, N_FAILOVERS, N_RESTEERED,
  N_RES_SUM, N_PINNED, N_BAD_COMPLETIONS,
  P_LEN, P_NEXT, P_VM, P_HANDLE,
  VS_FREE, VS_IDLE, VS_REMOVING, V_STATE, V_DOMAIN, V_NIC, V_HOME_NIC, V_QHEAD, V_QTAIL, V_QPKTS, V_QBYTES,
  V_INFLIGHT, V_TMP_HEAD, V_TMP_TAIL, V_RES_BPS, V_POLICY,
  S_SENT_PKTS, S_SENT_BYTES, S_RESTEER_PKTS, S_RET_PKTS, S_RET_BYTES,
  EV_LINK, EV_MOVED, EV_FAILOVER, EV_FAILBACK, EV_TEAM_DOWN, EV_TEAM_UP, EV_RETURNED, EV_CAPACITY,
  T_RESTEERED, T_FAILOVERS, T_BAD_COMPLETIONS, POL_PORT_ID,
  nicPtr, vmPtr, vmStatPtr, slotPtr, maxNics, maxVms, teamDomain, teamBase,
} from './layout';
import { emit } from './events';
import { slotRelease } from './queue';
import { activate, deactivate, resetFinish } from './sched';
import { invFromBps } from './shaper';

export let teamPolicy: u32 = 0;
export let failback: bool = true;
let rrNext: u32 = 0;

@inline function add64(p: usize, v: u64): void { store<u64>(p, load<u64>(p) + v); }

@inline export function nicUp(n: u32): bool { return (load<u32>(nicPtr(n), N_STATE) & NS_UP) != 0; }
@inline export function nicHasRoom(n: u32): bool {
  const p = nicPtr(n);
  return (load<u32>(p, N_STATE) & NS_UP) != 0 && load<u64>(p, N_IF_BYTES) < load<u64>(p, N_IF_LIMIT);
}

export function setTeam(policy: u32, fb: bool): void { teamPolicy = policy; failback = fb; }
@inline export function isPinnedPolicy(pol: u32): bool { return pol == POL_PORT_ID; }

export function upCount(): u32 {
  let n: u32 = 0;
  for (let i: u32 = 0; i < maxNics; i++) if (nicUp(i)) n++;
  return n;
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
}

/** Per-packet NIC choice for the team pool: NIL when no up NIC has room. */
export function teamPick(): u32 {
  if (teamPolicy == 1) {
    let best: u32 = NIL;
    let bestLoad: u64 = 0;
    for (let i: u32 = 0; i < maxNics; i++) {
      if (!nicHasRoom(i)) continue;
      const p = nicPtr(i);
      const load_ = load<u64>(p, N_IF_BYTES) * load<u64>(p, N_INV_SPEED);
      if (best == NIL || load_ < bestLoad) { best = i; bestLoad = load_; }
    }
    return best;
  }
  for (let k: u32 = 0; k < maxNics; k++) {
    let i = rrNext + k;
    if (i >= maxNics) i -= maxNics;
    if (nicHasRoom(i)) {
      rrNext = i + 1 >= maxNics ? 0 : i + 1;
      return i;
    }
  }
  return NIL;
}

/** Hands slot s to NIC n: appends to its in-flight FIFO. */
export function nicPush(n: u32, s: u32, len: u32): void {
  const p = nicPtr(n);
  const tail = load<u32>(p, N_IF_TAIL);
  if (tail == NIL) store<u32>(p, s, N_IF_HEAD);
  else store<u32>(slotPtr(tail), s, P_NEXT);
  store<u32>(p, s, N_IF_TAIL);
  store<u32>(p, load<u32>(p, N_IF_PKTS) + 1, N_IF_PKTS);
  add64(p + N_IF_BYTES, len);
  add64(p + N_REL_PKTS, 1);
  add64(p + N_REL_BYTES, len);
}

@inline function finishInflight(vm: u32): void {
  const v = vmPtr(vm);
  const n = load<u32>(v, V_INFLIGHT) - 1;
  store<u32>(v, n, V_INFLIGHT);
  if (n == 0 && load<u32>(v, V_STATE) == VS_REMOVING) store<u32>(v, VS_FREE, V_STATE);
}

/** TX completions: the oldest `count` packets on NIC n. Returns how many there were. */
export function nicCompleted(n: u32, count: u32): u32 {
  const p = nicPtr(n);
  let done: u32 = 0;
  while (done < count) {
    const s = load<u32>(p, N_IF_HEAD);
    if (s == NIL) break;
    const sp = slotPtr(s);
    const next = load<u32>(sp, P_NEXT);
    store<u32>(p, next, N_IF_HEAD);
    if (next == NIL) store<u32>(p, NIL, N_IF_TAIL);
    const len = load<u32>(sp, P_LEN);
    const vm = load<u32>(sp, P_VM);
    store<u32>(p, load<u32>(p, N_IF_PKTS) - 1, N_IF_PKTS);
    store<u64>(p, load<u64>(p, N_IF_BYTES) - len, N_IF_BYTES);
    add64(p + N_SENT_PKTS, 1);
    add64(p + N_SENT_BYTES, len);
    const st = vmStatPtr(vm);
    add64(st + S_SENT_PKTS, 1);
    add64(st + S_SENT_BYTES, len);
    finishInflight(vm);
    slotRelease(s);
    done++;
  }
  if (done < count) {
    store<u32>(p, load<u32>(p, N_BAD_COMPLETIONS) + (count - done), N_BAD_COMPLETIONS);
    add64(teamBase + T_BAD_COMPLETIONS, count - done);
  }
  return done;
}

/** Placement for pinned VMs: the up NIC with the most unreserved capacity; NIL if none is up. */
export function placeNic(): u32 {
  let best: u32 = NIL;
  let bestFree: i64 = 0;
  for (let i: u32 = 0; i < maxNics; i++) {
    if (!nicUp(i)) continue;
    const p = nicPtr(i);
    const free = <i64>load<u64>(p, N_SPEED) - <i64>load<u64>(p, N_RES_SUM);
    if (best == NIL || free > bestFree) { best = i; bestFree = free; }
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
      add64(st + S_RET_BYTES, load<u32>(sp, P_LEN));
      emit(EV_RETURNED, vm, load<u32>(sp, P_HANDLE), n, load<u32>(sp, P_LEN), 0);
      finishInflight(vm);
      slotRelease(s);
    } else {
      const tail = load<u32>(v, V_TMP_TAIL);
      if (tail == NIL) store<u32>(v, s, V_TMP_HEAD);
      else store<u32>(slotPtr(tail), s, P_NEXT);
      store<u32>(v, s, V_TMP_TAIL);
      store<u32>(v, load<u32>(v, V_INFLIGHT) - 1, V_INFLIGHT);
      add64(vmStatPtr(vm) + S_RESTEER_PKTS, 1);
      moved++;
    }
    s = next;
  }
  store<u32>(p, NIL, N_IF_HEAD); store<u32>(p, NIL, N_IF_TAIL);
  store<u32>(p, 0, N_IF_PKTS); store<u64>(p, 0, N_IF_BYTES);
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
    for (let x = h; x != NIL; x = load<u32>(slotPtr(x), P_NEXT)) { cnt++; bytes += load<u32>(slotPtr(x), P_LEN); }
    const oldHead = load<u32>(v, V_QHEAD);
    store<u32>(slotPtr(t), oldHead, P_NEXT);
    if (oldHead == NIL) store<u32>(v, t, V_QTAIL);
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
  let reserved: u64 = 0;
  for (let vm: u32 = 0; vm < maxVms; vm++) {
    const v = vmPtr(vm);
    const st = load<u32>(v, V_STATE);
    if (st != VS_FREE && st != VS_REMOVING) reserved += load<u64>(v, V_RES_BPS);
  }
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
  const before = upCount();
  store<u32>(p, up ? st | NS_UP : st & ~NS_UP, N_STATE);
  emit(EV_LINK, n, up ? 1 : 0, 0, 0, 0);
  if (!up) {
    const resteered = resteer(n);
    let moved: u32 = 0;
    for (let vm: u32 = 0; vm < maxVms; vm++) {
      const v = vmPtr(vm);
      const vs = load<u32>(v, V_STATE);
      if (vs == VS_FREE || vs == VS_REMOVING) continue;
      if (!isPinnedPolicy(load<u32>(v, V_POLICY)) || load<u32>(v, V_NIC) != n) continue;
      const to = placeNic();
      if (to == NIL) continue;
      moveVm(vm, to, now);
      moved++;
    }
    add64(p + N_FAILOVERS, 1);
    add64(teamBase + T_FAILOVERS, 1);
    emit(EV_FAILOVER, n, moved, resteered, 0, 0);
    if (upCount() == 0) emit(EV_TEAM_DOWN, 0, 0, 0, 0, 0);
  } else {
    if (before == 0) emit(EV_TEAM_UP, 0, 0, 0, 0, 0);
    let back: u32 = 0;
    for (let vm: u32 = 0; vm < maxVms; vm++) {
      const v = vmPtr(vm);
      const vs = load<u32>(v, V_STATE);
      if (vs == VS_FREE || vs == VS_REMOVING) continue;
      if (!isPinnedPolicy(load<u32>(v, V_POLICY))) continue;
      const cur = load<u32>(v, V_NIC);
      if (cur == NIL || !nicUp(cur)) {
        // stranded while no NIC was up: place it now
        const to = placeNic();
        if (to != NIL) { moveVm(vm, to, now); back++; if (load<u32>(v, V_HOME_NIC) == NIL) store<u32>(v, to, V_HOME_NIC); }
      } else if (failback && load<u32>(v, V_HOME_NIC) == n && cur != n) {
        moveVm(vm, n, now);
        back++;
      }
    }
    if (back > 0) emit(EV_FAILBACK, n, back, 0, 0, 0); // b = VMs moved onto up NICs (failback and stranded)
  }
  activateWaiting(now);
  checkCapacity();
  return 0;
}

/** Places a new VM according to its policy; records its home NIC. */
export function placeNew(vm: u32): void {
  const v = vmPtr(vm);
  if (isPinnedPolicy(load<u32>(v, V_POLICY))) {
    const to = placeNic();
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
