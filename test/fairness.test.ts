// fairness.test.ts — Jain's index over backlogged VMs (by shares or by ideal
// allocation) and reservation conformance, against hand-computed values.
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { jainIndex, fairnessIndex, reservationConformance } from '../src/api/fairness.js';

describe('Jain fairness index', () => {
  it('is 1 for rates proportional to shares', () => {
    expect(fairnessIndex([
      { rateBps: 1e9, shares: 100, backlogged: true },
      { rateBps: 2e9, shares: 200, backlogged: true },
      { rateBps: 5e8, shares: 50, backlogged: true },
    ])).toBeCloseTo(1, 12);
  });

  it('is 1/n when one VM takes everything', () => {
    for (const n of [2, 3, 10]) {
      const vms = Array.from({ length: n }, (_, i) => ({ rateBps: i === 0 ? 1e9 : 0, shares: 100, backlogged: true }));
      expect(fairnessIndex(vms)).toBeCloseTo(1 / n, 12);
    }
  });

  it('matches hand-computed cases', () => {
    // x = 1, 2, 3: (6)² / (3·14) = 36/42
    expect(jainIndex([1, 2, 3])).toBeCloseTo(36 / 42, 12);
    // equal shares 3:1 split of rates: x = 3, 1 → 16 / (2·10) = 0.8
    expect(fairnessIndex([{ rateBps: 3e6, shares: 100, backlogged: true }, { rateBps: 1e6, shares: 100, backlogged: true }])).toBeCloseTo(0.8, 12);
    // shares 300:100 with equal rates: x = 1/300, 1/100 → (4/300)² / (2·(1+9)/300²) = 16/20
    expect(fairnessIndex([{ rateBps: 1e6, shares: 300, backlogged: true }, { rateBps: 1e6, shares: 100, backlogged: true }])).toBeCloseTo(0.8, 12);
  });

  it('ignores VMs that are not backlogged, and is null when none is', () => {
    expect(fairnessIndex([{ rateBps: 1e9, shares: 100, backlogged: true }, { rateBps: 0, shares: 100, backlogged: false }])).toBe(1);
    expect(fairnessIndex([{ rateBps: 1e9, shares: 100, backlogged: false }])).toBeNull();
    expect(jainIndex([])).toBeNull();
    expect(jainIndex([0, 0])).toBe(1);
  });

  it('normalises by the ideal allocation when every backlogged VM carries one', () => {
    // a limited VM at its 1 Gbit/s ideal and an unlimited one at its 9 Gbit/s ideal: perfectly fair
    const vms = [
      { rateBps: 1e9, shares: 100, backlogged: true, idealBps: 1e9 },
      { rateBps: 9e9, shares: 100, backlogged: true, idealBps: 9e9 },
    ];
    expect(fairnessIndex(vms)).toBeCloseTo(1, 12);
    // by shares the same rates look unfair: x = 1, 9 → 100 / (2·82)
    expect(fairnessIndex(vms.map(({ idealBps: _i, ...v }) => v))).toBeCloseTo(100 / 164, 12);
    // half of the ideal for one: x = 0.5, 1 → 2.25 / (2·1.25) = 0.9
    expect(fairnessIndex([{ ...vms[0]!, rateBps: 5e8 }, vms[1]!])).toBeCloseTo(0.9, 12);
  });

  it('always lies in [1/n, 1] and is scale-invariant', () => {
    fc.assert(fc.property(fc.array(fc.double({ min: 0, max: 1e12, noNaN: true }), { minLength: 1, maxLength: 50 }), fc.double({ min: 1e-3, max: 1e3, noNaN: true }), (xs, k) => {
      const j = jainIndex(xs)!;
      expect(j).toBeLessThanOrEqual(1);
      expect(j).toBeGreaterThanOrEqual(1 / xs.length - 1e-12);
      expect(jainIndex(xs.map((x) => x * k))!).toBeCloseTo(j, 9);
    }));
  });
});

describe('reservation conformance', () => {
  it('is the fraction of backlogged reserved VMs at or above reservation − tolerance', () => {
    const vms = [
      { rateBps: 1e9, reservationBps: 1e9, backlogged: true },      // meets
      { rateBps: 0.995e9, reservationBps: 1e9, backlogged: true },  // within 1%
      { rateBps: 0.98e9, reservationBps: 1e9, backlogged: true },   // short
      { rateBps: 0, reservationBps: 1e9, backlogged: false },       // idle: not counted
      { rateBps: 0, reservationBps: 0, backlogged: true },          // no reservation: not counted
    ];
    expect(reservationConformance(vms)).toBeCloseTo(2 / 3, 12);
    expect(reservationConformance(vms, { toleranceFraction: 0 })).toBeCloseTo(1 / 3, 12);
    expect(reservationConformance(vms, { toleranceFraction: 0, toleranceBps: 2e7 })).toBeCloseTo(1, 12);
    expect(reservationConformance([{ rateBps: 0, reservationBps: 0, backlogged: true }])).toBeNull();
    expect(() => reservationConformance(vms, { toleranceFraction: 1 })).toThrow(/toleranceFraction/);
  });
});
