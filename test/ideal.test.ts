// ideal.test.ts — the ideal allocation (src/alloc/ideal.ts) against DESIGN §2:
// hand-computed examples for each rule, then properties over random inputs
// (Σ ≤ C, work conservation, monotone in shares, floors and caps respected,
// strict priority, weighted max-min fairness, agreement with a bisection).
// Rates are in Gbit/s in the examples for readability (the function is unit-free).
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { idealAllocation, type IdealVm } from '../src/alloc/ideal.js';

const G = 1e9;
const vm = (o: Partial<IdealVm>): IdealVm => ({ demandBps: Infinity, shares: 100, reservationBps: 0, limitBps: 0, priority: 4, ...o });
const rates = (c: number, vms: IdealVm[]) => idealAllocation(c, vms).ratesBps.map((r) => r / G);
const close = (got: number[], want: number[]) => {
  expect(got.length).toBe(want.length);
  got.forEach((g, i) => expect(g, `rate[${i}]`).toBeCloseTo(want[i]!, 9));
};

describe('hand-computed examples', () => {
  it('shares divide the capacity in proportion', () => {
    close(rates(10 * G, [vm({ shares: 1 }), vm({ shares: 2 }), vm({ shares: 2 })]), [2, 4, 4]);
  });

  it('caps bind: a limit or a small demand is a ceiling and the rest is shared', () => {
    close(rates(10 * G, [vm({ shares: 1, limitBps: 1 * G }), vm({ shares: 1 })]), [1, 9]);
    close(rates(10 * G, [vm({ shares: 1, demandBps: 2 * G }), vm({ shares: 1 })]), [2, 8]);
    // the smaller of limit and demand is the cap
    close(rates(10 * G, [vm({ limitBps: 3 * G, demandBps: 2 * G }), vm({ limitBps: 1 * G })]), [2, 1]);
  });

  it('floors bind: a reservation above the fair share is granted, shares divide the rest', () => {
    // t: B = 300t, A = max(6, 100t), Σ = 10 → A at its floor, B = 4
    close(rates(10 * G, [vm({ shares: 100, reservationBps: 6 * G }), vm({ shares: 300 })]), [6, 4]);
    // a reservation below the fair share changes nothing (it is a floor, not an addition)
    close(rates(10 * G, [vm({ shares: 1, reservationBps: 1 * G }), vm({ shares: 1 })]), [5, 5]);
    // floor above the cap: the cap wins (floor_i = min(reservation, cap))
    close(rates(10 * G, [vm({ reservationBps: 4 * G, demandBps: 1 * G }), vm({})]), [1, 9]);
  });

  it('floors and caps together in one class (water-filling)', () => {
    // A = min(2, t), B = max(5, t), C = 2t; Σ = 12 at t = 2.5 → 2, 5, 5
    close(rates(12 * G, [vm({ shares: 1, limitBps: 2 * G }), vm({ shares: 1, reservationBps: 5 * G }), vm({ shares: 2 })]), [2, 5, 5]);
  });

  it('priorities: higher classes first, lower classes keep their floors', () => {
    close(rates(10 * G, [vm({ priority: 7, limitBps: 3 * G }), vm({ priority: 4 })]), [3, 7]);
    close(rates(10 * G, [vm({ priority: 7 }), vm({ priority: 4, shares: 10_000 })]), [10, 0]);
    // the low class's reservation is honoured before the high class's shares
    close(rates(10 * G, [vm({ priority: 7 }), vm({ priority: 0, reservationBps: 2 * G })]), [8, 2]);
    // three classes: 7 capped at 3, 4 capped at 5, 0 gets what is left
    close(rates(10 * G, [vm({ priority: 0 }), vm({ priority: 4, limitBps: 5 * G }), vm({ priority: 7, limitBps: 3 * G })]), [2, 5, 3]);
  });

  it('infeasible reservations: floors by priority, the class where capacity runs out is scaled', () => {
    // floors 4 + 2 (prio 7) + 8 (prio 0) = 14 > 10: prio 7 gets 6, prio 0 gets 4 of its 8 (× 0.5)
    const r = idealAllocation(10 * G, [vm({ priority: 7, reservationBps: 4 * G }), vm({ priority: 7, reservationBps: 2 * G }),
      vm({ priority: 0, reservationBps: 8 * G })]);
    expect(r.feasible).toBe(false);
    close(r.ratesBps.map((x) => x / G), [4, 2, 4]);
    // the top class itself does not fit: scaled by 10/12; lower classes get nothing
    const s = idealAllocation(10 * G, [vm({ priority: 7, reservationBps: 8 * G }), vm({ priority: 7, reservationBps: 4 * G }),
      vm({ priority: 4, reservationBps: 1 * G }), vm({ priority: 4 })]);
    expect(s.feasible).toBe(false);
    close(s.ratesBps.map((x) => x / G), [8 * 10 / 12, 4 * 10 / 12, 0, 0]);
  });

  it('exactly fitting reservations are feasible and leave nothing to share', () => {
    const r = idealAllocation(10 * G, [vm({ reservationBps: 6 * G, priority: 0 }), vm({ reservationBps: 4 * G }), vm({ priority: 7 })]);
    expect(r.feasible).toBe(true);
    close(r.ratesBps.map((x) => x / G), [6, 4, 0]);
  });

  it('zero demand gets nothing, even with a reservation', () => {
    const r = idealAllocation(10 * G, [vm({ demandBps: 0, reservationBps: 5 * G }), vm({ shares: 1 }), vm({ shares: 4 })]);
    expect(r.feasible).toBe(true);
    close(r.ratesBps.map((x) => x / G), [0, 2, 8]);
    close(rates(10 * G, []), []);
    close(rates(0, [vm({}), vm({ reservationBps: 0 })]), [0, 0]);
  });

  it('total demand below capacity: everyone gets its cap', () => {
    close(rates(10 * G, [vm({ demandBps: 1 * G }), vm({ limitBps: 2 * G, priority: 0 }), vm({ demandBps: 3 * G, priority: 7 })]), [1, 2, 3]);
  });

  it('rejects nonsense inputs with a RangeError naming the field', () => {
    expect(() => idealAllocation(-1, [])).toThrow(RangeError);
    expect(() => idealAllocation(1, [vm({ shares: 0 })])).toThrow(/shares/);
    expect(() => idealAllocation(1, [vm({ reservationBps: NaN })])).toThrow(/reservationBps/);
  });
});

// ------------------------------------------------------------------ properties

const rate = fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 40 }).map((x) => x * 0.5 * G));
const arbVm: fc.Arbitrary<IdealVm> = fc.record({
  demandBps: fc.oneof(fc.constant(Infinity), fc.constant(0), fc.integer({ min: 1, max: 40 }).map((x) => x * 0.5 * G)),
  shares: fc.integer({ min: 1, max: 10_000 }),
  reservationBps: rate,
  limitBps: rate,
  priority: fc.integer({ min: 0, max: 7 }),
});
const arbCase = fc.record({ capacity: fc.integer({ min: 1, max: 100 }).map((x) => x * G), vms: fc.array(arbVm, { minLength: 1, maxLength: 12 }) });
const EPS = 1e-9; // relative float slack; the algorithm itself is exact
const capOf = (v: IdealVm) => Math.min(v.limitBps > 0 ? v.limitBps : Infinity, v.demandBps);
const floorOf = (v: IdealVm) => Math.min(v.reservationBps, capOf(v));
const sum = (xs: number[]) => xs.reduce((s, x) => s + x, 0);
const params = { seed: 20_240_601, numRuns: 2000 };

describe('properties', () => {
  it('Σ rates ≤ C; caps always respected; floors respected when feasible', () => {
    fc.assert(fc.property(arbCase, ({ capacity, vms }) => {
      const r = idealAllocation(capacity, vms);
      expect(sum(r.ratesBps)).toBeLessThanOrEqual(capacity * (1 + EPS));
      expect(r.feasible).toBe(sum(vms.map(floorOf)) <= capacity);
      vms.forEach((v, i) => {
        expect(r.ratesBps[i]!).toBeGreaterThanOrEqual(0);
        expect(r.ratesBps[i]!).toBeLessThanOrEqual(capOf(v) * (1 + EPS));
        if (r.feasible) expect(r.ratesBps[i]!).toBeGreaterThanOrEqual(floorOf(v) * (1 - EPS));
        else expect(r.ratesBps[i]!).toBeLessThanOrEqual(floorOf(v) * (1 + EPS));
      });
    }), params);
  });

  it('work conserving: Σ rates = min(C, Σ caps)', () => {
    fc.assert(fc.property(arbCase, ({ capacity, vms }) => {
      const r = idealAllocation(capacity, vms);
      const want = r.feasible ? Math.min(capacity, sum(vms.map(capOf))) : capacity;
      expect(Math.abs(sum(r.ratesBps) - want)).toBeLessThanOrEqual(capacity * EPS);
    }), params);
  });

  it('work conserving when demand ≥ C: continuously backlogged VMs without limits use all of C', () => {
    fc.assert(fc.property(arbCase, ({ capacity, vms }) => {
      const backlogged = vms.map((v, i) => (i === 0 ? { ...v, demandBps: Infinity, limitBps: 0 } : v));
      expect(Math.abs(sum(idealAllocation(capacity, backlogged).ratesBps) - capacity)).toBeLessThanOrEqual(capacity * EPS);
    }), params);
  });

  it('monotone in shares: more shares never lowers a VM\'s rate', () => {
    fc.assert(fc.property(arbCase, fc.nat(), fc.integer({ min: 1, max: 10_000 }), ({ capacity, vms }, pick, extra) => {
      const i = pick % vms.length;
      const before = idealAllocation(capacity, vms).ratesBps[i]!;
      const more = vms.map((v, j) => (j === i ? { ...v, shares: v.shares + extra } : v));
      expect(idealAllocation(capacity, more).ratesBps[i]!).toBeGreaterThanOrEqual(before * (1 - EPS) - capacity * EPS);
    }), params);
  });

  it('strict priority: a VM below its cap means every lower class sits at its floors', () => {
    fc.assert(fc.property(arbCase, ({ capacity, vms }) => {
      const r = idealAllocation(capacity, vms);
      if (!r.feasible) return;
      vms.forEach((v, i) => {
        if (r.ratesBps[i]! >= capOf(v) - capacity * EPS) return;
        vms.forEach((u, j) => {
          if (u.priority < v.priority) expect(Math.abs(r.ratesBps[j]! - floorOf(u))).toBeLessThanOrEqual(capacity * EPS);
        });
      });
    }), params);
  });

  it('weighted max-min within a class: if a_i/w_i < a_j/w_j then i is capped or j is at its floor', () => {
    fc.assert(fc.property(arbCase, ({ capacity, vms }) => {
      const r = idealAllocation(capacity, vms);
      if (!r.feasible) return;
      const tol = capacity * 1e-7;
      vms.forEach((v, i) => vms.forEach((u, j) => {
        if (v.priority !== u.priority) return;
        const a = r.ratesBps[i]!, b = r.ratesBps[j]!;
        if (a / v.shares < b / u.shares - tol / Math.min(v.shares, u.shares)) {
          expect(a >= capOf(v) - tol || b <= floorOf(u) + tol, `vm ${i} vs ${j}`).toBe(true);
        }
      }));
    }), params);
  });

  it('agrees with a bisection on the water level, class by class', () => {
    fc.assert(fc.property(arbCase, ({ capacity, vms }) => {
      const r = idealAllocation(capacity, vms);
      if (!r.feasible) return;
      const want = bisectionAllocation(capacity, vms);
      vms.forEach((_, i) => expect(Math.abs(r.ratesBps[i]! - want[i]!)).toBeLessThanOrEqual(capacity * 1e-9));
    }), { ...params, numRuns: 500 });
  });

  it('invariant under input order and under scaling all rates', () => {
    fc.assert(fc.property(arbCase, fc.integer({ min: 1, max: 1000 }), ({ capacity, vms }, k) => {
      const r = idealAllocation(capacity, vms).ratesBps;
      const rev = idealAllocation(capacity, [...vms].reverse()).ratesBps.reverse();
      rev.forEach((x, i) => expect(Math.abs(x - r[i]!)).toBeLessThanOrEqual(capacity * EPS));
      const scaled = idealAllocation(capacity * k, vms.map((v) => ({ ...v, demandBps: v.demandBps * k, reservationBps: v.reservationBps * k, limitBps: v.limitBps * k })));
      scaled.ratesBps.forEach((x, i) => expect(Math.abs(x / k - r[i]!)).toBeLessThanOrEqual(capacity * 1e-9));
    }), { ...params, numRuns: 500 });
  });
});

/** An independent, slow reading of rule 2: the level t found by bisection on Σ clamp(w·t). */
function bisectionAllocation(capacity: number, vms: IdealVm[]): number[] {
  const out = new Array<number>(vms.length).fill(0);
  const prios = [...new Set(vms.map((v) => v.priority))].sort((a, b) => b - a);
  let used = 0;
  for (const p of prios) {
    const idx = vms.map((v, i) => (v.priority === p ? i : -1)).filter((i) => i >= 0);
    const lower = sum(vms.filter((v) => v.priority < p).map(floorOf));
    const avail = Math.max(0, capacity - used - lower);
    const at = (t: number) => idx.map((i) => Math.min(Math.max(vms[i]!.shares * t, floorOf(vms[i]!)), capOf(vms[i]!)));
    let lo = 0, hi = 1;
    while (sum(at(hi)) <= avail && hi < 1e30) hi *= 2;
    for (let k = 0; k < 200; k++) { const mid = (lo + hi) / 2; if (sum(at(mid)) <= avail) lo = mid; else hi = mid; }
    at(lo).forEach((a, k) => { out[idx[k]!] = a; used += a; });
  }
  return out;
}
