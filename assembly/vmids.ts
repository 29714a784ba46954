// vmids.ts — VM id bookkeeping for configuration calls: the lowest free id and
// the sum of the live VMs' reservations, both kept as the VMs change, so that
// adding, updating or removing a VM costs O(1) instead of a scan of every VM
// record (16384 adds used to take two full scans each: O(n²) to set up a host).
// Config-time only; the packet path never calls in here.
//
// Invariants: every id below `lowestMaybeFree` is in use (not VS_FREE);
// `reservedBps` = Σ V_RES_BPS over VMs that are neither VS_FREE nor VS_REMOVING.

import { NIL, VS_FREE, V_STATE, V_RES_BPS, vmPtr, maxVms } from './layout';

let lowestMaybeFree: u32 = 0;
/** bit/s reserved by live VMs (capacity checks, team.ts) */
export let reservedBps: u64 = 0;

/** The lowest free VM id, now taken by the caller (who makes it non-free), or NIL when all are in use. */
export function vmIdTake(): u32 {
  for (let vm = lowestMaybeFree; vm < maxVms; vm++) {
    if (load<u32>(vmPtr(vm), V_STATE) == VS_FREE) { lowestMaybeFree = vm + 1; return vm; }
  }
  lowestMaybeFree = maxVms;
  return NIL;
}

/** VM `vm` just became VS_FREE. */
export function vmIdFreed(vm: u32): void { if (vm < lowestMaybeFree) lowestMaybeFree = vm; }

/** A live VM's reservation changed from `before` to `after` bit/s (0 → x when it is added, x → 0 when removed). */
export function reservationChanged(before: u64, after: u64): void { reservedBps = reservedBps - before + after; }

/** V_RES_BPS of a VM. */
@inline export function reservationOf(vm: u32): u64 { return load<u64>(vmPtr(vm), V_RES_BPS); }
