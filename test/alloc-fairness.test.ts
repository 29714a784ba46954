// alloc-fairness.test.ts — DESIGN §2 fairness: two continuously backlogged VMs
// i, j of one priority class whose floors and caps do not bind satisfy
//   |S_i/w_i − S_j/w_j| ≤ L_max/w_i + L_max/w_j
// (S = bytes released, w = shares, L_max = the largest frame either sends).
// This is SCFQ's relative-fairness bound (Golestani 1994), which holds over
// ANY interval in which both are backlogged; the test checks that strong form:
// with D = S_i/w_i − S_j/w_j sampled after every release, max D − min D over
// the whole run (which covers every interval, and |D| from the start) must not
// exceed the bound. No slack is added: the bound is already the packet-level
// one; release order is what the scheduler decides, NIC timing does not enter.
//
// Around the pair: VMs of other classes, limited and reserved VMs, and
// same-class VMs that come and go (on/off), none of which may break the bound
// between i and j.
import { describe, it, expect, afterAll } from 'vitest';
import fc from 'fast-check';
import { createTeam, runLoop, type Source } from './support/loop.js';

const MTU = 1518;
/**
 * The weight the engine actually applies: sched.ts charges F by len·invW with
 * invW = floor(2^40 / shares), i.e. shares' = 2^40 / invW (relative error
 * < shares / 2^40, ≤ 1e-8 at 10000 shares). The bound is checked against
 * these weights; with nominal shares D would drift by that relative error times
 * S / w, which grows without bound over a long run (reported separately).
 */
const effectiveShares = (shares: number) => 2 ** 40 / Math.floor(2 ** 40 / shares);
const seen = { worst: 0, runs: 0, releases: 0 };
afterAll(() => console.log(`[alloc-fairness] ${seen.runs} runs, ${seen.releases} releases of measured pairs; worst (max D − min D) / bound = ${seen.worst.toFixed(5)} (must be ≤ 1)`));

type Policy = 'round-robin' | 'least-load' | 'port-id';
const lengthFn = (lo: number, span: number) => (k: number) => Math.min(MTU, lo + ((k * 7919) % (span + 1)));

async function measure(policy: Policy, speeds: number[], pair: { shares: number; lo: number; span: number }[], others: { cfg: Record<string, number>; windows?: [number, number][] }[], T: number, weights = effectiveShares) {
  const sched = await createTeam({ policy, nicSpeedsBps: speeds });
  const [i, j] = pair.map((p, k) => sched.addVm({ name: `fair${k}`, shares: p.shares, priority: 4 }, 0n)) as [number, number];
  const otherIds = others.map((o, k) => sched.addVm({ name: `other${k}`, ...o.cfg }, 0n));
  const st = sched.stats();
  const nicOf = (id: number) => st.vms.find((v) => v.id === id)!.nic;
  if (policy === 'port-id' && nicOf(i) !== nicOf(j)) return; // not one pool: the bound does not apply
  const sources: Source[] = [
    { vm: i, length: lengthFn(pair[0]!.lo, pair[0]!.span) }, { vm: j, length: lengthFn(pair[1]!.lo, pair[1]!.span) },
    ...otherIds.map((vm, k) => ({ vm, length: () => MTU, ...(others[k]!.windows ? { windows: others[k]!.windows } : {}) })),
  ];
  const res = runLoop({ sched, nicSpeedsBps: speeds, durationNs: T, depth: 96, sources });
  expect(res.dry.slice(0, 2), 'both measured VMs stayed backlogged').toEqual([0, 0]);
  const wi = weights(pair[0]!.shares), wj = weights(pair[1]!.shares);
  // L_max: the largest frame either VM offers (a head packet counts even before it is released)
  const lmax = Math.max(...pair.map((p) => Math.min(MTU, p.lo + p.span)));
  let si = 0, sj = 0, lo = 0, hi = 0, n = 0;
  for (let k = 0; k < res.trace.t.length; k++) {
    const vm = res.trace.vm[k]!, len = res.trace.len[k]!;
    if (vm === i) si += len; else if (vm === j) sj += len; else continue;
    n++;
    const d = si / wi - sj / wj;
    lo = Math.min(lo, d); hi = Math.max(hi, d);
  }
  const bound = lmax / wi + lmax / wj;
  if (weights === effectiveShares) { seen.runs++; seen.releases += n; seen.worst = Math.max(seen.worst, (hi - lo) / bound); }
  expect(hi - lo, `shares ${pair[0]!.shares}/${pair[1]!.shares}: D ranged over [${lo.toFixed(2)}, ${hi.toFixed(2)}], bound ${bound.toFixed(2)}`).toBeLessThanOrEqual(bound * (1 + 1e-12));
}

describe('SCFQ relative fairness between two backlogged VMs of one class', () => {
  it('two VMs alone, shares 1..10000, frames 64..1518, every policy', async () => {
    await fc.assert(fc.asyncProperty(
      fc.constantFrom<Policy>('round-robin', 'least-load', 'port-id'),
      fc.array(fc.constantFrom(1e9, 10e9, 25e9), { minLength: 1, maxLength: 3 }),
      fc.tuple(...[0, 1].map(() => fc.record({ shares: fc.integer({ min: 1, max: 10_000 }), lo: fc.integer({ min: 64, max: MTU }), span: fc.integer({ min: 0, max: 1500 }) }))),
      async (policy, speeds, pair) => { await measure(policy, speeds, pair, [], 1.5e6); }),
    { seed: 0xfa1e, numRuns: 40, endOnFailure: true });
  });

  it('with higher-priority limited VMs, reserved VMs elsewhere and same-class VMs coming and going', async () => {
    const other = fc.oneof(
      fc.record({ limit: fc.integer({ min: 50, max: 4000 }).map((x) => x * 1e6), priority: fc.constant(7), shares: fc.integer({ min: 1, max: 10_000 }) }).map((cfg) => ({ cfg })),
      fc.record({ reservation: fc.integer({ min: 10, max: 1000 }).map((x) => x * 1e6), priority: fc.constantFrom(0, 7), shares: fc.integer({ min: 1, max: 10_000 }) }).map((cfg) => ({ cfg })),
      fc.record({ shares: fc.integer({ min: 1, max: 10_000 }), priority: fc.constant(4), start: fc.integer({ min: 0, max: 1_000_000 }), len: fc.integer({ min: 1000, max: 500_000 }) })
        .map(({ start, len, ...cfg }) => ({ cfg, windows: [[start, start + len]] as [number, number][] })),
    );
    await fc.assert(fc.asyncProperty(
      fc.constantFrom<Policy>('round-robin', 'least-load', 'port-id'),
      fc.array(fc.constantFrom(10e9, 25e9), { minLength: 1, maxLength: 2 }),
      fc.tuple(...[0, 1].map(() => fc.record({ shares: fc.integer({ min: 1, max: 10_000 }), lo: fc.integer({ min: 64, max: MTU }), span: fc.integer({ min: 0, max: 1500 }) }))),
      fc.array(other, { minLength: 1, maxLength: 5 }),
      async (policy, speeds, pair, others) => { await measure(policy, speeds, pair, others, 1.5e6); }),
    { seed: 0xfa1f, numRuns: 40, endOnFailure: true });
  });

  it('holds with the NOMINAL shares of DESIGN §2 over a long run (shares 6721 vs 10000, 10GbE, 20 ms)', async () => {
    // The engine's invW = floor(2^24 / shares) realizes 6721.5 and 10004.3 shares: the ratio is off
    // by 3.5e-4, so D drifts by ~4e-8 per byte released, ~1.1 after 25 MB, against a bound of
    // 1518/6721 + 1518/10000 = 0.378. Fails until the weights are exact enough (e.g. a 2^40 numerator).
    await measure('port-id', [10e9], [{ shares: 6721, lo: MTU, span: 0 }, { shares: 10_000, lo: MTU, span: 0 }], [], 20e6, (w) => w);
  });
});
