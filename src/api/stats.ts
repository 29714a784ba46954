// stats.ts — reads the core's counters into a plain snapshot object.
//
// The core keeps u64 counters in linear memory (layout.ts: VM stats, NIC
// records, team counters); reading them is a few loads per VM and costs the
// data path nothing. Counters are returned as numbers (exact below 2^53), read
// as two u32 halves: a BigInt per counter made a 4096-VM snapshot cost ~27 ms,
// most of it garbage collection.

import * as L from '../wasm/layout.js';

export interface VmStats {
  id: number; name: string;
  /** 'idle' (empty queue), 'active' (eligible), 'held' (waiting on its limit or peak) */
  state: 'idle' | 'active' | 'held' | 'removing';
  nic: number | null;
  paused: boolean;
  queuedPackets: number; queuedBytes: number; inFlightPackets: number;
  acceptedPackets: number; acceptedBytes: number;
  releasedPackets: number; releasedBytes: number;
  sentPackets: number; sentBytes: number;
  fullPackets: number; fullBytes: number;
  returnedPackets: number; returnedBytes: number;
  droppedPackets: number;
  resteeredPackets: number;
  pauses: number;
  /** bytes released in the reservation (constraint) phase */
  reservationBytes: number;
  /** queue delay (enqueue → release) histogram: bucket b counts delays below 2^b × 1.024 µs (b = 0: under 1.024 µs) */
  delayHistogram: number[];
  /** queue delay percentiles and maximum in ns (bucket upper bounds; exact max) */
  delayP50Ns: number; delayP99Ns: number; delayMaxNs: number; delayMeanNs: number;
  /** frames from this VM's port carrying another source MAC (rejected or charged per forgedTransmits) */
  forgedPackets: number; forgedBytes: number;
  /** EWMA of sent and offered (accepted + full) rates in bit/s, τ = 1 s, updated when stats are read (src/api/rates.ts) */
  rateBps: number; offeredBps: number;
}

export interface NicStats {
  index: number; name: string; speedBps: number; up: boolean;
  inFlightPackets: number; inFlightBytes: number; inFlightLimitBytes: number;
  releasedPackets: number; releasedBytes: number; sentPackets: number; sentBytes: number;
  failovers: number; resteeredPackets: number; pinnedVms: number; reservedBps: number; badCompletions: number;
  /** EWMA of sent bit/s over speed (0..1), τ = 1 s, updated when stats are read */
  utilization: number; rateBps: number;
}

export interface TeamStats {
  malformed: number; unknownVm: number; badLength: number; polls: number; resteered: number;
  failovers: number; badCompletions: number; clockBackwards: number; forged: number; poolFree: number; poolPackets: number;
  /** Jain's index over backlogged VMs, rates normalized by shares (1 = fair); null when none is backlogged */
  fairnessIndex: number | null;
  /** share of backlogged VMs with a reservation that reach it (0..1, 1% tolerance); null when none */
  reservationConformance: number | null;
}

export interface StatsSnapshot { vms: VmStats[]; nics: NicStats[]; team: TeamStats }

const UNIT_NS = 1024; // the core stamps packets with ns >> 10

/** Upper bound (ns) of histogram bucket b. */
export function bucketUpperNs(b: number): number { return b === 0 ? UNIT_NS : 2 ** b * UNIT_NS; }

/** The delay below which a fraction q of the counted packets fall (bucket upper bound), 0 when empty. */
export function histogramQuantile(h: readonly number[], q: number): number {
  const total = h.reduce((a, b) => a + b, 0);
  if (total === 0) return 0;
  const target = Math.ceil(q * total);
  let acc = 0;
  for (let b = 0; b < h.length; b++) { acc += h[b]!; if (acc >= target) return bucketUpperNs(b); }
  return bucketUpperNs(h.length - 1);
}

const TWO32 = 4294967296;

/** u64 at byte offset p (8-aligned) as a number (exact below 2^53, rounded like Number(bigint) above): no BigInt allocated. */
function u64At(w: Uint32Array, p: number): number { return w[p >>> 2]! + w[(p >>> 2) + 1]! * TWO32; }

const STATES = ['removing', 'idle', 'active', 'held', 'removing'] as const;

const NO_HISTOGRAM: number[] = Object.freeze([]) as unknown as number[];

/** A VmStats with every field present (so objects filled later share one shape). */
function blankVm(): VmStats {
  return {
    id: 0, name: '', state: 'idle', nic: null, paused: false, queuedPackets: 0, queuedBytes: 0, inFlightPackets: 0,
    acceptedPackets: 0, acceptedBytes: 0, releasedPackets: 0, releasedBytes: 0, sentPackets: 0, sentBytes: 0,
    fullPackets: 0, fullBytes: 0, returnedPackets: 0, returnedBytes: 0, droppedPackets: 0, resteeredPackets: 0,
    pauses: 0, reservationBytes: 0, delayHistogram: NO_HISTOGRAM, delayP50Ns: 0, delayP99Ns: 0, delayMaxNs: 0, delayMeanNs: 0,
    forgedPackets: 0, forgedBytes: 0, rateBps: 0, offeredBps: 0,
  };
}

/**
 * A snapshot of every counter. `delays: false` (the advisor's periodic read)
 * skips the per-VM delay histogram and its percentiles — most of a snapshot's
 * cost at thousands of VMs — leaving delayHistogram empty and the percentiles 0.
 * `reuse`: VM rows of an earlier snapshot to overwrite in place (the advisor's
 * private snapshot every evaluation: 16384 fresh rows cost more in garbage
 * collection than in reading); the returned snapshot then owns them.
 */
export function readStats(buf: ArrayBuffer, hdr: Uint32Array, vms: readonly { id: number; name: string }[],
  nics: ({ index: number; name: string; speedBps: number } | undefined)[], delays = true, reuse?: VmStats[]): StatsSnapshot {
  // Wasm memory is little-endian and so are the hosts we run on (x86-64, arm64): a
  // Uint32Array reads it directly, several times faster than a DataView on Wasm memory
  const w = new Uint32Array(buf);
  const u64 = (p: number) => u64At(w, p);
  const u32 = (p: number) => w[p >>> 2]!;
  const vmBase = hdr[L.H_VM_PTR]!, stBase = hdr[L.H_VMSTAT_PTR]!, nicBase = hdr[L.H_NIC_PTR]!, team = hdr[L.H_TEAM_PTR]!;
  const vmOut: VmStats[] = reuse ?? new Array(vms.length);
  vmOut.length = vms.length;
  for (let k = 0; k < vms.length; k++) {
    const { id, name } = vms[k]!;
    const v = vmBase + id * L.VM_STRIDE, s = stBase + id * L.VMSTAT_STRIDE;
    const nic = u32(v + L.V_NIC);
    let h = NO_HISTOGRAM;
    if (delays) {
      h = new Array(L.DELAY_BUCKETS);
      for (let b = 0; b < L.DELAY_BUCKETS; b++) h[b] = u32(s + L.S_DELAY_HIST + b * 4);
    }
    const released = u64(s + L.S_REL_PKTS);
    const maxNs = u64(s + L.S_DELAY_MAX) * UNIT_NS;
    const o = (vmOut[k] ??= blankVm());
    o.id = id; o.name = name; o.state = STATES[u32(v + L.V_STATE)] ?? 'removing'; o.nic = nic === L.NIL ? null : nic;
    o.paused = (u32(v + L.V_FLAGS) & L.VF_PAUSED) !== 0;
    o.queuedPackets = u32(v + L.V_QPKTS); o.queuedBytes = u32(v + L.V_QBYTES); o.inFlightPackets = u32(v + L.V_INFLIGHT);
    o.acceptedPackets = u64(s + L.S_ACC_PKTS); o.acceptedBytes = u64(s + L.S_ACC_BYTES);
    o.releasedPackets = released; o.releasedBytes = u64(s + L.S_REL_BYTES);
    o.sentPackets = u64(s + L.S_SENT_PKTS); o.sentBytes = u64(s + L.S_SENT_BYTES);
    o.fullPackets = u64(s + L.S_FULL_PKTS); o.fullBytes = u64(s + L.S_FULL_BYTES);
    o.returnedPackets = u64(s + L.S_RET_PKTS); o.returnedBytes = u64(s + L.S_RET_BYTES);
    o.droppedPackets = u64(s + L.S_DROP_PKTS); o.resteeredPackets = u64(s + L.S_RESTEER_PKTS);
    o.pauses = u64(s + L.S_PAUSES); o.reservationBytes = u64(s + L.S_RES_BYTES);
    o.delayHistogram = h;
    o.delayP50Ns = delays ? Math.min(histogramQuantile(h, 0.5), maxNs) : 0;
    o.delayP99Ns = delays ? Math.min(histogramQuantile(h, 0.99), maxNs) : 0;
    o.delayMaxNs = maxNs;
    o.delayMeanNs = released ? (u64(s + L.S_DELAY_SUM) * UNIT_NS) / released : 0;
    o.forgedPackets = u64(s + L.S_FORGED_PKTS); o.forgedBytes = u64(s + L.S_FORGED_BYTES); o.rateBps = 0; o.offeredBps = 0;
  }
  const nicOut: NicStats[] = [];
  for (const n of nics) {
    if (!n) continue;
    const p = nicBase + n.index * L.NIC_STRIDE;
    nicOut.push({
      index: n.index, name: n.name, speedBps: n.speedBps, up: (u32(p + L.N_STATE) & L.NS_UP) !== 0,
      inFlightPackets: u32(p + L.N_IF_PKTS), inFlightBytes: u64(p + L.N_IF_BYTES), inFlightLimitBytes: u64(p + L.N_IF_LIMIT),
      releasedPackets: u64(p + L.N_REL_PKTS), releasedBytes: u64(p + L.N_REL_BYTES),
      sentPackets: u64(p + L.N_SENT_PKTS), sentBytes: u64(p + L.N_SENT_BYTES),
      failovers: u64(p + L.N_FAILOVERS), resteeredPackets: u64(p + L.N_RESTEERED),
      pinnedVms: u32(p + L.N_PINNED), reservedBps: u64(p + L.N_RES_SUM), badCompletions: u32(p + L.N_BAD_COMPLETIONS),
      utilization: 0, rateBps: 0,
    });
  }
  return {
    vms: vmOut, nics: nicOut,
    team: {
      malformed: u64(team + L.T_MALFORMED), unknownVm: u64(team + L.T_UNKNOWN), badLength: u64(team + L.T_BADLEN),
      polls: u64(team + L.T_POLLS), resteered: u64(team + L.T_RESTEERED), failovers: u64(team + L.T_FAILOVERS),
      badCompletions: u64(team + L.T_BAD_COMPLETIONS), clockBackwards: u64(team + L.T_CLOCK_BACK), forged: u64(team + L.T_FORGED),
      poolFree: hdr[L.H_POOL_FREE]!, poolPackets: hdr[L.H_POOL]!, fairnessIndex: null, reservationConformance: null,
    },
  };
}
