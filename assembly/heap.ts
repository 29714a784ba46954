// heap.ts — indexed binary min-heaps of VMs, one of each kind per domain (the
// share heap holds a domain's share set once it outgrows the share tree, share.ts).
//
// Entries are 16 bytes (u64 key, u32 vm, u32 prio) stored contiguously so a
// sift touches one cache line per level; each VM's 1-based position per kind
// lives in a dense u32 array (layout.ts posPtr, 0 = absent) so it can be
// updated or removed in O(log n). Order:
//   - HK_SHARE: higher prio first, then the smaller order key (share.ts: the
//     finish tag with the VM id in its low 16 bits) compared with wrapping
//     arithmetic ((a - b) as i64 < 0: tags of active VMs stay within 2^62 of
//     each other);
//   - HK_RES / HK_TIMER: smaller time in ns (signed), then smaller VM id.
// Both orders are total, so the top is the same VM whatever the heap's shape,
// and the TypeScript model's linear scans pick exactly it.
//
// Speed (issue #7): comparisons are computed with bitwise logic, no branches,
// so the child choice compiles to a conditional move (a mispredicted branch per
// level cost more than the rest of the level).

import {
  HEAP_ENTRY, HK_SHARE, HK_TIMER, D_SHARE_N, domPtr, heapPtr, posPtr,
} from './layout';

@inline function countPtr(kind: u32, d: u32): usize { return domPtr(d) + D_SHARE_N + (<usize>kind << 2); }

/** 1 when (ka, va, pa) orders strictly before (kb, vb, pb) in heaps of `kind`, else 0; no branches. */
@inline function lessKV(kind: u32, ka: u64, va: u32, pa: u32, kb: u64, vb: u32, pb: u32): u32 {
  if (kind == HK_SHARE) return <u32>(pa > pb) | (<u32>(pa == pb) & <u32>(<i64>(ka - kb) < 0));
  return <u32>(<i64>ka < <i64>kb) | (<u32>(ka == kb) & <u32>(va < vb));
}

// T marks the order at compile time: u8 = share order, u16 = time order (sizeof folds, so each sift is specialised)
@inline function kindOf<T>(): u32 { return sizeof<T>() == 1 ? HK_SHARE : HK_TIMER; }
@inline function less<T>(a: usize, b: usize): u32 {
  return lessKV(kindOf<T>(), load<u64>(a), load<u32>(a, 8), load<u32>(a, 12), load<u64>(b), load<u32>(b, 8), load<u32>(b, 12));
}

@inline function setPos(kind: u32, vm: u32, pos: u32): void { store<u32>(posPtr(kind, vm), pos); }

@inline function place(kind: u32, base: usize, i: u32, key: u64, vm: u32, prio: u32): void {
  const e = base + <usize>i * HEAP_ENTRY;
  store<u64>(e, key); store<u32>(e, vm, 8); store<u32>(e, prio, 12);
  setPos(kind, vm, i + 1);
}

@inline function moveEntry(kind: u32, base: usize, from: u32, to: u32): void {
  const fe = base + <usize>from * HEAP_ENTRY;
  place(kind, base, to, load<u64>(fe), load<u32>(fe, 8), load<u32>(fe, 12));
}

/** Rises (key, vm, prio) from hole i, never above index `top`; writes it where it stops. */
@inline function riseT<T>(kind: u32, base: usize, i: u32, top: u32, key: u64, vm: u32, prio: u32): void {
  while (i > top) {
    const parent = (i - 1) >> 1;
    const pe = base + <usize>parent * HEAP_ENTRY;
    if (lessKV(kindOf<T>(), key, vm, prio, load<u64>(pe), load<u32>(pe, 8), load<u32>(pe, 12)) == 0) break;
    moveEntry(kind, base, parent, i);
    i = parent;
  }
  place(kind, base, i, key, vm, prio);
}

function siftUpT<T>(kind: u32, base: usize, i: u32): void {
  const e = base + <usize>i * HEAP_ENTRY;
  riseT<T>(kind, base, i, 0, load<u64>(e), load<u32>(e, 8), load<u32>(e, 12));
}

function siftDownT<T>(kind: u32, base: usize, i: u32, n: u32): void {
  const e0 = base + <usize>i * HEAP_ENTRY;
  const key = load<u64>(e0), vm = load<u32>(e0, 8), prio = load<u32>(e0, 12);
  while (true) {
    const l: u32 = 2 * i + 1;
    if (l >= n) break;
    const le = base + <usize>l * HEAP_ENTRY;
    const c = l + (l + 1 < n ? less<T>(le + HEAP_ENTRY, le) : 0);
    const ce = base + <usize>c * HEAP_ENTRY;
    const ck = load<u64>(ce), cv = load<u32>(ce, 8), cp = load<u32>(ce, 12);
    if (lessKV(kindOf<T>(), ck, cv, cp, key, vm, prio) == 0) break;
    place(kind, base, i, ck, cv, cp);
    i = c;
  }
  place(kind, base, i, key, vm, prio);
}

@inline function siftUp(kind: u32, base: usize, i: u32): void {
  if (kind == HK_SHARE) siftUpT<u8>(kind, base, i); else siftUpT<u16>(kind, base, i);
}
@inline function siftDown(kind: u32, base: usize, i: u32, n: u32): void {
  if (kind == HK_SHARE) siftDownT<u8>(kind, base, i, n); else siftDownT<u16>(kind, base, i, n);
}

export function heapSize(kind: u32, d: u32): u32 { return load<u32>(countPtr(kind, d)); }

/** VM at the top, or the caller must check heapSize first. */
@inline export function heapTopVm(kind: u32, d: u32): u32 { return load<u32>(heapPtr(kind, d), 8); }
@inline export function heapTopKey(kind: u32, d: u32): u64 { return load<u64>(heapPtr(kind, d)); }

/** Orders the n entries already in the heap array of kind/d (their positions set) into a heap, O(n) (Floyd). */
export function heapBuild(kind: u32, d: u32, n: u32): void {
  const base = heapPtr(kind, d);
  for (let i = n >> 1; i-- > 0;) siftDown(kind, base, i, n);
}

export function heapInsert(kind: u32, d: u32, vm: u32, key: u64, prio: u32): void {
  const cp = countPtr(kind, d);
  const n = load<u32>(cp);
  const base = heapPtr(kind, d);
  store<u32>(cp, n + 1);
  if (kind == HK_SHARE) riseT<u8>(kind, base, n, 0, key, vm, prio);
  else riseT<u16>(kind, base, n, 0, key, vm, prio);
}

/** Changes the time key of a VM already in a time-ordered heap (HK_RES, HK_TIMER); it rises or sinks. */
export function heapUpdate(kind: u32, d: u32, vm: u32, key: u64): void {
  const pos = load<u32>(posPtr(kind, vm)) - 1;
  const base = heapPtr(kind, d);
  const e = base + <usize>pos * HEAP_ENTRY;
  const up = <i64>key < <i64>load<u64>(e);
  store<u64>(e, key);
  if (up) siftUp(kind, base, pos);
  else siftDown(kind, base, pos, load<u32>(countPtr(kind, d)));
}

/** Changes the key of a VM already in the heap to one that orders no earlier (same prio): it can only sink. */
export function heapSink(kind: u32, d: u32, vm: u32, key: u64): void {
  const pos = load<u32>(posPtr(kind, vm)) - 1;
  const base = heapPtr(kind, d);
  store<u64>(base + <usize>pos * HEAP_ENTRY, key);
  siftDown(kind, base, pos, load<u32>(countPtr(kind, d)));
}

export function heapRemove(kind: u32, d: u32, vm: u32): void {
  const vp = posPtr(kind, vm);
  const pos1 = load<u32>(vp);
  if (pos1 == 0) return;
  const pos = pos1 - 1;
  store<u32>(vp, 0);
  const cp = countPtr(kind, d);
  const n = load<u32>(cp) - 1;
  store<u32>(cp, n);
  if (pos == n) return;
  const base = heapPtr(kind, d);
  const last = base + <usize>n * HEAP_ENTRY;
  const lvm = load<u32>(last, 8);
  place(kind, base, pos, load<u64>(last), lvm, load<u32>(last, 12));
  siftUp(kind, base, pos);
  const p2 = load<u32>(posPtr(kind, lvm)) - 1;
  siftDown(kind, base, p2, n);
}

