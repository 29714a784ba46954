// fairness.ts — how fairly the backlogged VMs are served, and whether reservations hold.
//
// Owns two summary numbers for dashboards, metrics and tests:
//  - Jain's fairness index (Jain, Chiu, Hawe, DEC-TR-301, 1984) over the VMs
//    that are backlogged: J = (Σx)² / (n·Σx²), 1/n ≤ J ≤ 1, 1 when every x_i is
//    equal. x_i is the VM's achieved rate normalised by what it should get:
//      - by its shares (x_i = rate_i / shares_i) by default: J = 1 exactly when
//        rates are proportional to shares, which is the allocation when no
//        reservation, limit or priority binds;
//      - by its ideal allocation (x_i = rate_i / ideal_i, DESIGN §2, e.g. from
//        src/alloc/ideal.ts) when every VM carries `idealBps`: J = 1 exactly
//        when each VM gets the same fraction of its ideal. VMs whose ideal is 0
//        are left out (nothing to be fair about).
//  - reservation conformance: the fraction (0..1) of backlogged VMs with a
//    reservation whose achieved rate is at least reservation − tolerance, the
//    rate being averaged over the caller's window (RateTracker: the EWMA's τ).
// Units: rates bit/s, shares dimensionless, results ratios. Complexity: O(n).
// Both return null when no VM qualifies (undefined, not "perfect").

export interface FairnessVm {
  /** achieved rate over the window, bit/s (e.g. RateTracker sentBps) */
  rateBps: number;
  /** DESIGN §2 shares, 1..10000 */
  shares: number;
  /** whether the VM had packets waiting throughout the window (only those are compared) */
  backlogged: boolean;
  /** the VM's ideal allocation, bit/s; when every backlogged VM has one, x_i = rate/ideal */
  idealBps?: number | undefined;
}

/** Jain's index of arbitrary non-negative values; null for an empty list, 1 when all are 0. */
export function jainIndex(values: readonly number[]): number | null {
  const n = values.length;
  if (n === 0) return null;
  // scaled by the largest value first, so tiny or huge rates neither underflow nor overflow
  let max = 0;
  for (const v0 of values) if (v0 > max) max = v0;
  if (!(max > 0)) return 1;
  let sum = 0, sq = 0;
  for (const v0 of values) {
    const v = v0 > 0 ? v0 / max : 0; // a rate cannot be negative; NaN counts as 0
    sum += v; sq += v * v;
  }
  return Math.min(1, (sum * sum) / (n * sq));
}

/**
 * Jain's index over the backlogged VMs, normalised by ideal allocation when
 * every backlogged VM has `idealBps`, else by shares. Null when none is backlogged.
 */
export function fairnessIndex(vms: readonly FairnessVm[]): number | null {
  const b = vms.filter((v) => v.backlogged);
  const byIdeal = b.length > 0 && b.every((v) => v.idealBps !== undefined);
  const x: number[] = [];
  for (const v of b) {
    if (byIdeal) { if (v.idealBps! > 0) x.push(v.rateBps / v.idealBps!); }
    else if (v.shares > 0) x.push(v.rateBps / v.shares);
  }
  return jainIndex(x);
}

export interface ReservationVm {
  /** achieved rate over the window, bit/s */
  rateBps: number;
  /** reservation, bit/s (0 = none: not counted) */
  reservationBps: number;
  backlogged: boolean;
}

export interface ConformanceOptions {
  /** allowed shortfall as a fraction of the reservation; default 0.01 */
  toleranceFraction?: number;
  /** allowed shortfall in bit/s, added to the fraction; default 0 */
  toleranceBps?: number;
}

/**
 * Fraction (0..1) of backlogged VMs with a reservation whose rate ≥
 * reservation·(1 − toleranceFraction) − toleranceBps. Null when no backlogged
 * VM has a reservation.
 */
export function reservationConformance(vms: readonly ReservationVm[], options: ConformanceOptions = {}): number | null {
  const frac = options.toleranceFraction ?? 0.01, abs = options.toleranceBps ?? 0;
  if (!(frac >= 0 && frac < 1)) throw new RangeError(`toleranceFraction ${frac} out of range: allowed 0 to below 1`);
  if (!(abs >= 0) || abs === Infinity) throw new RangeError(`toleranceBps ${abs} out of range: allowed a finite number ≥ 0`);
  let n = 0, ok = 0;
  for (const v of vms) {
    if (!v.backlogged || !(v.reservationBps > 0)) continue;
    n++;
    if (v.rateBps >= v.reservationBps * (1 - frac) - abs) ok++;
  }
  return n === 0 ? null : ok / n;
}
