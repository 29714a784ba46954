// types.ts — the simulator's inputs (a resolved scenario: plain numbers, ns
// and bit/s) and its output (SimResult: JSON-safe, deterministic).
//
// Scenario files (src/scenario/) are validated and resolved into these types;
// the browser demo may also build them directly. Times are ns as JavaScript
// numbers: whole numbers are exact up to 2^53 ns (104 days of simulated time),
// far beyond any scenario, and cheaper than bigint on the per-packet path;
// they become bigint only at the engine boundary. Rates are bit/s, sizes bytes.

import type { NicConfigInput, VmConfigInput, VmUpdateInput, TeamingConfig, CapacityConfig } from '../api/config.js';
import type { SourceSpec } from './sources.js';

export interface SimNicSpec {
  /** Engine NIC config (name, speed, inFlightBytes, up): see the API. */
  config: NicConfigInput;
  /** Hardware TX descriptors (frames). Default 1024. */
  txRingPackets: number;
  /** Per-frame wire overhead beyond the frame bytes (bytes). Default 24: FCS + preamble + IFG. */
  wireOverheadBytes: number;
  /** Completion coalescing: report once this many frames finished (0 = by timer only). Default 0. */
  txCoalesceFrames: number;
  /** Completion timer period (ns): finished frames are reported at its next tick. Default 16000. */
  txCoalesceNs: number;
}

export interface SimVmSpec {
  /** Engine VM config (name, mac, shares, reservation, limit, ...): see the API. */
  config: VmConfigInput;
  source: SourceSpec;
}

export type FaultSpec =
  | { atNs: number; type: 'link-down' | 'link-up' | 'remove-nic'; nic: string }
  | { atNs: number; type: 'flap'; nic: string; downNs: number; upNs: number; count: number }
  | { atNs: number; type: 'add-nic'; nic: SimNicSpec }
  | { atNs: number; type: 'update-vm'; vm: string; changes: VmUpdateInput }
  | { atNs: number; type: 'add-vm'; vm: SimVmSpec }
  | { atNs: number; type: 'remove-vm'; vm: string };

export interface Scenario {
  name: string;
  description?: string;
  /** PRNG seed: the same scenario and seed give the same result bit for bit. */
  seed: number;
  durationNs: number;
  /** Width of one measurement interval (ns). */
  sampleIntervalNs: number;
  /** Arrivals of rate-driven sources reach the engine in batches at most this fine (ns), like vhost/NAPI polling. */
  hostBatchNs: number;
  teaming?: TeamingConfig;
  capacity?: CapacityConfig;
  nics: SimNicSpec[];
  vms: SimVmSpec[];
  faults: FaultSpec[];
}

export interface DelaySummary { p50Ns: number; p99Ns: number; maxNs: number; meanNs: number; count: number }

export interface SimVmResult {
  /** Engine VM id (ids of removed VMs may be reused by later ones). */
  id: number;
  name: string;
  macs: string[];
  /** Allocation at the end of the run (or at removal). Rates bit/s, 0 = none. */
  allocation: { shares: number; reservationBps: number; limitBps: number; priority: number };
  source: string;
  addedAtNs: number;
  removedAtNs: number | null;
  offeredPackets: number; offeredBytes: number;
  acceptedPackets: number; acceptedBytes: number;
  sentPackets: number; sentBytes: number;
  /** `full` statuses (the host kept the frame and retried). */
  fullStatuses: number;
  /** Frames lost at the host because the VM's vNIC ring overflowed. */
  hostDrops: number;
  /** Frames the engine handed back (VM removal). */
  returned: number;
  pauses: number;
  /** Mean achieved rate while present (bit/s of frame bytes). */
  achievedBps: number;
  /** Mean ideal rate while present (DESIGN §2), same units. */
  idealBps: number;
  delay: DelaySummary;
  series: {
    /** Achieved rate per interval (bit/s); null where the VM did not exist. */
    sentBps: (number | null)[];
    idealBps: (number | null)[];
    offeredBps: (number | null)[];
    delayP50Ns: (number | null)[];
    delayP99Ns: (number | null)[];
    /** Frames waiting (engine queue + host ring) at the end of the interval. */
    backlogPackets: (number | null)[];
  };
}

export interface SimNicResult {
  index: number; name: string; speedBps: number; wireOverheadBytes: number;
  /** Mean wire utilization over the run (0..1). */
  utilization: number;
  sentPackets: number; sentBytes: number;
  failovers: number;
  series: {
    /** Wire utilization per interval (0..1, counting wire overhead). */
    utilization: number[];
    /** 1 when up at the end of the interval, 0 when down. */
    up: number[];
  };
}

export interface SimEvent { tNs: number; type: string; [key: string]: unknown }

export interface SimResult {
  scenario: { name: string; seed: number; durationNs: number; sampleIntervalNs: number; policy: string; description?: string };
  /** End time of each interval (ns). */
  timeNs: number[];
  vms: SimVmResult[];
  nics: SimNicResult[];
  events: SimEvent[];
  /** Counts per event type. */
  eventCounts: Record<string, number>;
  /** Packet conservation audit: accepted = completed + queued + inFlight + returned, violations = 0. */
  conservation: {
    accepted: number; completed: number; queued: number; inFlight: number; returned: number;
    violations: number; ok: boolean;
  };
  totals: {
    simulatedNs: number; sentPackets: number; sentBytes: number;
    /** Capacity used for the ideal (frame bit/s of the whole team when all NICs are up). */
    teamCapacityBps: number;
    /** Σ floors ≤ capacity in every interval. */
    feasible: boolean;
  };
}
