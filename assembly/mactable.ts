// mactable.ts — source MAC → VM id, a fixed open-addressing table.
//
// macCap slots (a power of two, at least twice the MACs the host may register,
// so probes stay short); each slot is 16 bytes: u64 key, u32 vm, u32 pad.
// key = MAC (48 bits) + 1, so 0 marks an empty slot and TOMB a deleted one.
// Linear probing from a multiplicative hash of the MAC (Knuth, TAOCP 6.4,
// "Fibonacci hashing", reduced to the table by a multiply-high, Lemire 2019):
// two multiplies, where a full avalanche finaliser cost a tenth of a packet's
// time; MACs differ in their low bytes and the high product bits mix those in.
// A lookup stops at an empty slot or after macCap probes, so a miss returns NIL
// and never traps.
// Cost: O(1) expected per lookup, no allocation.

import { macBase, macCap, NIL } from './layout';

const TOMB: u64 = 0xffffffffffffffff;

@inline function slot(i: u32): usize { return macBase + (<usize>i << 4); }
@inline function keyOf(hi: u32, lo: u32): u64 { return ((<u64>(hi & 0xffff) << 32) | <u64>lo) + 1; }
@inline function start(hi: u32, lo: u32): u32 {
  const h = (lo ^ ((hi & 0xffff) * 0x85ebca6b)) * 0x9e3779b1;
  return <u32>((<u64>h * <u64>macCap) >> 32);
}

export function macLookup(hi: u32, lo: u32): u32 {
  const key = keyOf(hi, lo);
  const mask = macCap - 1;
  let i = start(hi, lo);
  for (let n: u32 = 0; n < macCap; n++) {
    const k = load<u64>(slot(i));
    if (k == key) return load<u32>(slot(i), 8);
    if (k == 0) return NIL;
    i = (i + 1) & mask;
  }
  return NIL;
}

/** Inserts or re-points a MAC. Returns 0, or -1 when the table is full. */
export function macInsert(hi: u32, lo: u32, vm: u32): i32 {
  const key = keyOf(hi, lo);
  const mask = macCap - 1;
  let i = start(hi, lo);
  let firstFree: u32 = NIL;
  for (let n: u32 = 0; n < macCap; n++) {
    const k = load<u64>(slot(i));
    if (k == key) { store<u32>(slot(i), vm, 8); return 0; }
    if (k == TOMB && firstFree == NIL) firstFree = i;
    if (k == 0) { if (firstFree == NIL) firstFree = i; break; }
    i = (i + 1) & mask;
  }
  if (firstFree == NIL) return -1;
  store<u64>(slot(firstFree), key);
  store<u32>(slot(firstFree), vm, 8);
  return 0;
}

/** Removes a MAC; returns the VM it pointed to, or NIL. */
export function macDelete(hi: u32, lo: u32): u32 {
  const key = keyOf(hi, lo);
  const mask = macCap - 1;
  let i = start(hi, lo);
  for (let n: u32 = 0; n < macCap; n++) {
    const k = load<u64>(slot(i));
    if (k == key) {
      const vm = load<u32>(slot(i), 8);
      store<u64>(slot(i), TOMB);
      return vm;
    }
    if (k == 0) return NIL;
    i = (i + 1) & mask;
  }
  return NIL;
}
