// alloc-limit.test.ts — DESIGN §2 limit conformance: over every interval
// [t1, t2] of a VM's release trace, bytes released ≤ burst + limit·(t2 − t1);
// and the same for `peak` with its small bucket (peakBurst, 1 MTU by default).
//
// The maximum over all O(n²) intervals is computed in O(n) by replaying the
// trace through the token bucket it must conform to (Lindley's recursion):
//   D_k = len_k + max(0, D_{k−1} − ρ·(t_k − t_{k−1}))
// is the largest "bytes − ρ·(t_k − t_1)" over intervals ending at packet k, so
// the trace conforms iff max_k D_k ≤ burst. A brute-force O(n²) scan checks
// this replay on short random traces first.
//
// Tolerance, from the engine's fixed point (assembly/shaper.ts), not fitted:
// the shaper stores ns-per-byte as inv = floor(8e9·2^20 / rate) in Q20, so its
// true rate is ρ_eff = 8e9·2^20 / inv ≥ rate (relative excess < 1/inv, i.e.
// ≤ 1.2e-4 at 1 Tbit/s, ~1e-6 at 10 Gbit/s), and its eligibility time is
// floored to whole ns (at most 1 ns early: ρ_eff·1 ns bytes). Its bucket depth
// is floored too, which only makes it stricter. So the check is
//   bytes ≤ burst + ρ_eff·(t2 − t1 + 1 ns).
import { describe, it, expect, afterAll } from 'vitest';
import fc from 'fast-check';
import { createTeam, runLoop, releasesOf } from './support/loop.js';

const MTU = 1518;

/** Largest bytes − ρ·(t2 − t1) over all closed intervals of the trace (ρ in bytes/ns). */
export function maxExcess(t: number[], len: number[], rho: number): number {
  let d = 0, worst = 0;
  for (let k = 0; k < t.length; k++) {
    d = len[k]! + (k === 0 ? 0 : Math.max(0, d - rho * (t[k]! - t[k - 1]!)));
    worst = Math.max(worst, d);
  }
  return worst;
}

function bruteMaxExcess(t: number[], len: number[], rho: number): number {
  let worst = 0;
  for (let i = 0; i < t.length; i++) {
    let bytes = 0;
    for (let j = i; j < t.length; j++) { bytes += len[j]!; worst = Math.max(worst, bytes - rho * (t[j]! - t[i]!)); }
  }
  return worst;
}

/** The shaper's effective rate in bytes/ns for a configured rate in bit/s (see header). */
const effectiveRate = (bps: number) => 2 ** 20 / Number((8_000_000_000n << 20n) / BigInt(bps)); // = (8e9·2^20 / inv) bit/s ÷ 8e9

describe('the conformance check itself', () => {
  it('the token-bucket replay equals the O(n²) maximum over all intervals', () => {
    fc.assert(fc.property(
      fc.array(fc.tuple(fc.integer({ min: 0, max: 5000 }), fc.integer({ min: 64, max: 1518 })), { minLength: 1, maxLength: 60 }),
      fc.double({ min: 0.01, max: 5, noNaN: true }),
      (pkts, rho) => {
        let now = 0;
        const t = pkts.map(([dt]) => (now += dt)), len = pkts.map(([, l]) => l);
        expect(maxExcess(t, len, rho)).toBeCloseTo(bruteMaxExcess(t, len, rho), 6);
      }), { seed: 7, numRuns: 300 });
  });
});

interface Shaped { limit?: number; burst?: number; peak?: number; peakBurst?: number; shares: number; priority: number; lenLo: number; lenSpan: number; onOff: boolean }
const arbShaped: fc.Arbitrary<Shaped> = fc.record({
  limitG: fc.oneof(fc.constant(0), fc.double({ min: 0.01, max: 8, noNaN: true })),
  burstMtus: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 40 })),
  peakOver: fc.oneof(fc.constant(0), fc.double({ min: 1, max: 4, noNaN: true })),
  peakBurstMtus: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 4 })),
  shares: fc.integer({ min: 1, max: 10_000 }),
  priority: fc.constantFrom(0, 4, 7),
  lenLo: fc.integer({ min: 64, max: MTU }),
  lenSpan: fc.integer({ min: 0, max: 1500 }),
  onOff: fc.boolean(),
}).map((v) => {
  const limit = v.limitG ? Math.round(v.limitG * 1e9) : undefined;
  const peak = v.peakOver ? Math.round((limit ?? 2e9) * v.peakOver) : undefined;
  return {
    shares: v.shares, priority: v.priority, lenLo: v.lenLo, lenSpan: v.lenSpan, onOff: v.onOff,
    ...(limit ? { limit } : {}), ...(limit && v.burstMtus ? { burst: v.burstMtus * MTU } : {}),
    ...(peak ? { peak } : {}), ...(peak && v.peakBurstMtus ? { peakBurst: v.peakBurstMtus * MTU } : {}),
  };
});

const worst = { limit: -Infinity, peak: -Infinity, shapedVms: 0, packets: 0 };
afterAll(() => console.log(`[alloc-limit] ${worst.shapedVms} shaped VMs, ${worst.packets} releases; worst (max over intervals of bytes − ρ·T) − burst: limit ${worst.limit.toFixed(3)} B, peak ${worst.peak.toFixed(3)} B (allowed: ρ_eff·1 ns, ≤ 125 B at 1 Tbit/s)`));

describe('limit and peak conformance over every interval of the release trace', () => {
  for (const policy of ['round-robin', 'least-load', 'port-id'] as const) {
    it(`${policy}: shaped VMs with greedy and on/off sources among competitors`, async () => {
      await fc.assert(fc.asyncProperty(
        fc.array(arbShaped, { minLength: 1, maxLength: 6 }),
        fc.array(fc.constantFrom(1e9, 10e9, 25e9), { minLength: 1, maxLength: 3 }),
        async (vms, speeds) => {
          const sched = await createTeam({ policy, nicSpeedsBps: speeds });
          const T = 4e6; // 4 ms: ≥ 1000 packets per shaped VM at its limit for most draws; bursts refill in on/off gaps
          const ids = vms.map((v, i) => sched.addVm({ name: `vm${i}`, shares: v.shares, priority: v.priority,
            ...(v.limit ? { limit: v.limit } : {}), ...(v.burst ? { burst: v.burst } : {}), ...(v.peak ? { peak: v.peak } : {}), ...(v.peakBurst ? { peakBurst: v.peakBurst } : {}) }, 0n));
          // plus an unshaped competitor so the team stays busy
          const rival = sched.addVm({ name: 'rival', shares: 100 }, 0n);
          const res = runLoop({
            sched, nicSpeedsBps: speeds, durationNs: T, depth: 64,
            sources: [
              ...ids.map((vm, i) => ({
                vm, length: (k: number) => Math.min(MTU, vms[i]!.lenLo + ((k * 7919) % (vms[i]!.lenSpan + 1))),
                // on/off: idle gaps let the buckets refill, so the burst itself is exercised repeatedly
                ...(vms[i]!.onOff ? { windows: [[0, 0.7e6], [1.5e6, 2e6], [3e6, 3.2e6], [3.6e6, T]] as [number, number][] } : {}),
              })),
              { vm: rival, length: () => MTU },
            ],
          });
          ids.forEach((vm) => {
            const cfg = sched.vmConfig(vm);
            const r = releasesOf(res.trace, vm);
            worst.packets += r.t.length;
            if (cfg.limitBps) {
              worst.shapedVms++;
              const rho = effectiveRate(cfg.limitBps);
              const allowed = cfg.burstBytes + rho * 1;
              const got = maxExcess(r.t, r.len, rho);
              worst.limit = Math.max(worst.limit, got - cfg.burstBytes);
              expect(got, `limit ${cfg.limitBps} bit/s, burst ${cfg.burstBytes} B`).toBeLessThanOrEqual(allowed);
            }
            if (cfg.peakBps) {
              const rho = effectiveRate(cfg.peakBps);
              const allowed = cfg.peakBurstBytes + rho * 1;
              const got = maxExcess(r.t, r.len, rho);
              worst.peak = Math.max(worst.peak, got - cfg.peakBurstBytes);
              expect(got, `peak ${cfg.peakBps} bit/s, peakBurst ${cfg.peakBurstBytes} B`).toBeLessThanOrEqual(allowed);
            }
          });
        }), { seed: 0x11_4175, numRuns: 40, endOnFailure: true });
    });
  }

  it('a limited VM alone on an idle 10GbE link gets exactly burst + limit·T, not more', async () => {
    // the tightest case: nothing else competes, so only the shaper holds the VM back
    const sched = await createTeam({ policy: 'port-id', nicSpeedsBps: [10e9] });
    const vm = sched.addVm({ name: 'capped', limit: 1e9, burst: 10 * MTU, peak: 5e9 }, 0n);
    const res = runLoop({ sched, nicSpeedsBps: [10e9], durationNs: 5e6, depth: 64, sources: [{ vm, length: () => MTU }] });
    const r = releasesOf(res.trace, vm);
    const rho = effectiveRate(1e9);
    const excess = maxExcess(r.t, r.len, rho);
    expect(excess).toBeLessThanOrEqual(10 * MTU + rho);
    // and the shaper is not needlessly strict: the burst is actually usable
    expect(excess).toBeGreaterThan(10 * MTU - MTU);
    expect(maxExcess(r.t, r.len, effectiveRate(5e9))).toBeLessThanOrEqual(MTU + effectiveRate(5e9));
  });
});
