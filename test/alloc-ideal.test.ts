// alloc-ideal.test.ts — DESIGN §2 "long runs match the ideal allocation within
// 1% of C": random sets of continuously backlogged VMs (shares, reservations,
// limits, peaks, priorities, packet sizes) run on the Wasm engine through the
// public API, NICs draining at link speed (test/support/loop.ts); each VM's
// throughput over the run must equal idealAllocation (src/alloc/ideal.ts) of
// its pool within 1% of that pool's capacity C.
//   - team pools (round-robin, least-load): one pool, C = Σ NIC speeds;
//   - pinned pools (port-id): one pool per NIC, C = its speed, grouped by
//     stats().vms[i].nic.
//
// Why 1% is a fair test and not a fitted number: the engine's deviation from
// the fluid ideal is bounded in BYTES, not in rate, by terms the theory names:
//   in-flight slack   Σ_n (inFlightBytes_n + MTU): released bytes run ahead of
//                     the wire by at most the BQL-like limit plus one packet;
//   share-phase lag   N · L_max: SCFQ's lag behind GPS for N VMs in the pool;
//   buckets           Σ_j (burst_j + peakBurst_j) + N · MTU: what limit and peak
//                     buckets (and 1-MTU reservation buckets) can hand out at
//                     once, displacing other VMs' service once.
// Each run is made long enough that this byte bound E is at most 0.4% of the
// pool's C·T (asserted below), so a correct engine sits well inside 1%, while
// an allocation error of 1% of C (e.g. a mis-weighted share, a missing floor)
// grows with T and fails.
import { describe, it, expect, afterAll } from 'vitest';
import fc from 'fast-check';
import { idealAllocation, type IdealVm } from '../src/alloc/ideal.js';
import { createTeam, runLoop, bytesByVm } from './support/loop.js';

const MTU = 1518; // the engine's default capacity.mtu
const PACKET_BUDGET = 30_000; // releases per run at the mean packet size (keeps a run near 0.1 s)
const E_SHARE = 0.004; // E ≤ 0.4% of C·T by construction (see header)

interface VmCase {
  shares: number; resFrac: number; limFrac: number; peakOver: number; priority: number; lenLo: number; lenSpan: number;
}
const arbVm: fc.Arbitrary<VmCase> = fc.record({
  shares: fc.oneof(fc.integer({ min: 1, max: 200 }), fc.integer({ min: 200, max: 10_000 })),
  resFrac: fc.oneof(fc.constant(0), fc.constant(0), fc.double({ min: 0.05, max: 1, noNaN: true })),
  limFrac: fc.oneof(fc.constant(0), fc.double({ min: 0.02, max: 0.9, noNaN: true })),
  peakOver: fc.oneof(fc.constant(0), fc.double({ min: 1, max: 3, noNaN: true })),
  priority: fc.constantFrom(0, 4, 4, 4, 7),
  lenLo: fc.integer({ min: 256, max: MTU }),
  lenSpan: fc.integer({ min: 0, max: 1200 }),
});
const arbTeam = fc.record({
  nics: fc.array(fc.record({ speed: fc.constantFrom(1e9, 2.5e9, 10e9), inFlight: fc.integer({ min: 2 * MTU, max: 48_000 }) }), { minLength: 1, maxLength: 3 }),
  vms: fc.array(arbVm, { minLength: 1, maxLength: 8 }),
});

/** Length of VM v's k-th packet: spread over [lenLo, lenLo + lenSpan] ∩ [64, MTU], deterministic. */
const lengthOf = (v: VmCase) => (k: number) => Math.min(MTU, v.lenLo + ((k * 7919) % (v.lenSpan + 1)));

const worst: Record<string, { err: number; E: number }> = {};
afterAll(() => {
  for (const [k, w] of Object.entries(worst)) {
    console.log(`[alloc-ideal] ${k}: worst |throughput − ideal| = ${(w.err * 100).toFixed(3)}% of C (bound 1%); largest transient byte bound E = ${(w.E * 100).toFixed(3)}% of C·T`);
  }
});

interface TeamCase { nics: { speed: number; inFlight: number }[]; vms: VmCase[] }
interface VmCfg { shares?: number; reservation?: number; limit?: number; burst?: number; peak?: number; peakBurst?: number; priority?: number }
interface VmSpec { cfg: VmCfg; length: (k: number) => number }

/** Turns a random case into VM configs: reservations stay feasible in every pool (Σ ≤ 80% of the smallest). */
function specsOf(policy: Policy, team: TeamCase): VmSpec[] {
  const speeds = team.nics.map((n) => n.speed);
  const smallestPool = policy !== 'port-id' ? speeds.reduce((a, b) => a + b, 0) : Math.min(...speeds);
  const resBudget = (0.8 * smallestPool) / team.vms.length;
  // A pool serves one packet per NIC at a completion instant (identical NICs complete in
  // lockstep), so a VM's releases come in groups of up to one per NIC. Limit and peak
  // buckets shallower than that bind at packet scale, where the fluid ideal says nothing
  // (e.g. peak 40G with a 1-MTU bucket on 2 × 10GbE yields 1 packet per instant, i.e. 10G).
  // The buckets here are one NIC's packet deeper than the group (limit: three), so a cap
  // binds only when its rate does, which is the regime DESIGN §2's ideal describes.
  const nicsPerPool = policy !== 'port-id' ? team.nics.length : 1;
  return team.vms.map((v) => {
    const reservation = Math.round(v.resFrac * resBudget);
    const limit = v.limFrac ? Math.max(reservation, 1e6, Math.round(v.limFrac * smallestPool)) : 0;
    const peak = v.peakOver ? Math.round(Math.max(limit, reservation, 0.02 * smallestPool) * v.peakOver) : 0;
    return {
      cfg: { shares: v.shares, priority: v.priority, ...(reservation ? { reservation } : {}), ...(limit ? { limit, burst: (nicsPerPool + 3) * MTU } : {}), ...(peak ? { peak, peakBurst: (nicsPerPool + 1) * MTU } : {}) },
      length: lengthOf(v),
    };
  });
}

type Policy = 'round-robin' | 'least-load' | 'port-id';

/**
 * Runs the VMs backlogged on a team and compares each pool with the ideal.
 * Returns the worst error as a fraction of C; fails when it exceeds 1%.
 */
async function runCase(policy: Policy, nics: { speed: number; inFlight: number }[], specs: VmSpec[], label: string = policy, expectFeasible = true): Promise<number> {
  const speeds = nics.map((n) => n.speed);
  const pooled = policy !== 'port-id';
  const sched = await createTeam({ policy, nicSpeedsBps: speeds, inFlightBytes: nics.map((n) => n.inFlight) });
  let capacityEvents = 0;
  sched.on('capacity', () => { capacityEvents++; });
  const ids = specs.map((v, i) => sched.addVm({ name: `vm${i}`, ...v.cfg }, 0n));
  const st = sched.stats();
  const poolOf = (id: number) => (pooled ? -1 : st.vms.find((v) => v.id === id)!.nic!);
  const idealOf = (c: VmCfg): IdealVm => {
    // a peak rate is also a long-run ceiling: the ideal's cap is the smaller of limit and peak
    const ceiling = Math.min(c.limit || Infinity, c.peak || Infinity);
    return { demandBps: Infinity, shares: c.shares ?? 100, reservationBps: c.reservation ?? 0, limitBps: Number.isFinite(ceiling) ? ceiling : 0, priority: c.priority ?? 4 };
  };
  // what buckets can hand out at once: limit burst, peak burst, the 1-MTU reservation bucket
  const bucketBytes = (id: number) => {
    const c = sched.vmConfig(id);
    return (c.limitBps ? c.burstBytes : 0) + (c.peakBps ? c.peakBurstBytes : 0) + (c.reservationBps ? MTU : 0);
  };

  // pools: the team, or one per NIC that has VMs; E is the transient byte bound of the header
  const pools = new Map<number, { C: number; members: number[]; E: number }>();
  ids.forEach((id, i) => {
    const p = poolOf(id);
    if (!pools.has(p)) {
      const inPool = pooled ? nics : [nics[p]!];
      pools.set(p, { C: inPool.reduce((s, n) => s + n.speed, 0), members: [], E: inPool.reduce((s, n) => s + n.inFlight + MTU, 0) });
    }
    const pool = pools.get(p)!;
    pool.members.push(i);
    pool.E += MTU /* SCFQ lag */ + bucketBytes(id);
  });
  const meanLen = specs.reduce((s, v) => s + Array.from({ length: 64 }, (_, k) => v.length(k)).reduce((a, b) => a + b, 0) / 64, 0) / Math.max(1, specs.length);
  let T = (PACKET_BUDGET * meanLen * 8e9) / speeds.reduce((a, b) => a + b, 0);
  for (const p of pools.values()) T = Math.max(T, (p.E * 8e9) / (E_SHARE * p.C));
  T = Math.ceil(T);

  const res = runLoop({ sched, nicSpeedsBps: speeds, durationNs: T, depth: 128, sources: ids.map((vm, i) => ({ vm, length: specs[i]!.length })) });
  expect(res.dry, 'every VM stayed backlogged').toEqual(ids.map(() => 0));
  expect(res.refused).toBe(0);
  const bytes = bytesByVm(res.trace, 0, T);
  let worstErr = 0;
  for (const pool of pools.values()) {
    const ideal = idealAllocation(pool.C, pool.members.map((i) => idealOf(specs[i]!.cfg)));
    expect(ideal.feasible).toBe(expectFeasible);
    if (!ideal.feasible) expect(capacityEvents, 'infeasible reservations raise a capacity event').toBeGreaterThan(0);
    const w = (worst[label] ??= { err: 0, E: 0 });
    w.E = Math.max(w.E, pool.E * 8e9 / (pool.C * T));
    pool.members.forEach((i, k) => {
      const got = ((bytes.get(ids[i]!) ?? 0) * 8e9) / T;
      const err = Math.abs(got - ideal.ratesBps[k]!) / pool.C;
      worstErr = Math.max(worstErr, err);
      w.err = Math.max(w.err, err);
      expect(err, `vm${i} ${JSON.stringify(specs[i]!.cfg)}: got ${(got / 1e9).toFixed(4)} Gbit/s, ideal ${(ideal.ratesBps[k]! / 1e9).toFixed(4)} of C = ${pool.C / 1e9} Gbit/s`).toBeLessThanOrEqual(0.01);
    });
  }
  return worstErr;
}

const fixed = (len: number) => () => len;
const nic10 = { speed: 10e9, inFlight: 62_500 };

describe('long-run throughput matches the ideal allocation within 1% of C', () => {
  for (const policy of ['round-robin', 'least-load', 'port-id'] as const) {
    it(`${policy}: random continuously backlogged VMs`, async () => {
      await fc.assert(fc.asyncProperty(arbTeam, (team) => runCase(policy, team.nics, specsOf(policy, team)).then(() => undefined)),
        { seed: 0x5eed_0001, numRuns: 60, endOnFailure: true });
    });
  }

  it('a hand-picked mix on 2 × 10GbE: shares, limits, a low-priority floor, a capped high class', async () => {
    // ideal (C = 20 Gbit/s): prio 7 capped at 3; prio 0 keeps its 5 floor; prio 4 splits 12:
    // 100:200:300 with vm2 capped at 2 → 3.333, 6.667, 2
    const specs = [{ shares: 100 }, { shares: 200 }, { shares: 300, limit: 2e9 }, { shares: 50, reservation: 5e9, priority: 0 }, { shares: 1000, priority: 7, limit: 3e9 }]
      .map((cfg) => ({ cfg, length: fixed(1500) }));
    for (const policy of ['round-robin', 'least-load'] as const) await runCase(policy, [nic10, nic10], specs, 'hand-picked');
  });
});

describe('infeasible reservations (DESIGN §2 rule 1): floors by priority, the class where capacity runs out scaled', () => {
  // One 10GbE pool, Σ reservations = 14 Gbit/s > C. Ideal: prio 7 gets its floors 6 + 2;
  // prio 0 gets the remaining 2 of its 6 (scaled 1/3); the unreserved VM gets nothing.
  const specs = [{ reservation: 6e9, priority: 7 }, { reservation: 2e9, priority: 7 }, { reservation: 6e9, priority: 0 }, { shares: 1000, priority: 7 }]
    .map((cfg) => ({ cfg, length: fixed(1500) }));
  it('across priority classes', async () => {
    await runCase('port-id', [nic10], specs, 'infeasible', false);
  });
  it('within one class: every floor scaled by the same factor C / Σ floors', async () => {
    // 6 : 2 : 6 scaled by 10/14 → 4.286, 1.429, 4.286; the unreserved VM gets nothing
    await runCase('port-id', [nic10], specs.map((s) => ({ ...s, cfg: { ...s.cfg, priority: 4 } })), 'infeasible-one-class', false);
  });
});
