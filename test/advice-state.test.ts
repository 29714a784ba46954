// advice-state.test.ts — the Advisor's bookkeeping against the reference
// advisor (test/model/advisor-ref.ts): random sequences of snapshots with VMs
// coming and going, ids reused under new names, counters reset, limits
// toggled, NICs failing, the clock stepping back, and the VM list handed over
// in snapshot order, shuffled or incomplete must give the same advice, the same
// backlogged set and the same fair shares at every evaluation. Also: the
// scheduler's own evaluations never overwrite a snapshot the host holds.
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { Advisor, type AdvisorVm, type PolicyKind } from '../src/api/advice.js';
import { RateTracker } from '../src/api/rates.js';
import type { NicStats, StatsSnapshot, VmStats } from '../src/api/stats.js';
import { createScheduler } from '../src/index.js';
import { RefAdvisor } from './model/advisor-ref.js';

const RUNS = Number(process.env.FC_RUNS ?? 60);
const EVAL = 100_000_000; // ns

function vmRow(id: number, name: string, c: Partial<VmStats>): VmStats {
  return {
    id, name, state: 'active', nic: 0, paused: false, queuedPackets: 0, queuedBytes: 0, inFlightPackets: 0,
    acceptedPackets: 0, acceptedBytes: 0, releasedPackets: 0, releasedBytes: 0, sentPackets: 0, sentBytes: 0,
    fullPackets: 0, fullBytes: 0, returnedPackets: 0, returnedBytes: 0, droppedPackets: 0, resteeredPackets: 0,
    pauses: 0, reservationBytes: 0, delayHistogram: [], delayP50Ns: 0, delayP99Ns: 0, delayMaxNs: 0, delayMeanNs: 0,
    forgedPackets: 0, forgedBytes: 0, rateBps: 0, offeredBps: 0, ...c,
  };
}
function nicRow(index: number, speedBps: number, up: boolean): NicStats {
  return {
    index, name: `nic${index}`, speedBps, up, inFlightPackets: 0, inFlightBytes: 0, inFlightLimitBytes: 0,
    releasedPackets: 0, releasedBytes: 0, sentPackets: 0, sentBytes: 0, failovers: 0, resteeredPackets: 0, pinnedVms: 0,
    reservedBps: 0, badCompletions: 0, utilization: 0, rateBps: 0,
  };
}
const TEAM = { malformed: 0, unknownVm: 0, badLength: 0, polls: 0, resteered: 0, failovers: 0, badCompletions: 0, clockBackwards: 0, forged: 0, poolFree: 0, poolPackets: 0, fairnessIndex: null, reservationConformance: null };

const vmCfg = fc.record({
  shares: fc.integer({ min: 1, max: 400 }),
  reservationBps: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 60 }).map((x) => x * 1e7)),
  limitBps: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 40 }).map((x) => x * 1e7)),
  priority: fc.integer({ min: 0, max: 2 }),
  highWatermark: fc.oneof(fc.constant(0), fc.integer({ min: 4, max: 32 })),
  queuePackets: fc.integer({ min: 8, max: 64 }),
  pinned: fc.option(fc.boolean(), { nil: undefined }),
  demandBps: fc.option(fc.integer({ min: 0, max: 50 }).map((x) => x * 1e7), { nil: undefined, freq: 6 }),
});

/** What happens to one VM slot in one step. */
const vmStep = fc.record({
  present: fc.nat(9),            // 0: absent this step
  rename: fc.nat(19),            // 0: the id is reused by a new VM (new name)
  removing: fc.nat(14),          // 0: state 'removing'
  reset: fc.nat(24),             // 0: counters restart at 0
  toggleLimit: fc.nat(9),        // 0: the limit goes on or off
  pauses: fc.nat(2), full: fc.nat(3),
  releasedBytes: fc.integer({ min: 0, max: 8e6 }), sentBytes: fc.integer({ min: 0, max: 8e6 }), offeredExtra: fc.integer({ min: 0, max: 8e6 }),
  queued: fc.nat(64), paused: fc.boolean(), nic: fc.nat(3),
});

const scenario = fc.record({
  vms: fc.array(vmCfg, { minLength: 1, maxLength: 10 }),
  nics: fc.array(fc.integer({ min: 1, max: 10 }).map((x) => x * 1e8), { minLength: 1, maxLength: 3 }),
  policy: fc.constantFrom<PolicyKind>('pool', 'pinned'),
  options: fc.record({
    suspendWindowNs: fc.nat(3).map((k) => k * EVAL), starveWindowNs: fc.nat(3).map((k) => k * EVAL),
    capacityWindowNs: fc.nat(2).map((k) => k * EVAL), minIntervalNs: fc.nat(4).map((k) => k * EVAL),
    clearNs: fc.nat(3).map((k) => k * EVAL), backlogPackets: fc.integer({ min: 1, max: 16 }),
  }),
  steps: fc.array(fc.record({
    dt: fc.oneof({ weight: 12, arbitrary: fc.integer({ min: 1, max: 3 }) }, { weight: 1, arbitrary: fc.constant(-1) }),
    nicUp: fc.array(fc.boolean(), { minLength: 3, maxLength: 3 }),
    order: fc.constantFrom('same', 'reversed', 'drop-first'),
    slots: fc.array(vmStep, { minLength: 10, maxLength: 10 }),
  }), { minLength: 1, maxLength: 30 }),
});

describe('Advisor bookkeeping', () => {
  it('decides exactly like the reference advisor on random snapshot sequences', () => {
    const fired = { suspend: 0, capacity: 0, starved: 0 };
    fc.assert(fc.property(scenario, (sc) => {
      const fast = new Advisor(sc.options), ref = new RefAdvisor(sc.options);
      const rates = new RateTracker({ tauNs: 3e8 });
      // per VM slot: a generation for names, running counters and the current config
      const slots = sc.vms.map((c, id) => ({ gen: 0, pauses: 0, full: 0, rel: 0, sent: 0, acc: 0, fullBytes: 0, cfg: { ...c } as Omit<AdvisorVm, 'id' | 'name'>, id }));
      let t = 1e9;
      for (const st of sc.steps) {
        t = st.dt < 0 ? t - EVAL / 2 : t + st.dt * EVAL;
        const rows: VmStats[] = [];
        const list: AdvisorVm[] = [];
        slots.forEach((v, i) => {
          const e = st.slots[i]!;
          if (e.rename === 0) { v.gen++; v.pauses = v.full = v.rel = v.sent = v.acc = v.fullBytes = 0; }
          if (e.reset === 0) { v.pauses = v.full = v.rel = v.sent = v.acc = v.fullBytes = 0; }
          if (e.toggleLimit === 0) v.cfg = { ...v.cfg, limitBps: v.cfg.limitBps > 0 ? 0 : 2e8 };
          v.pauses += e.pauses; v.full += e.full; v.rel += e.releasedBytes; v.sent += e.sentBytes;
          v.acc += e.releasedBytes; v.fullBytes += e.offeredExtra;
          if (e.present === 0) return;
          const name = `vm${v.id}.${v.gen}`;
          rows.push(vmRow(v.id, name, {
            state: e.removing === 0 ? 'removing' : 'active', nic: e.nic < sc.nics.length ? e.nic : null, paused: e.paused,
            queuedPackets: e.queued, pauses: v.pauses, fullPackets: v.full, releasedBytes: v.rel, sentBytes: v.sent,
            acceptedBytes: v.acc, fullBytes: v.fullBytes,
          }));
          list.push({ id: v.id, name, ...v.cfg });
        });
        const snap: StatsSnapshot = { vms: rows, nics: sc.nics.map((b, i) => nicRow(i, b, st.nicUp[i]!)), team: { ...TEAM } };
        rates.update(BigInt(t), snap);
        const given = st.order === 'same' ? list : st.order === 'reversed' ? [...list].reverse() : list.slice(1);
        const now = BigInt(t);
        expect(fast.due(now)).toBe(ref.due(now));
        const a = fast.evaluate(now, snap, rates, given, sc.policy);
        const b = ref.evaluate(now, snap, rates, given, sc.policy);
        expect(a).toEqual(b);
        for (const x of a) { if (x.kind === 'suspend') fired.suspend++; else fired[x.reason]++; }
        expect([...fast.backlogged].sort()).toEqual([...ref.backlogged].sort());
        expect([...fast.fairShares].sort((x, y) => x[0] - y[0])).toEqual([...ref.fairShares].sort((x, y) => x[0] - y[0]));
        expect(fast.counts).toEqual(ref.counts);
      }
    }), { numRuns: RUNS });
    // every kind of advice fired somewhere, so the comparison covered the firing paths
    expect(fired.suspend).toBeGreaterThan(0);
    expect(fired.capacity).toBeGreaterThan(0);
    expect(fired.starved).toBeGreaterThan(0);
  });

  it('a hand-built sequence fires suspend exactly when its window has passed', () => {
    // one VM over its limit at its watermark for several evaluations: suspend after the window
    const fast = new Advisor({ suspendWindowNs: 2 * EVAL, minIntervalNs: 0 });
    const rates = new RateTracker({ tauNs: 3e8 });
    const cfg = { id: 0, name: 'hog', shares: 100, reservationBps: 0, limitBps: 1e8, priority: 0, highWatermark: 8 };
    const kinds: string[] = [];
    let rel = 0;
    for (let k = 1; k <= 5; k++) {
      rel += 1.25e6 * 10; // 100 Mbit/s over 100 ms = 1.25 MB; ×10 so it is far above the limit-bound fraction
      const snap: StatsSnapshot = { vms: [vmRow(0, 'hog', { queuedPackets: 8, paused: true, pauses: k, releasedBytes: rel, acceptedBytes: rel, sentBytes: rel })], nics: [nicRow(0, 1e10, true)], team: { ...TEAM } };
      const t = BigInt(k * EVAL);
      rates.update(t, snap);
      kinds.push(...fast.evaluate(t, snap, rates, [cfg], 'pool').map((a) => `${k}:${a.kind}`));
    }
    expect(kinds).toEqual(['4:suspend']);
  });
});

describe('the scheduler\'s evaluations', () => {
  it('never overwrite a snapshot the host holds (the advisor reads into rows of its own)', async () => {
    const s = await createScheduler({ nics: [{ name: 'n0', speed: 1e9 }], capacity: { maxVms: 8, queuePackets: 16 }, clock: () => 0n });
    const vms = [0, 1, 2].map((i) => s.addVm({ name: `v${i}`, mac: `02:00:00:00:00:0${i}` }, 0n));
    const held = s.stats();
    const before = JSON.stringify(held);
    let t = 1n;
    for (let k = 0; k < 40; k++) {
      const ids = Uint32Array.from(vms), lens = new Uint32Array(3).fill(1000);
      s.enqueue(ids, lens, new Uint32Array(3), new Uint32Array(3), t);
      const r = s.poll(t);
      if (r.count) s.completed(0, r.count);
      t += 30_000_000n; // the advisor evaluates every 100 ms of engine time, so about every fourth poll
    }
    expect(JSON.stringify(held)).toBe(before);
    const now = s.stats();
    expect(now.vms[0]).not.toBe(held.vms[0]);
    expect(now.vms.map((v) => v.releasedPackets)).toEqual([40, 40, 40]);
  });
});
