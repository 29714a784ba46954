// queue.ts — the shared packet-slot pool and the FIFOs built from it.
//
// poolSize slots of SLOT_STRIDE bytes (handle, wire length, flow hash, enqueue
// time, next, vm). A slot is in exactly one place: the free list, one VM
// queue, or one NIC's in-flight FIFO; packets move between them by relinking,
// never by copying. All operations are O(1) except the splice used on failover.

import {
  NIL, P_HANDLE, P_HASH, P_LEN, P_NEXT, P_NEXT_LEN, P_TS, P_VM, H_POOL_FREE,
  V_QHEAD, V_QTAIL, V_QPKTS, V_QBYTES, slotPtr, vmPtr, poolSize, setHdrWord,
} from './layout';

// Free slots: the released ones on a LIFO list (freeHead), then the never-used
// ones bump .. poolSize - 1, handed out in index order. freeCount counts both.
// Creating an engine therefore touches no slot (a pool of millions of slots
// used to be linked up front, most of the cost of creating an engine), and the
// order slots are handed out is the same as a list linked 0, 1, 2, … would give.
let freeHead: u32 = NIL;
let bump: u32 = 0;
let freeCount: u32 = 0;

export function poolInit(): void {
  freeHead = NIL;
  bump = 0;
  freeCount = poolSize;
  setHdrWord(H_POOL_FREE, freeCount);
}

@inline export function poolFree(): u32 { return freeCount; }

/** Takes a free slot (a released one first); the caller checked poolFree() > 0. */
@inline export function slotAlloc(handle: u32, len: u32, hash: u32, ts: u32, vm: u32): u32 {
  let s = freeHead;
  if (s != NIL) freeHead = load<u32>(slotPtr(s), P_NEXT);
  else s = bump++;
  const p = slotPtr(s);
  freeCount--;
  store<u32>(p, handle, P_HANDLE); store<u16>(p, <u16>len, P_LEN); store<u32>(p, hash, P_HASH);
  store<u32>(p, ts, P_TS); store<u32>(p, NIL, P_NEXT); store<u32>(p, vm, P_VM);
  return s;
}

@inline export function slotRelease(s: u32): void {
  store<u32>(slotPtr(s), freeHead, P_NEXT);
  freeHead = s;
  freeCount++;
}

@inline export function publishPoolFree(): void { setHdrWord(H_POOL_FREE, freeCount); }

/** In a VM queue: slot a is followed by slot b of wire length len (P_NEXT and P_NEXT_LEN of a). */
@inline export function linkQueued(a: u32, b: u32, len: u32): void {
  const p = slotPtr(a);
  store<u32>(p, b, P_NEXT);
  store<u16>(p, <u16>len, P_NEXT_LEN);
}

/** Appends slot s (of wire length len) to the VM's queue. */
@inline export function vmQueuePush(vm: u32, s: u32, len: u32): void {
  const v = vmPtr(vm);
  const tail = load<u32>(v, V_QTAIL);
  if (tail == NIL) store<u32>(v, s, V_QHEAD);
  else linkQueued(tail, s, len);
  store<u32>(v, s, V_QTAIL);
  store<u32>(v, load<u32>(v, V_QPKTS) + 1, V_QPKTS);
  store<u32>(v, load<u32>(v, V_QBYTES) + len, V_QBYTES);
}

/** Removes and returns the head slot of a non-empty VM queue. */
@inline export function vmQueuePop(vm: u32): u32 {
  const v = vmPtr(vm);
  const s = load<u32>(v, V_QHEAD);
  const p = slotPtr(s);
  const next = load<u32>(p, P_NEXT);
  store<u32>(v, next, V_QHEAD);
  if (next == NIL) store<u32>(v, NIL, V_QTAIL);
  store<u32>(v, load<u32>(v, V_QPKTS) - 1, V_QPKTS);
  store<u32>(v, load<u32>(v, V_QBYTES) - load<u16>(p, P_LEN), V_QBYTES);
  store<u32>(p, NIL, P_NEXT);
  return s;
}

@inline export function headLen(vm: u32): u32 {
  return load<u16>(slotPtr(load<u32>(vmPtr(vm), V_QHEAD)), P_LEN);
}

/** Length of the slot after s in its VM queue (s was that queue's head; the caller checked it has a next). */
@inline export function nextLen(s: u32): u32 { return load<u16>(slotPtr(s), P_NEXT_LEN); }
