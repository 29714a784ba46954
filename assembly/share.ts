// share.ts — each domain's share set: its ACTIVE VMs in share-phase order
// (priority, then virtual finish tag, then VM id), and which domains have any.
//
// Order key: the VM's finish tag F with its low 16 bits replaced by the VM id,
// (F & ~0xffff) | vm, compared with wrapping arithmetic after the priority: so
// F at a granularity of 2^16 virtual units, then the smaller VM id (ids are
// below maxVms ≤ 65536). One 64-bit comparison settles both the tag and the
// tie, so each tree level or heap level compares two words, not three. The
// rounding is far below a byte: one byte of a VM with shares w is 2^40 / w ≥
// 2^26 units (invW), so it moves the fairness bound (DESIGN §2) by under a
// thousandth of a byte; the TypeScript model orders by the same key.
//
// A domain's set starts as a winner tree (tourney.ts), the faster structure
// for small sets, and moves for good to the domain's binary share heap
// (heap.ts) when an insert would make it larger than SHARE_TREE_MAX. Both keep
// the same total order, so the top — and every decision — is the same either
// way; the move is O(n) once per domain. Both use the domain's member count
// (D_SHARE_N) and the VMs' share position words (posPtr(HK_SHARE, ·)) for
// their own positions.

import { HEAP_ENTRY, HK_SHARE, D_SHARE_N, D_SHARE_HEAP, SHARE_TREE_MAX, domPtr, heapPtr, posPtr } from './layout';
import { heapBuild, heapInsert, heapRemove, heapSink, heapTopVm } from './heap';
import { keyVm, treeInsert, treeLeaf, treeRemove, treeSet, treeTopVm } from './tourney';

/** Bit d set ⇔ domain d has an ACTIVE VM (so poll visits only busy domains; ≤ 64 domains). */
export let activeDomains: u64 = 0;

@inline function onHeap(d: u32): bool { return load<u32>(domPtr(d) + D_SHARE_HEAP) != 0; }

@inline export function shareSize(d: u32): u32 { return load<u32>(domPtr(d) + D_SHARE_N); }

/** The VM first in share order; the caller checked shareSize(d) > 0. */
@inline export function shareTopVm(d: u32): u32 { return onHeap(d) ? heapTopVm(HK_SHARE, d) : treeTopVm(d); }

/** The order key of a VM with finish tag f (see the header). */
@inline function orderKey(f: u64, vm: u32): u64 { return (f & ~(<u64>0xffff)) | <u64>vm; }

/** Adds an ACTIVE VM with finish tag `f` and priority `prio`. */
export function shareInsert(d: u32, vm: u32, f: u64, prio: u32): void {
  const key = orderKey(f, vm);
  const n = shareSize(d);
  if (n == 0) activeDomains |= (<u64>1) << d;
  if (!onHeap(d)) {
    if (n < SHARE_TREE_MAX) { treeInsert(d, vm, key, prio); return; }
    toHeap(d, n);
  }
  heapInsert(HK_SHARE, d, vm, key, prio);
}

/** Re-files a member whose finish tag grew to f (same priority): the VM just served. */
export function shareSet(d: u32, vm: u32, f: u64): void {
  const key = orderKey(f, vm);
  if (onHeap(d)) heapSink(HK_SHARE, d, vm, key); else treeSet(d, vm, key);
}

/** Removes a VM if it is a member. */
export function shareRemove(d: u32, vm: u32): void {
  if (load<u32>(posPtr(HK_SHARE, vm)) == 0) return;
  if (onHeap(d)) heapRemove(HK_SHARE, d, vm); else treeRemove(d, vm);
  if (shareSize(d) == 0) activeDomains &= ~((<u64>1) << d);
}

/** Moves a domain's n members from its tree into its heap (heapified in O(n)). */
function toHeap(d: u32, n: u32): void {
  const base = heapPtr(HK_SHARE, d);
  for (let i: u32 = 0; i < n; i++) {
    const l = treeLeaf(d, i), e = base + <usize>i * HEAP_ENTRY;
    const key = load<u64>(l), vm = keyVm(key);
    store<u64>(e, key); store<u32>(e, vm, 8); store<u32>(e, load<u32>(l, 12) - 1, 12);
    store<u32>(posPtr(HK_SHARE, vm), i + 1);
  }
  store<u32>(domPtr(d) + D_SHARE_HEAP, 1);
  heapBuild(HK_SHARE, d, n);
}
