// tourney.ts — a winner tree (tournament tree) of ACTIVE VMs: the share set of
// a domain while it has at most SHARE_TREE_MAX of them (share.ts decides).
//
// Order: the binary share heap's (heap.ts): higher priority first, then the
// smaller order key (share.ts: the finish tag with the VM id in its low 16
// bits) compared with wrapping arithmetic. The order is total, so the root is
// the VM the heap would have on top and the TypeScript model's linear scan
// picks: decisions do not depend on which structure a domain uses.
//
// Shape: an implicit complete binary tree of 16-byte entries (u64 order key
// at +0, whose low 16 bits are the VM id; u32 prio + 1 at +12; +8 unused)
// indexed from 1 (node i has children 2i and 2i + 1). With leaf capacity C (a power of two ≤ SHARE_TREE_MAX, D_SHARE_CAP) the leaves are
// nodes C .. 2C - 1 and each inner node holds the winner of its children, so
// node 1 is the top. Invariants: the n members (D_SHARE_N) fill leaves
// 0 .. n - 1; leaves n .. C - 1 are absent (stored prio 0, losing to every
// member); a member's position word (layout.ts posPtr(HK_SHARE, vm)) is its
// leaf index + 1. C doubles (O(C), rare) when an insert finds the leaves full.
//
// Why (issue #7): the share phase re-files the VM just served after every
// packet, and the next pick waits for it. A heap's sift-down chooses its path
// by comparing, so each level's loads wait for the previous comparison, and it
// stops on a branch that mispredicts (the stopping level varies packet to
// packet). A winner tree's replay walks the fixed path leaf → root comparing
// with the sibling at each level: every address is known up front, nothing
// branches, and only a compare-and-select per level is serial (Knuth, TAOCP
// vol. 3 §5.4.1, "tree of winners"). It always walks the full depth, though,
// while a heap's sift stops early (about 2 levels at 64 VMs, 4.5 at 4096), so it
// wins only for small sets: paired A/B against the heap 0.958 at 64 VMs; a tree
// for every size was 1.04–1.07× slower at 1024–4096 VMs (docs/performance.md).

import { HEAP_ENTRY, HK_SHARE, D_SHARE_N, D_SHARE_CAP, domPtr, posPtr, treePtr } from './layout';

/** true when (ka, pa) orders strictly before (kb, pb) (pa, pb: stored prio = prio + 1, 0 = absent); no branches. */
@inline export function treeWins(ka: u64, pa: u32, kb: u64, pb: u32): bool {
  return (<u32>(pa > pb) | (<u32>(pa == pb) & <u32>(<i64>(ka - kb) < 0))) != 0;
}

/** The VM of an order key (its low 16 bits, share.ts). */
@inline export function keyVm(key: u64): u32 { return <u32>key & 0xffff; }

/** VM at the root; the caller checked the set is not empty. */
@inline export function treeTopVm(d: u32): u32 { return keyVm(load<u64>(treePtr(d) + HEAP_ENTRY)); }

/** Entry of leaf i (0-based). */
@inline export function treeLeaf(d: u32, i: u32): usize {
  return treePtr(d) + <usize>(load<u32>(domPtr(d) + D_SHARE_CAP) + i) * HEAP_ENTRY;
}

/** Recomputes the winners on the path from leaf `leaf` to the root. */
function replay(base: usize, cap: u32, leaf: u32): void {
  let n = cap + leaf;
  const e = base + <usize>n * HEAP_ENTRY;
  let k = load<u64>(e), p = load<u32>(e, 12);
  while (n > 1) {
    const s = base + <usize>(n ^ 1) * HEAP_ENTRY;
    const sk = load<u64>(s), sp = load<u32>(s, 12);
    const sib = treeWins(sk, sp, k, p);
    k = select<u64>(sk, k, sib); p = select<u32>(sp, p, sib);
    n >>= 1;
    const w = base + <usize>n * HEAP_ENTRY;
    store<u64>(w, k); store<u32>(w, p, 12);
  }
}

/** Doubles the leaf capacity: the leaves move down one level, every inner node is rebuilt. Returns the new capacity. */
function grow(d: u32, base: usize): u32 {
  const cp = domPtr(d) + D_SHARE_CAP;
  const cap = load<u32>(cp);
  if (cap == 0) { store<u32>(cp, 1); return 1; }
  const nc = cap << 1;
  memory.copy(base + <usize>nc * HEAP_ENTRY, base + <usize>cap * HEAP_ENTRY, <usize>cap * HEAP_ENTRY);
  memory.fill(base + <usize>(nc + cap) * HEAP_ENTRY, 0, <usize>cap * HEAP_ENTRY);
  for (let i = nc - 1; i >= 1; i--) {
    const a = base + <usize>(i << 1) * HEAP_ENTRY, b = a + HEAP_ENTRY;
    const w = treeWins(load<u64>(b), load<u32>(b, 12), load<u64>(a), load<u32>(a, 12)) ? b : a;
    const t = base + <usize>i * HEAP_ENTRY;
    store<u64>(t, load<u64>(w)); store<u32>(t, load<u32>(w, 12), 12);
  }
  store<u32>(cp, nc);
  return nc;
}

/** Adds a VM that is not a member; the caller checked there is room (members < SHARE_TREE_MAX). */
export function treeInsert(d: u32, vm: u32, key: u64, prio: u32): void {
  const np = domPtr(d) + D_SHARE_N;
  const n = load<u32>(np);
  const base = treePtr(d);
  let cap = load<u32>(domPtr(d) + D_SHARE_CAP);
  if (n == cap) cap = grow(d, base);
  store<u32>(np, n + 1);
  const e = base + <usize>(cap + n) * HEAP_ENTRY;
  store<u64>(e, key); store<u32>(e, prio + 1, 12);
  store<u32>(posPtr(HK_SHARE, vm), n + 1);
  replay(base, cap, n);
}

/** Changes a member's order key (its priority unchanged). */
export function treeSet(d: u32, vm: u32, key: u64): void {
  const leaf = load<u32>(posPtr(HK_SHARE, vm)) - 1;
  const base = treePtr(d);
  const cap = load<u32>(domPtr(d) + D_SHARE_CAP);
  store<u64>(base + <usize>(cap + leaf) * HEAP_ENTRY, key);
  replay(base, cap, leaf);
}

/** Removes a member; the last leaf takes its place so the leaves stay compact. */
export function treeRemove(d: u32, vm: u32): void {
  const vp = posPtr(HK_SHARE, vm);
  const pos1 = load<u32>(vp);
  store<u32>(vp, 0);
  const leaf = pos1 - 1;
  const np = domPtr(d) + D_SHARE_N;
  const last = load<u32>(np) - 1;
  store<u32>(np, last);
  const base = treePtr(d);
  const cap = load<u32>(domPtr(d) + D_SHARE_CAP);
  const le = base + <usize>(cap + last) * HEAP_ENTRY;
  if (leaf != last) {
    const e = base + <usize>(cap + leaf) * HEAP_ENTRY;
    const lk = load<u64>(le);
    store<u64>(e, lk); store<u32>(e, load<u32>(le, 12), 12);
    store<u32>(posPtr(HK_SHARE, keyVm(lk)), pos1);
  }
  store<u64>(le, 0); store<u32>(le, 0, 12); // absent
  replay(base, cap, last);
  if (leaf != last) replay(base, cap, leaf);
}
