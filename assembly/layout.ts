// layout.ts — the one source of truth for nicteam's linear-memory layout.
//
// All memory is laid out once by `init` from the capacities the host asks for
// and never grows afterwards. Regions follow each other from __heap_base, each
// 64-byte (cache line) aligned:
//
//   +--------+----------+---------+--------+--------+---------+-------------+-----------+-----------+
//   | header | vm hot   | vm stats| nics   | domains| heaps   | share trees | heap pos  | mac table |
//   +--------+----------+---------+--------+--------+---------+-------------+-----------+-----------+
//   | slot pool | in-ring (SoA) | out-ring (SoA) | status | frame buffer | events | cfg | team | flowlets |
//   +-----------+---------------+----------------+--------+--------------+--------+-----+------+----------+
//
// The header is a table of u32 words the host reads once at load (pointers,
// capacities, strides) plus a few live words (event count, next wake time).
// src/wasm/layout.ts mirrors the constants below; test/layout.test.ts checks
// that the two agree against a live instance.

export const LAYOUT_VERSION: u32 = 4; // 2: VM record 192 B by heat, dense heap positions, u16 slot lengths + P_NEXT_LEN; 3: regions line-aligned, VM stats 320 B; 4: share trees region, D_SHARE_CAP / D_SHARE_HEAP

// ---- header (u32 word indices unless noted) ----
export const H_VERSION: u32 = 0;
export const H_MAX_VMS: u32 = 1;
export const H_MAX_NICS: u32 = 2;
export const H_POOL: u32 = 3;          // packet slots in the shared pool
export const H_BATCH: u32 = 4;         // descriptors per call
export const H_EV_CAP: u32 = 5;        // event ring entries
export const H_FRAME_BYTES: u32 = 6;   // frame buffer bytes
export const H_MAC_CAP: u32 = 7;       // mac table slots (power of two)
export const H_VM_PTR: u32 = 8;
export const H_VMSTAT_PTR: u32 = 9;
export const H_NIC_PTR: u32 = 10;
export const H_DOM_PTR: u32 = 11;
export const H_IN_VM: u32 = 12;
export const H_IN_LEN: u32 = 13;
export const H_IN_HANDLE: u32 = 14;
export const H_IN_HASH: u32 = 15;
export const H_IN_OFF: u32 = 16;
export const H_IN_CAP: u32 = 17;
export const H_OUT_HANDLE: u32 = 18;
export const H_OUT_NIC: u32 = 19;
export const H_OUT_VM: u32 = 20;
export const H_OUT_LEN: u32 = 21;
export const H_STATUS: u32 = 22;       // u8 per input descriptor
export const H_FRAME_PTR: u32 = 23;
export const H_EV_PTR: u32 = 24;
export const H_EV_COUNT: u32 = 25;     // live: entries written since the host last reset it
export const H_EV_LOST: u32 = 26;      // live: entries that did not fit (never silently)
export const H_CFG_PTR: u32 = 27;      // staging area for VM config records
export const H_TEAM_PTR: u32 = 28;     // team counters (u64)
export const H_VM_STRIDE: u32 = 29;
export const H_VMSTAT_STRIDE: u32 = 30;
export const H_NIC_STRIDE: u32 = 31;
export const H_EV_STRIDE: u32 = 32;
export const H_POOL_FREE: u32 = 33;    // live: free slots
export const H_NEXT_WAKE_LO: u32 = 34; // live: i64 ns split in two words; -1,-1 = none
export const H_NEXT_WAKE_HI: u32 = 35;
export const H_TOTAL_BYTES: u32 = 36;  // bytes of memory the layout uses from base
export const H_FLOWLETS: u32 = 37;     // flowlet table slots (power of two)
export const H_WORDS: u32 = 40;

// ---- VM hot state: one record per VM id, VM_STRIDE bytes ----
// Laid out by heat. Line 0 (bytes 0..63) holds everything enqueue, serve and
// completion touch for a VM without limit, peak, reservation or watermarks:
// queue, finish tag and weight, in-flight count, queue bounds, policy; the
// VF_LIM / VF_PK / VF_RES / VF_WM flags say whether the later lines matter at
// all, so such a VM costs one cache line per packet. Line 1 holds the limit
// and reservation shapers and the watermarks, line 2 the peak shaper and the
// placement and config-time fields. Heap positions live apart from the record
// in dense per-kind arrays (posPtr), so a sift writes 4-byte words of one small
// array instead of touching each moved VM's record.
// Invariant: a VM is in exactly one state; ACTIVE VMs are in their domain's
// share set (share.ts; and reservation heap if they have a reservation), HELD
// VMs only in the timer heap, IDLE/FREE/REMOVING VMs in none.
export const VM_STRIDE: u32 = 192;
// line 0
export const V_STATE: u32 = 0;      // VS_*
export const V_DOMAIN: u32 = 4;     // scheduling domain (NIC index for pinned VMs, maxNics for the team pool)
export const V_PRIO: u32 = 8;       // 0..7, higher served first in the share phase
export const V_FLAGS: u32 = 12;     // VF_*
export const V_QHEAD: u32 = 16;     // slot index or NIL
export const V_QTAIL: u32 = 20;
export const V_QPKTS: u32 = 24;     // packets queued
export const V_QBYTES: u32 = 28;    // bytes queued (wire lengths)
export const V_F: u32 = 32;         // u64 virtual finish tag of the head packet (wrapping)
export const V_INVW: u32 = 40;      // u64 virtual units per byte = 2^40 / shares
export const V_INFLIGHT: u32 = 48;  // packets of this VM in NIC FIFOs
export const V_QMAX_PKTS: u32 = 52;
export const V_QMAX_BYTES: u32 = 56;
export const V_POLICY: u32 = 60;    // teaming policy for this VM (team default copied at add)
// line 1: limit and reservation shapers (GCRA records: tat +0, inv +8, depth +16), watermarks
export const V_LIM_TAT: u32 = 64;
export const V_LIM_INV: u32 = 72;   // 0 = unlimited (VF_LIM clear)
export const V_LIM_DEPTH: u32 = 80; // i64 ns: burst at the limit rate
export const V_LIM_FRAC: u32 = 88;  // u32 Q20 sub-ns remainders of the tats
export const V_LOWM: u32 = 92;      // packets: resume at or below
export const V_RES_TAT: u32 = 96;   // i64 ns reservation theoretical arrival time
export const V_RES_INV: u32 = 104;  // u64 Q20 ns per byte at the reservation rate (0 = none, VF_RES clear)
export const V_RES_DEPTH: u32 = 112; // i64 ns: bucket depth (3 MTU) at the reservation rate
export const V_RES_FRAC: u32 = 120;
export const V_HIWM: u32 = 124;     // packets: pause at or above (0 = never, VF_WM clear)
// line 2: peak shaper, placement, config-time fields
export const V_PK_TAT: u32 = 128;
export const V_PK_INV: u32 = 136;   // 0 = no peak (VF_PK clear)
export const V_PK_DEPTH: u32 = 144;
export const V_PK_FRAC: u32 = 152;
export const V_NIC: u32 = 156;      // NIC the VM is pinned to now (pinned policies), NIL otherwise
export const V_HOME_NIC: u32 = 160; // NIC chosen at placement, for failback
export const V_TMP_HEAD: u32 = 164; // scratch list used while re-steering
export const V_TMP_TAIL: u32 = 168;
export const V_MAC_HASH: u32 = 172; // u32 hash of the VM's primary MAC (src-mac-hash placement)
export const V_RES_BPS: u32 = 176;  // u64 reservation in bit/s, for placement
export const V_ORDER: u32 = 184;    // u8 x 8: failover order (NIC indices, 0xff ends the list)

export const VS_FREE: u32 = 0;
export const VS_IDLE: u32 = 1;
export const VS_ACTIVE: u32 = 2;
export const VS_HELD: u32 = 3;
export const VS_REMOVING: u32 = 4; // removed by the host, packets still in flight

export const VF_PAUSED: u32 = 1;
// A pinned VM that moved between two up NICs waits until its packets in flight
// on the old NIC have completed, so a move never reorders its traffic.
export const VF_DRAIN: u32 = 2;
// Which optional parts of the record are in use (set from the config by vmAdd / vmUpdate):
export const VF_LIM: u32 = 4;   // a limit (V_LIM_*)
export const VF_PK: u32 = 8;    // a peak rate (V_PK_*)
export const VF_RES: u32 = 16;  // a reservation (V_RES_*)
export const VF_WM: u32 = 32;   // a high watermark (V_HIWM, V_LOWM)
export const VF_CONFIG: u32 = VF_LIM | VF_PK | VF_RES | VF_WM;

// ---- VM statistics: u64 counters, VMSTAT_STRIDE bytes per VM ----
// The counters a release updates (released, delay max and sum) share the first
// 64-byte line with the enqueue and completion counters; a release touches
// that line and one line of the delay histogram.
export const VMSTAT_STRIDE: u32 = 320; // 5 whole lines (272 bytes used), so with the region line-aligned no record straddles a line
export const S_ACC_PKTS: u32 = 0;
export const S_ACC_BYTES: u32 = 8;
export const S_REL_PKTS: u32 = 16;   // released to a NIC (decisions)
export const S_REL_BYTES: u32 = 24;
export const S_SENT_PKTS: u32 = 32;  // completed by a NIC
export const S_SENT_BYTES: u32 = 40;
export const S_FULL_PKTS: u32 = 112;  // refused with status full (host kept them)
export const S_FULL_BYTES: u32 = 120;
export const S_RET_PKTS: u32 = 64;   // handed back on removal
export const S_DROP_PKTS: u32 = 72;  // reserved: the engine has no drop path today
export const S_RESTEER_PKTS: u32 = 80;
export const S_PAUSES: u32 = 88;
export const S_RES_BYTES: u32 = 96;  // bytes released in the reservation phase
export const S_RET_BYTES: u32 = 104;
export const S_DELAY_MAX: u32 = 48; // u64 largest queue delay seen, in 1.024 µs units (ns >> 10)
export const S_DELAY_SUM: u32 = 56; // u64 sum of queue delays, same units
export const S_DELAY_HIST: u32 = 128; // u32 x 32: log2 buckets of queue delay; bucket b counts
                                      // delays d (units) with d == 0 for b = 0, else 2^(b-1) <= d < 2^b
export const DELAY_BUCKETS: u32 = 32;
export const S_FORGED_PKTS: u32 = 256;  // frames from this VM's port whose source MAC is not its own
export const S_FORGED_BYTES: u32 = 264;

// ---- NIC state, NIC_STRIDE bytes per NIC ----
export const NIC_STRIDE: u32 = 128;
export const N_STATE: u32 = 0;       // NS_* bits
export const N_IF_PKTS: u32 = 4;     // packets in flight
export const N_IF_BYTES: u32 = 8;    // u64 bytes in flight
export const N_IF_LIMIT: u32 = 16;   // u64 byte limit (BQL-like): room while in-flight bytes < limit
export const N_SPEED: u32 = 24;      // u64 bit/s
export const N_INV_SPEED: u32 = 32;  // u64 Q20 ns per byte
export const N_IF_HEAD: u32 = 40;    // in-flight FIFO (slot list)
export const N_IF_TAIL: u32 = 44;
export const N_SENT_PKTS: u32 = 48;  // u64
export const N_SENT_BYTES: u32 = 56;
export const N_REL_PKTS: u32 = 64;
export const N_REL_BYTES: u32 = 72;
export const N_FAILOVERS: u32 = 80;
export const N_RESTEERED: u32 = 88;
export const N_RES_SUM: u32 = 96;    // u64 bit/s reserved by VMs pinned here
export const N_PINNED: u32 = 104;    // u32 VMs pinned here
export const N_BAD_COMPLETIONS: u32 = 108; // u32 completions beyond what was in flight

export const NS_PRESENT: u32 = 1;
export const NS_UP: u32 = 2;

// ---- scheduling domains: one per NIC (pinned VMs) plus the team pool ----
export const DOM_STRIDE: u32 = 128;
export const D_V: u32 = 0;           // u64 x 8: virtual time per priority class
export const D_SHARE_N: u32 = 64;
export const D_RES_N: u32 = 68;
export const D_TIMER_N: u32 = 72;
export const D_SHARE_CAP: u32 = 76;  // share tree leaf capacity (power of two, grows only; 0 = empty tree)
export const D_SHARE_HEAP: u32 = 80; // 1 once the domain's share set lives in its binary heap (see share.ts), never back
// A domain's share set starts as a winner tree (tourney.ts) and moves to the
// binary share heap for good when an insert would need more leaves than this.
export const SHARE_TREE_MAX: u32 = 256;

// heap kinds; each domain owns one heap of each kind, maxVms entries of 16 bytes
export const HK_SHARE: u32 = 0;
export const HK_RES: u32 = 1;
export const HK_TIMER: u32 = 2;
export const HEAP_ENTRY: u32 = 16;  // u64 key, u32 vm, u32 prio

// ---- packet slots: a shared pool linked into VM queues and NIC FIFOs ----
export const SLOT_STRIDE: u32 = 24;
export const P_HANDLE: u32 = 0;
export const P_LEN: u32 = 4;     // u16 wire length in bytes (enqueue refuses longer packets)
export const P_NEXT_LEN: u32 = 6; // u16 wire length of the next slot in the same VM queue (valid while
                                  // P_NEXT != NIL there), so serving a packet learns the new head's
                                  // length without touching the new head's slot (a cache miss at scale)
export const P_HASH: u32 = 8;    // flow hash
export const P_TS: u32 = 12;     // enqueue time in 1.024 µs units (ns >> 10), wrapping
export const P_NEXT: u32 = 16;
export const P_VM: u32 = 20;
export const NIL: u32 = 0xffffffff;

// ---- events: EV_STRIDE bytes each ----
export const EV_STRIDE: u32 = 32; // u32 type, u32 a, u32 b, u32 c, u64 x, i64 t
export const EV_LINK: u32 = 1;        // a=nic b=up
export const EV_MOVED: u32 = 2;       // a=vm b=from nic c=to nic (NIL = nowhere)
export const EV_FAILOVER: u32 = 3;    // a=nic b=vms moved c=packets re-steered
export const EV_FAILBACK: u32 = 4;    // a=nic b=vms moved back
export const EV_TEAM_DOWN: u32 = 5;
export const EV_TEAM_UP: u32 = 6;
export const EV_PAUSE: u32 = 7;       // a=vm b=queued packets x=queued bytes
export const EV_RESUME: u32 = 8;      // a=vm b=queued packets x=queued bytes
export const EV_RETURNED: u32 = 9;    // a=vm b=handle: re-steered packet of a removed VM handed back
export const EV_CAPACITY: u32 = 10;   // x = reserved bit/s on up NICs, a = pinned nic or NIL

// ---- team counters (u64 each) ----
export const T_MALFORMED: u32 = 0;
export const T_UNKNOWN: u32 = 8;
export const T_BADLEN: u32 = 16;
export const T_POLLS: u32 = 24;
export const T_RESTEERED: u32 = 32;
export const T_FAILOVERS: u32 = 40;
export const T_BAD_COMPLETIONS: u32 = 48;
export const T_CLOCK_BACK: u32 = 56;  // calls whose clock was behind the last one
export const T_FORGED: u32 = 64;      // forged frames (all ports)
export const TEAM_BYTES: u32 = 192;   // counters at 0..127, the up-NIC list (u8 x 64) at TEAM_UPLIST
export const TEAM_UPLIST: u32 = 128;

// ---- VM config staging record (u64 fields, written by the host before vmAdd/vmUpdate) ----
export const C_SHARES: u32 = 0;
export const C_RES_BPS: u32 = 8;
export const C_LIM_BPS: u32 = 16;   // 0 = unlimited
export const C_BURST: u32 = 24;     // bytes
export const C_PEAK_BPS: u32 = 32;  // 0 = none
export const C_PEAK_BURST: u32 = 40;
export const C_PRIO: u32 = 48;
export const C_QMAX_PKTS: u32 = 56;
export const C_QMAX_BYTES: u32 = 64;
export const C_HIWM: u32 = 72;
export const C_LOWM: u32 = 80;
export const C_MTU: u32 = 88;       // bytes: reservation bucket depth
export const C_POLICY: u32 = 96;    // POL_* for this VM
export const C_MAC_HASH: u32 = 104; // hash of the primary MAC
export const C_ORDER: u32 = 112;    // 8 x u8 failover order, 0xff-terminated
export const CFG_BYTES: u32 = 128;

// status codes written per input descriptor
export const ST_QUEUED: u8 = 0;
export const ST_FULL: u8 = 1;
export const ST_UNKNOWN_VM: u8 = 2;
export const ST_FORGED: u8 = 3;
export const ST_MALFORMED: u8 = 4;

// teaming policies
export const POL_ROUND_ROBIN: u32 = 0;
export const POL_LEAST_LOAD: u32 = 1;
export const POL_PORT_ID: u32 = 2;      // pinned: most unreserved capacity
export const POL_FAILOVER_ORDER: u32 = 3; // pinned: first up NIC of the VM's list
export const POL_SRC_MAC_HASH: u32 = 4; // pinned: hash of the VM's MAC over the up NICs
export const POL_FLOW_HASH: u32 = 5;    // per packet: flow hash over the up NICs
export const POL_LOAD_BASED: u32 = 6;   // pinned like port-id; the host moves VMs off hot NICs
export const POL_FLOWLET: u32 = 7;      // per packet: least-load chosen at flowlet gaps
export const POL_COUNT: u32 = 8;

// ---- flowlet table: FL_STRIDE bytes per slot, direct-mapped by flow hash ----
export const FL_STRIDE: u32 = 16;     // u32 flow hash (tag), u32 nic, i64 time of the flow's last packet (ns)

// ---- region pointers, set once by init ----
export let hdr: usize = 0;
export let vmBase: usize = 0;
export let vmStatBase: usize = 0;
export let nicBase: usize = 0;
export let domBase: usize = 0;
export let heapBase: usize = 0;
export let treeBase: usize = 0;  // (maxNics + 1) share trees of 2 x SHARE_TREE_MAX entries
export let macBase: usize = 0;
export let posBase: usize = 0;   // u32 x maxVms per heap kind: 1-based heap position of each VM, 0 = absent
export let slotBase: usize = 0;
export let inVm: usize = 0;
export let inLen: usize = 0;
export let inHandle: usize = 0;
export let inHash: usize = 0;
export let inOff: usize = 0;
export let inCap: usize = 0;
export let outHandle: usize = 0;
export let outNic: usize = 0;
export let outVm: usize = 0;
export let outLen: usize = 0;
export let statusBase: usize = 0;
export let frameBase: usize = 0;
export let evBase: usize = 0;
export let cfgBase: usize = 0;
export let teamBase: usize = 0;
export let flowletBase: usize = 0;
export let flowletSlots: u32 = 0;

export let maxVms: u32 = 0;
export let maxNics: u32 = 0;
export let poolSize: u32 = 0;
export let batchMax: u32 = 0;
export let evCap: u32 = 0;
export let frameBytes: u32 = 0;
export let macCap: u32 = 0;
export let teamDomain: u32 = 0; // == maxNics

@inline export function vmPtr(vm: u32): usize { return vmBase + <usize>vm * VM_STRIDE; }
@inline export function vmStatPtr(vm: u32): usize { return vmStatBase + <usize>vm * VMSTAT_STRIDE; }
@inline export function nicPtr(nic: u32): usize { return nicBase + <usize>nic * NIC_STRIDE; }
@inline export function domPtr(d: u32): usize { return domBase + <usize>d * DOM_STRIDE; }
@inline export function slotPtr(s: u32): usize { return slotBase + <usize>s * SLOT_STRIDE; }
@inline export function heapPtr(kind: u32, d: u32): usize {
  return heapBase + (<usize>(d * 3 + kind) * <usize>maxVms) * HEAP_ENTRY;
}
/** Share tree of domain d: entry i is node i (1 = root; leaves cap .. 2 cap - 1). */
@inline export function treePtr(d: u32): usize { return treeBase + (<usize>d * (2 * SHARE_TREE_MAX)) * HEAP_ENTRY; }
/** Heap position word of `vm` in heaps of `kind` (a VM is in at most one domain's heap of each kind). */
@inline export function posPtr(kind: u32, vm: u32): usize { return posBase + ((<usize>kind * <usize>maxVms + <usize>vm) << 2); }
@inline export function hdrWord(i: u32): u32 { return load<u32>(hdr + (<usize>i << 2)); }
@inline export function setHdrWord(i: u32, v: u32): void { store<u32>(hdr + (<usize>i << 2), v); }

// every region starts on a cache line (64 bytes), so a record whose stride is a multiple of 64 never straddles two lines
@inline function align64(x: usize): usize { return (x + 63) & ~(<usize>63); }

/** Lays out every region; returns 0, or -1 when memory cannot grow that far. */
export function layoutInit(vms: u32, nics: u32, pool: u32, batch: u32, events: u32, fbytes: u32, macs: u32, flowlets: u32): i32 {
  flowletSlots = flowlets;
  maxVms = vms; maxNics = nics; poolSize = pool; batchMax = batch; evCap = events; frameBytes = fbytes; macCap = macs;
  teamDomain = nics;
  let p = align64(__heap_base);
  hdr = p; p = align64(p + H_WORDS * 4);
  vmBase = p; p = align64(p + <usize>vms * VM_STRIDE);
  vmStatBase = p; p = align64(p + <usize>vms * VMSTAT_STRIDE);
  nicBase = p; p = align64(p + <usize>nics * NIC_STRIDE);
  domBase = p; p = align64(p + <usize>(nics + 1) * DOM_STRIDE);
  heapBase = p; p = align64(p + <usize>(nics + 1) * 3 * <usize>vms * HEAP_ENTRY);
  treeBase = p; p = align64(p + <usize>(nics + 1) * 2 * SHARE_TREE_MAX * HEAP_ENTRY);
  posBase = p; p = align64(p + 3 * <usize>vms * 4);
  macBase = p; p = align64(p + <usize>macs * 16);
  slotBase = p; p = align64(p + <usize>pool * SLOT_STRIDE);
  inVm = p; p = align64(p + <usize>batch * 4);
  inLen = p; p = align64(p + <usize>batch * 4);
  inHandle = p; p = align64(p + <usize>batch * 4);
  inHash = p; p = align64(p + <usize>batch * 4);
  inOff = p; p = align64(p + <usize>batch * 4);
  inCap = p; p = align64(p + <usize>batch * 4);
  outHandle = p; p = align64(p + <usize>batch * 4);
  outNic = p; p = align64(p + <usize>batch * 4);
  outVm = p; p = align64(p + <usize>batch * 4);
  outLen = p; p = align64(p + <usize>batch * 4);
  statusBase = p; p = align64(p + <usize>batch);
  frameBase = p; p = align64(p + <usize>fbytes);
  evBase = p; p = align64(p + <usize>events * EV_STRIDE);
  cfgBase = p; p = align64(p + CFG_BYTES);
  teamBase = p; p = align64(p + TEAM_BYTES);
  flowletBase = p; p = align64(p + <usize>flowlets * FL_STRIDE);
  const end = p;
  const have = <usize>memory.size() << 16;
  if (end > have) {
    const pages = <i32>((end - have + 0xffff) >> 16);
    if (memory.grow(pages) < 0) return -1;
  }
  // no fill: init runs once per instance (index.ts), and a fresh instance's memory above __heap_base is zero
  // (no data segment lies there and the core allocates nothing at run time), so every region starts zeroed
  // without touching its pages
  setHdrWord(H_VERSION, LAYOUT_VERSION);
  setHdrWord(H_MAX_VMS, vms); setHdrWord(H_MAX_NICS, nics); setHdrWord(H_POOL, pool);
  setHdrWord(H_BATCH, batch); setHdrWord(H_EV_CAP, events); setHdrWord(H_FRAME_BYTES, fbytes);
  setHdrWord(H_MAC_CAP, macs);
  setHdrWord(H_VM_PTR, <u32>vmBase); setHdrWord(H_VMSTAT_PTR, <u32>vmStatBase);
  setHdrWord(H_NIC_PTR, <u32>nicBase); setHdrWord(H_DOM_PTR, <u32>domBase);
  setHdrWord(H_IN_VM, <u32>inVm); setHdrWord(H_IN_LEN, <u32>inLen); setHdrWord(H_IN_HANDLE, <u32>inHandle);
  setHdrWord(H_IN_HASH, <u32>inHash); setHdrWord(H_IN_OFF, <u32>inOff); setHdrWord(H_IN_CAP, <u32>inCap);
  setHdrWord(H_OUT_HANDLE, <u32>outHandle); setHdrWord(H_OUT_NIC, <u32>outNic);
  setHdrWord(H_OUT_VM, <u32>outVm); setHdrWord(H_OUT_LEN, <u32>outLen);
  setHdrWord(H_STATUS, <u32>statusBase); setHdrWord(H_FRAME_PTR, <u32>frameBase);
  setHdrWord(H_EV_PTR, <u32>evBase); setHdrWord(H_CFG_PTR, <u32>cfgBase); setHdrWord(H_TEAM_PTR, <u32>teamBase);
  setHdrWord(H_VM_STRIDE, VM_STRIDE); setHdrWord(H_VMSTAT_STRIDE, VMSTAT_STRIDE);
  setHdrWord(H_NIC_STRIDE, NIC_STRIDE); setHdrWord(H_EV_STRIDE, EV_STRIDE);
  setHdrWord(H_NEXT_WAKE_LO, 0xffffffff); setHdrWord(H_NEXT_WAKE_HI, 0xffffffff);
  setHdrWord(H_TOTAL_BYTES, <u32>(end - hdr));
  setHdrWord(H_FLOWLETS, flowlets);
  return 0;
}
