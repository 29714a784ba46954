// rebalance.ts — the `load-based` policy's host-side half: move a VM off a NIC
// whose utilization stays above a threshold for a window.
//
// Like vSphere's "route based on physical NIC load": every `intervalMs` of
// engine clock the NICs' utilization over the last interval is measured from
// their sent-byte counters (bits sent / (speed × interval)). A NIC above
// `thresholdPercent` continuously for `windowMs` gives up one VM: the
// load-based VM with the highest sent rate in the interval that is not in its
// cooldown, moved to the least-utilized up NIC if that NIC stays below the
// threshold after taking the VM's rate. A moved VM stays put for `cooldownMs`
// (so nothing flaps), and the hot NIC's window restarts. Deterministic: it
// reads only counters and the clock it is given. Cost: O(VMs + NICs) per interval.

import type { StatsSnapshot } from './stats.js';

export interface LoadBasedOptions { thresholdPercent: number; windowMs: number; cooldownMs: number; intervalMs: number }
export const LOAD_BASED_DEFAULTS: LoadBasedOptions = { thresholdPercent: 75, windowMs: 30_000, cooldownMs: 60_000, intervalMs: 1_000 };

export interface RebalanceMove {
  vm: number; from: number; to: number;
  /** utilization (0..1) of the two NICs over the last interval, and the VM's rate (bit/s) */
  fromUtilization: number; toUtilization: number; vmRateBps: number;
}

export class LoadBalancer {
  private lastT: bigint | null = null;
  private lastNicBytes = new Map<number, number>();
  private lastVmBytes = new Map<number, number>();
  private hotSince = new Map<number, bigint>();
  private cooldownUntil = new Map<number, bigint>();
  readonly intervalNs: bigint;

  constructor(readonly opts: LoadBasedOptions) { this.intervalNs = BigInt(opts.intervalMs) * 1_000_000n; }

  /** When the next evaluation is due (ns), for the scheduler's nextWakeNs. */
  nextDue(): bigint | null { return this.lastT === null ? null : this.lastT + this.intervalNs; }

  /**
   * Evaluates at `t` if an interval has passed; `isLoadBased(vm)` tells which
   * VMs may move. Returns the moves to make (at most one per hot NIC).
   */
  evaluate(t: bigint, s: StatsSnapshot, isLoadBased: (vm: number) => boolean): RebalanceMove[] {
    if (this.lastT === null) { this.remember(t, s); return []; }
    if (t - this.lastT < this.intervalNs) return [];
    const dtS = Number(t - this.lastT) / 1e9;
    const util = new Map<number, number>();
    for (const n of s.nics) {
      const bytes = n.sentBytes - (this.lastNicBytes.get(n.index) ?? n.sentBytes);
      util.set(n.index, n.up ? (bytes * 8) / (n.speedBps * dtS) : 0);
    }
    const vmRate = new Map<number, number>();
    for (const v of s.vms) vmRate.set(v.id, ((v.sentBytes - (this.lastVmBytes.get(v.id) ?? v.sentBytes)) * 8) / dtS);
    const threshold = this.opts.thresholdPercent / 100;
    const windowNs = BigInt(this.opts.windowMs) * 1_000_000n;
    const moves: RebalanceMove[] = [];
    for (const n of s.nics) {
      const u = util.get(n.index)!;
      if (!n.up || u <= threshold) { this.hotSince.delete(n.index); continue; }
      const since = this.hotSince.get(n.index) ?? this.lastT;
      this.hotSince.set(n.index, since);
      if (t - since < windowNs) continue;
      // candidate VMs on this NIC, busiest first (ties: lower id)
      const cands = s.vms.filter((v) => v.nic === n.index && isLoadBased(v.id) && (this.cooldownUntil.get(v.id) ?? -1n) <= t)
        .sort((a, b) => vmRate.get(b.id)! - vmRate.get(a.id)! || a.id - b.id);
      let target: { index: number; speedBps: number } | undefined;
      let best = Infinity;
      for (const m of s.nics) if (m.up && m.index !== n.index && util.get(m.index)! < best) { best = util.get(m.index)!; target = m; }
      if (!target) continue;
      const vm = cands.find((v) => best + vmRate.get(v.id)! / target!.speedBps <= threshold);
      if (!vm) continue;
      moves.push({ vm: vm.id, from: n.index, to: target.index, fromUtilization: u, toUtilization: best, vmRateBps: vmRate.get(vm.id)! });
      this.cooldownUntil.set(vm.id, t + BigInt(this.opts.cooldownMs) * 1_000_000n);
      this.hotSince.set(n.index, t);
      util.set(target.index, best + vmRate.get(vm.id)! / target.speedBps);
    }
    this.remember(t, s);
    return moves;
  }

  private remember(t: bigint, s: StatsSnapshot): void {
    this.lastT = t;
    this.lastNicBytes = new Map(s.nics.map((n) => [n.index, n.sentBytes]));
    this.lastVmBytes = new Map(s.vms.map((v) => [v.id, v.sentBytes]));
  }
}
