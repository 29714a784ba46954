// metrics.ts — a stats snapshot as Prometheus text exposition format 0.0.4.
//
// Owns the metric names (stable: dashboards and alerts depend on them; they
// are listed in docs/stats.md) and the text encoding. Every family has `# HELP`
// and `# TYPE` lines and all of its samples in one group; counters end in
// `_total`; units are base units in the name (bytes, seconds, bits per second,
// ratio). Labels: `vm` (the VM's name) and `vm_id` on per-VM families, `nic`
// (the NIC's name) on per-NIC families, `kind` on the advice counter. Label
// values are escaped as the format requires (backslash, double quote, line
// feed); any other character, including non-ASCII, is written as UTF-8.
// The queue-delay histogram is a real histogram: the core's log2 buckets
// (stats.ts bucketUpperNs: bucket b counts delays below 2^b × 1.024 µs) are
// emitted cumulatively with `le` in seconds; the last core bucket also holds
// every longer delay, so it is folded into `le="+Inf"` (= `_count`). `_sum` is
// the exact total delay in seconds (mean × released).
// Rates (RateTracker) and the team summary numbers (fairness.ts) are optional:
// their families appear only when given. A null summary omits its sample.
// Complexity: O(V·B + N) string building for V VMs, B = 32 buckets, N NICs;
// called from a scrape handler, never from the data path.

import { bucketUpperNs, type StatsSnapshot, type VmStats, type NicStats } from './stats.js';
import type { RateTracker } from './rates.js';

export interface MetricsExtra {
  /** Jain's fairness index over backlogged VMs (fairness.ts), 0..1; null or absent = omitted */
  fairnessIndex?: number | null;
  /** fraction of backlogged VMs with a reservation that meet it (fairness.ts), 0..1; null or absent = omitted */
  reservationConformance?: number | null;
  /** advice emitted so far, by kind (advice.ts Advisor.counts) */
  adviceTotal?: Readonly<Record<string, number>>;
}

/** Escapes a label value: \ → \\, " → \", line feed → \n. */
export function escapeLabelValue(v: string): string {
  return v.replace(/[\\"\n]/g, (c) => (c === '\\' ? '\\\\' : c === '"' ? '\\"' : '\\n'));
}

/** Escapes HELP text: \ → \\, line feed → \n. */
function escapeHelp(v: string): string {
  return v.replace(/[\\\n]/g, (c) => (c === '\\' ? '\\\\' : '\\n'));
}

/** A sample value: integers exactly, others in JavaScript's shortest round-trip form; NaN and ±Inf spelled as Prometheus does. */
export function formatValue(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return '+Inf';
  if (x === -Infinity) return '-Inf';
  return String(x);
}

type Kind = 'counter' | 'gauge' | 'histogram';

class Writer {
  readonly lines: string[] = [];
  family(name: string, kind: Kind, help: string): void {
    this.lines.push(`# HELP ${name} ${escapeHelp(help)}`, `# TYPE ${name} ${kind}`);
  }
  sample(name: string, labels: string, value: number): void {
    this.lines.push(`${name}${labels ? `{${labels}}` : ''} ${formatValue(value)}`);
  }
}

const vmLabels = (v: VmStats) => `vm="${escapeLabelValue(v.name)}",vm_id="${v.id}"`;
const nicLabels = (n: NicStats) => `nic="${escapeLabelValue(n.name)}"`;

/** Per-VM families whose value is one field of VmStats: [suffix, type, help, field]. */
const VM_FIELDS: [string, Kind, string, (v: VmStats) => number][] = [
  ['accepted_packets_total', 'counter', 'Packets taken into the VM queue (status queued).', (v) => v.acceptedPackets],
  ['accepted_bytes_total', 'counter', 'Bytes taken into the VM queue (status queued).', (v) => v.acceptedBytes],
  ['released_packets_total', 'counter', 'Packets released from the VM queue to a NIC (a re-steered packet counts again).', (v) => v.releasedPackets],
  ['released_bytes_total', 'counter', 'Bytes released from the VM queue to a NIC.', (v) => v.releasedBytes],
  ['sent_packets_total', 'counter', 'Packets completed by a NIC (TX completion).', (v) => v.sentPackets],
  ['sent_bytes_total', 'counter', 'Bytes completed by a NIC (TX completion).', (v) => v.sentBytes],
  ['full_packets_total', 'counter', 'Packets refused because the VM queue was full (the host kept them).', (v) => v.fullPackets],
  ['full_bytes_total', 'counter', 'Bytes refused because the VM queue was full.', (v) => v.fullBytes],
  ['returned_packets_total', 'counter', 'Packets handed back to the host (VM removed while they were in flight on a failed NIC).', (v) => v.returnedPackets],
  ['returned_bytes_total', 'counter', 'Bytes handed back to the host.', (v) => v.returnedBytes],
  ['dropped_packets_total', 'counter', 'Packets dropped by the engine (no drop path today: stays 0).', (v) => v.droppedPackets],
  ['resteered_packets_total', 'counter', 'Packets re-queued after their NIC failed before completing them.', (v) => v.resteeredPackets],
  ['forged_packets_total', 'counter', "Frames from this VM's port carrying another source MAC (rejected or charged per forgedTransmits).", (v) => v.forgedPackets],
  ['forged_bytes_total', 'counter', "Bytes of frames from this VM's port carrying another source MAC.", (v) => v.forgedBytes],
  ['pauses_total', 'counter', 'Times the VM queue reached its high watermark (vm-pause events).', (v) => v.pauses],
  ['reservation_bytes_total', 'counter', 'Bytes released in the reservation (constraint) phase.', (v) => v.reservationBytes],
  ['queue_packets', 'gauge', 'Packets waiting in the VM queue.', (v) => v.queuedPackets],
  ['queue_bytes', 'gauge', 'Bytes waiting in the VM queue.', (v) => v.queuedBytes],
  ['in_flight_packets', 'gauge', 'Packets of this VM handed to a NIC and not yet completed.', (v) => v.inFlightPackets],
  ['paused', 'gauge', '1 while the VM is paused (between vm-pause and vm-resume), else 0.', (v) => (v.paused ? 1 : 0)],
  ['queue_delay_max_seconds', 'gauge', 'Longest queue delay (enqueue to release) seen, seconds.', (v) => v.delayMaxNs / 1e9],
];

const NIC_FIELDS: [string, Kind, string, (n: NicStats) => number][] = [
  ['released_packets_total', 'counter', 'Packets handed to the NIC.', (n) => n.releasedPackets],
  ['released_bytes_total', 'counter', 'Bytes handed to the NIC.', (n) => n.releasedBytes],
  ['sent_packets_total', 'counter', 'Packets the NIC completed.', (n) => n.sentPackets],
  ['sent_bytes_total', 'counter', 'Bytes the NIC completed.', (n) => n.sentBytes],
  ['in_flight_packets', 'gauge', 'Packets handed to the NIC and not yet completed.', (n) => n.inFlightPackets],
  ['in_flight_bytes', 'gauge', 'Bytes handed to the NIC and not yet completed.', (n) => n.inFlightBytes],
  ['in_flight_limit_bytes', 'gauge', 'Most bytes the engine hands the NIC before completions come back.', (n) => n.inFlightLimitBytes],
  ['up', 'gauge', '1 when the link is up, else 0.', (n) => (n.up ? 1 : 0)],
  ['speed_bits_per_second', 'gauge', 'Configured link speed, bit/s.', (n) => n.speedBps],
  ['failovers_total', 'counter', 'Times this NIC failed and its traffic moved to others.', (n) => n.failovers],
  ['resteered_packets_total', 'counter', 'Packets in flight on this NIC when it failed, re-queued for another NIC.', (n) => n.resteeredPackets],
  ['bad_completions_total', 'counter', 'Completions reported for more packets than were in flight.', (n) => n.badCompletions],
  ['pinned_vms', 'gauge', 'VMs pinned to this NIC (pinned policies).', (n) => n.pinnedVms],
  ['reserved_bits_per_second', 'gauge', 'Sum of the reservations of the VMs pinned to this NIC, bit/s.', (n) => n.reservedBps],
];

const TEAM_FIELDS: [string, Kind, string, (t: StatsSnapshot['team']) => number][] = [
  ['malformed_packets_total', 'counter', 'Packets refused as malformed (bad length or unparsable frame).', (t) => t.malformed],
  ['unknown_vm_packets_total', 'counter', 'Packets refused because no VM matched.', (t) => t.unknownVm],
  ['bad_length_packets_total', 'counter', 'Packets refused for a length of 0 or above 65535 bytes (also counted as malformed).', (t) => t.badLength],
  ['bad_completions_total', 'counter', 'Completions reported for more packets than were in flight, all NICs.', (t) => t.badCompletions],
  ['polls_total', 'counter', 'Calls to poll.', (t) => t.polls],
  ['resteered_packets_total', 'counter', 'Packets re-queued after a NIC failure, all NICs.', (t) => t.resteered],
  ['failovers_total', 'counter', 'NIC failures handled, all NICs.', (t) => t.failovers],
  ['forged_packets_total', 'counter', 'Frames carrying a source MAC other than their port VM, all VMs.', (t) => t.forged],
  ['clock_backwards_total', 'counter', 'Calls whose time was earlier than the previous call (treated as no time passing).', (t) => t.clockBackwards],
  ['pool_free_packets', 'gauge', 'Free packet slots in the shared descriptor pool.', (t) => t.poolFree],
  ['pool_packets', 'gauge', 'Size of the shared descriptor pool, packets.', (t) => t.poolPackets],
];

const RATE_FIELDS: [string, string, 'sentBps' | 'releasedBps' | 'acceptedBps' | 'offeredBps'][] = [
  ['sent_bits_per_second', 'Sent rate', 'sentBps'],
  ['released_bits_per_second', 'Released rate', 'releasedBps'],
  ['accepted_bits_per_second', 'Accepted rate', 'acceptedBps'],
  ['offered_bits_per_second', 'Offered rate (accepted + refused as full)', 'offeredBps'],
];

/**
 * The snapshot in Prometheus text format 0.0.4 (content type
 * `text/plain; version=0.0.4; charset=utf-8`), ending with a line feed.
 */
export function formatMetrics(stats: StatsSnapshot, rates?: RateTracker, extra: MetricsExtra = {}): string {
  const w = new Writer();
  for (const [suffix, kind, help, get] of VM_FIELDS) {
    const name = `nicteam_vm_${suffix}`;
    w.family(name, kind, help);
    for (const v of stats.vms) w.sample(name, vmLabels(v), get(v));
  }

  const h = 'nicteam_vm_queue_delay_seconds';
  w.family(h, 'histogram', 'Queue delay from enqueue to release, seconds (log2 buckets from 1.024 us).');
  for (const v of stats.vms) {
    const l = vmLabels(v);
    const hist = v.delayHistogram;
    let acc = 0;
    for (let b = 0; b < hist.length - 1; b++) {
      acc += hist[b]!;
      w.sample(`${h}_bucket`, `${l},le="${formatValue(bucketUpperNs(b) / 1e9)}"`, acc);
    }
    if (hist.length > 0) acc += hist[hist.length - 1]!;
    w.sample(`${h}_bucket`, `${l},le="+Inf"`, acc);
    w.sample(`${h}_sum`, l, (v.delayMeanNs * v.releasedPackets) / 1e9);
    w.sample(`${h}_count`, l, acc);
  }

  if (rates) {
    for (const [suffix, what, key] of RATE_FIELDS) {
      const name = `nicteam_vm_${suffix}`;
      w.family(name, 'gauge', `${what} of the VM, bit/s (EWMA, time constant ${rates.tauNs / 1e9} s).`);
      for (const v of stats.vms) {
        const r = rates.vm(v.id, v.name);
        if (r) w.sample(name, vmLabels(v), r[key]);
      }
    }
  }

  for (const [suffix, kind, help, get] of NIC_FIELDS) {
    const name = `nicteam_nic_${suffix}`;
    w.family(name, kind, help);
    for (const n of stats.nics) w.sample(name, nicLabels(n), get(n));
  }
  if (rates) {
    const name = 'nicteam_nic_sent_bits_per_second', util = 'nicteam_nic_utilization_ratio';
    w.family(name, 'gauge', `Sent rate of the NIC, bit/s (EWMA, time constant ${rates.tauNs / 1e9} s).`);
    for (const n of stats.nics) { const r = rates.nic(n.index); if (r && r.name === n.name) w.sample(name, nicLabels(n), r.sentBps); }
    w.family(util, 'gauge', 'Sent rate / link speed (1 = line rate).');
    for (const n of stats.nics) { const r = rates.nic(n.index); if (r && r.name === n.name) w.sample(util, nicLabels(n), r.utilization); }
  }

  for (const [suffix, kind, help, get] of TEAM_FIELDS) {
    const name = `nicteam_${suffix}`;
    w.family(name, kind, help);
    w.sample(name, '', get(stats.team));
  }
  if (extra.fairnessIndex !== undefined && extra.fairnessIndex !== null) {
    w.family('nicteam_fairness_index', 'gauge', "Jain's fairness index over backlogged VMs, rates normalised by shares or ideal allocation (1 = fair, 1/n = one VM takes all).");
    w.sample('nicteam_fairness_index', '', extra.fairnessIndex);
  }
  if (extra.reservationConformance !== undefined && extra.reservationConformance !== null) {
    w.family('nicteam_reservation_conformance_ratio', 'gauge', 'Fraction of backlogged VMs with a reservation whose rate meets it.');
    w.sample('nicteam_reservation_conformance_ratio', '', extra.reservationConformance);
  }
  if (extra.adviceTotal) {
    w.family('nicteam_advice_total', 'counter', 'Advice emitted to the host, by kind (suspend, migrate).');
    for (const k of Object.keys(extra.adviceTotal).sort()) w.sample('nicteam_advice_total', `kind="${escapeLabelValue(k)}"`, extra.adviceTotal[k]!);
  }
  w.lines.push('');
  return w.lines.join('\n');
}
