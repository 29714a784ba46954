// rates.ts — per-VM and per-NIC rates (bit/s) derived from successive stats snapshots.
//
// Owns: exponentially weighted moving averages of the sent, released, accepted
// and offered (accepted + refused-as-full) byte counters of every VM, and of
// the sent and released counters of every NIC, plus NIC utilization.
// Units: rates in bit/s, time in ns (bigint from the host's monotonic clock),
// the time constant τ in ns (default 1 s). Utilization is a ratio (sent rate
// / link speed; 1 = line rate).
// Estimator: a continuous-time EWMA. Between two snapshots Δt apart the counter
// grew by Δbytes, i.e. the signal averaged Δbytes·8/Δt over the interval; the
// average is folded in with the weight that interval has in an exponential
// kernel of time constant τ:
//     r ← r·e^(−Δt/τ) + (Δbytes·8/Δt)·(1 − e^(−Δt/τ))
// So the result does not depend on how often update() is called, a constant
// rate R is followed from 0 as R·(1 − e^(−t/τ)) (error e^(−k) after k·τ), and a
// new VM starts at 0 bit/s. The weight of the last τ is 63%, of the last 3τ 95%.
// Robustness: Δt = 0 changes nothing (the bytes are counted in the next
// interval); a clock that goes backwards re-anchors the baseline without
// touching the rates (the bytes of that interval are not attributed) and is
// counted; a counter that decreases (a VM removed and its id reused under the
// same name) restarts that VM at 0. VMs are keyed by id and name, so an id
// reused by another VM starts fresh; VMs and NICs absent from a snapshot are
// forgotten.
// Complexity: O(V + N) per update, one Map lookup per VM; allocates only for
// VMs or NICs seen for the first time.

import type { StatsSnapshot } from './stats.js';
import { NicteamError } from '../errors.js';

export interface RateTrackerOptions {
  /** EWMA time constant in ns (number or bigint); default 1e9 (1 s). Allowed 1 µs to 1 hour. */
  tauNs?: number | bigint;
}

/** Rates of one VM, bit/s. */
export interface VmRates {
  id: number; name: string;
  /** bytes completed by a NIC, bit/s */
  sentBps: number;
  /** bytes released to a NIC by the scheduler, bit/s */
  releasedBps: number;
  /** bytes taken into the VM's queue (status queued), bit/s */
  acceptedBps: number;
  /** bytes offered by the host: accepted + refused as full, bit/s (a retried packet counts at each offer) */
  offeredBps: number;
  /** how long this VM has been tracked, ns (the EWMA's relative error for a steady rate is e^(−trackedNs/τ)) */
  trackedNs: number;
}

/** Rates of one NIC. */
export interface NicRates {
  index: number; name: string;
  /** bytes completed, bit/s */
  sentBps: number;
  /** bytes handed to the NIC, bit/s */
  releasedBps: number;
  /** sentBps / link speed (0 when the speed is unknown); ratio */
  utilization: number;
  /** how long this NIC has been tracked, ns */
  trackedNs: number;
}

interface VmEntry {
  r: VmRates;  // r.name: the VM's name; a different name under the same id is another VM (the id was reused)
  /** counter baselines, bytes */
  sent: number; released: number; accepted: number; full: number;
  /** snapshot time of the baselines, ns */
  atNs: bigint;
  /** generation of the last update that saw this VM (to forget vanished ones) */
  seen: number;
}

interface NicEntry { r: NicRates; sent: number; released: number; atNs: bigint; speedBps: number; seen: number }

const MIN_TAU_NS = 1_000;
const MAX_TAU_NS = 3_600e9;

export class RateTracker {
  /** EWMA time constant, ns. */
  readonly tauNs: number;
  /** updates ignored because the clock went backwards (count) */
  clockBackwards = 0;
  // keyed by id / index (a number: no key string built per VM per update), the name checked on use
  private readonly vmMap = new Map<number, VmEntry>();
  private readonly nicMap = new Map<number, NicEntry>();
  private gen = 0;
  private lastNs: bigint | null = null;

  constructor(options: RateTrackerOptions = {}) {
    for (const k of Object.keys(options)) if (k !== 'tauNs') throw new NicteamError('UNKNOWN_KEY', `unknown option (allowed: tauNs); unknown: ${k}`, `rates.${k}`);
    const tau = options.tauNs === undefined ? 1e9 : Number(options.tauNs);
    if (!Number.isFinite(tau) || tau < MIN_TAU_NS || tau > MAX_TAU_NS)
      throw new NicteamError('OUT_OF_RANGE', `time constant ${String(options.tauNs)} ns out of range: allowed ${MIN_TAU_NS} to ${MAX_TAU_NS} ns`, 'rates.tauNs');
    this.tauNs = tau;
  }

  /** Time of the last snapshot folded in (ns), or null before the first. */
  get lastUpdateNs(): bigint | null { return this.lastNs; }

  /** Folds in a snapshot taken at nowNs. Call with snapshots in time order (any spacing). */
  update(nowNs: bigint, stats: StatsSnapshot): void {
    if (this.lastNs !== null && nowNs < this.lastNs) this.clockBackwards++;
    this.lastNs = nowNs;
    const g = ++this.gen;
    for (const v of stats.vms) {
      const e = this.vmMap.get(v.id);
      const full = v.fullBytes;
      if (!e || e.r.name !== v.name || v.sentBytes < e.sent || v.releasedBytes < e.released || v.acceptedBytes < e.accepted || full < e.full) {
        this.vmMap.set(v.id, {
          r: { id: v.id, name: v.name, sentBps: 0, releasedBps: 0, acceptedBps: 0, offeredBps: 0, trackedNs: 0 },
          sent: v.sentBytes, released: v.releasedBytes, accepted: v.acceptedBytes, full, atNs: nowNs, seen: g,
        });
        continue;
      }
      e.seen = g;
      const dt = Number(nowNs - e.atNs);
      if (dt === 0) continue;
      if (dt < 0) { // re-anchor: the interval is unknown, keep the rates
        e.sent = v.sentBytes; e.released = v.releasedBytes; e.accepted = v.acceptedBytes; e.full = full; e.atNs = nowNs;
        continue;
      }
      const keep = Math.exp(-dt / this.tauNs), gain = (1 - keep) * 8e9 / dt; // bytes/ns → bit/s
      const r = e.r;
      const dAcc = v.acceptedBytes - e.accepted;
      r.sentBps = r.sentBps * keep + (v.sentBytes - e.sent) * gain;
      r.releasedBps = r.releasedBps * keep + (v.releasedBytes - e.released) * gain;
      r.acceptedBps = r.acceptedBps * keep + dAcc * gain;
      r.offeredBps = r.offeredBps * keep + (dAcc + full - e.full) * gain;
      r.trackedNs += dt;
      e.sent = v.sentBytes; e.released = v.releasedBytes; e.accepted = v.acceptedBytes; e.full = full; e.atNs = nowNs;
    }
    for (const [k, e] of this.vmMap) if (e.seen !== g) this.vmMap.delete(k);

    for (const n of stats.nics) {
      const e = this.nicMap.get(n.index);
      if (!e || e.r.name !== n.name || n.sentBytes < e.sent || n.releasedBytes < e.released) {
        this.nicMap.set(n.index, {
          r: { index: n.index, name: n.name, sentBps: 0, releasedBps: 0, utilization: 0, trackedNs: 0 },
          sent: n.sentBytes, released: n.releasedBytes, atNs: nowNs, speedBps: n.speedBps, seen: g,
        });
        continue;
      }
      e.seen = g; e.speedBps = n.speedBps;
      const dt = Number(nowNs - e.atNs);
      if (dt === 0) continue;
      if (dt < 0) { e.sent = n.sentBytes; e.released = n.releasedBytes; e.atNs = nowNs; continue; }
      const keep = Math.exp(-dt / this.tauNs), gain = (1 - keep) * 8e9 / dt;
      const r = e.r;
      r.sentBps = r.sentBps * keep + (n.sentBytes - e.sent) * gain;
      r.releasedBps = r.releasedBps * keep + (n.releasedBytes - e.released) * gain;
      r.utilization = n.speedBps > 0 ? r.sentBps / n.speedBps : 0;
      r.trackedNs += dt;
      e.sent = n.sentBytes; e.released = n.releasedBytes; e.atNs = nowNs;
    }
    for (const [k, e] of this.nicMap) if (e.seen !== g) this.nicMap.delete(k);
  }

  /** Rates of the VM with this id (and name, when given), or undefined if not tracked. */
  vm(id: number, name?: string): Readonly<VmRates> | undefined {
    const e = this.vmMap.get(id);
    return e && (name === undefined || e.r.name === name) ? e.r : undefined;
  }

  /** Rates of the NIC with this index, or undefined if not tracked. */
  nic(index: number): Readonly<NicRates> | undefined {
    return this.nicMap.get(index)?.r;
  }

  /** Every tracked VM, by id. */
  get vms(): Readonly<VmRates>[] { return [...this.vmMap.values()].map((e) => e.r).sort((a, b) => a.id - b.id); }
  /** Every tracked NIC, by index. */
  get nics(): Readonly<NicRates>[] { return [...this.nicMap.values()].map((e) => e.r).sort((a, b) => a.index - b.index); }

  /** Forgets everything (rates restart at 0). */
  reset(): void { this.vmMap.clear(); this.nicMap.clear(); this.lastNs = null; this.clockBackwards = 0; }
}
