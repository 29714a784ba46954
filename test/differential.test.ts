// differential.test.ts — random operation sequences give identical decisions,
// statuses, events and counters in the Wasm core and the TypeScript model.
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { Pair } from './support/pair.js';

const POLICIES = ['round-robin', 'least-load', 'port-id', 'failover-order', 'src-mac-hash', 'flow-hash', 'load-based', 'flowlet'] as const;
let macSeq = 1;
const vmCfg0 = fc.record({
  shares: fc.integer({ min: 1, max: 10_000 }),
  reservation: fc.oneof(fc.constant(0), fc.integer({ min: 1_000_000, max: 3_000_000_000 })),
  limit: fc.option(fc.integer({ min: 3_000_000_000, max: 20_000_000_000 }), { nil: undefined }),
  peak: fc.option(fc.integer({ min: 20_000_000_000, max: 40_000_000_000 }), { nil: undefined }),
  priority: fc.integer({ min: 0, max: 7 }),
  queuePackets: fc.integer({ min: 1, max: 48 }),
  highWatermark: fc.integer({ min: 0, max: 1 }),
}, { requiredKeys: ['shares', 'reservation', 'priority', 'queuePackets', 'highWatermark'] }).map((c) => {
  const out: Record<string, unknown> = { shares: c.shares, reservation: c.reservation, priority: c.priority, queuePackets: c.queuePackets };
  if (c.limit !== undefined) out.limit = c.limit;
  if (c.peak !== undefined && c.limit !== undefined) out.peak = c.peak;
  if (c.highWatermark && c.queuePackets >= 4) { out.highWatermark = c.queuePackets - 1; out.lowWatermark = Math.floor(c.queuePackets / 2); }
  return out;
});
// adds: a MAC (for src-mac-hash), sometimes a per-VM policy override with a failover order
const vmCfg = fc.tuple(vmCfg0, fc.option(fc.constantFrom(...POLICIES), { nil: undefined }), fc.shuffledSubarray([0, 1, 2], { minLength: 1 }))
  .map(([c, policy, order]) => {
    const m = macSeq++;
    const out: Record<string, unknown> = { ...c, mac: `02:00:00:00:${((m >> 8) & 255).toString(16).padStart(2, '0')}:${(m & 255).toString(16).padStart(2, '0')}` };
    if (policy) out.policy = policy;
    if (policy === 'failover-order') out.failoverOrder = order;
    return out;
  });

const op = fc.oneof(
  { weight: 2, arbitrary: fc.record({ k: fc.constant('add' as const), cfg: vmCfg }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('update' as const), pick: fc.nat(), cfg: vmCfg0.map(({ queuePackets: _q, highWatermark: _h, lowWatermark: _l, ...rest }) => rest) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('move' as const), pick: fc.nat(), nic: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('remove' as const), pick: fc.nat() }) },
  { weight: 6, arbitrary: fc.record({
    k: fc.constant('enqueue' as const), pick: fc.integer({ min: -1, max: 40 }), n: fc.integer({ min: 1, max: 40 }),
    lens: fc.array(fc.oneof({ weight: 8, arbitrary: fc.integer({ min: 60, max: 9000 }) }, { weight: 1, arbitrary: fc.constantFrom(0, 65_535, 70_000) }), { minLength: 1, maxLength: 8 }),
  }) },
  { weight: 6, arbitrary: fc.record({ k: fc.constant('poll' as const), dt: fc.oneof({ weight: 9, arbitrary: fc.integer({ min: 0, max: 200_000 }) }, { weight: 1, arbitrary: fc.integer({ min: -50_000, max: -1 }) }) }) },
  { weight: 4, arbitrary: fc.record({ k: fc.constant('complete' as const), nic: fc.nat(), n: fc.integer({ min: 0, max: 60 }) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('link' as const), nic: fc.nat(), up: fc.boolean() }) },
);

const seen = { decisions: 0, events: 0, full: 0, held: 0, resteered: 0 };

async function run(policy: (typeof POLICIES)[number], nicSpeeds: number[], seq: ReturnType<typeof op.generate>['value'][]) {
  const pair = await Pair.create({ nics: nicSpeeds.map((speed) => ({ speed, inFlightBytes: 6000 })), policy, maxVms: 12, queuePackets: 48, poolPackets: 400, batchSize: 32, eventCapacity: 64, flowletGapUs: 20, flowletSlots: 16 });
  let now = 1_000_000n;
  let handle = 1;
  const live: number[] = [];
  for (const o of seq) {
    switch (o.k) {
      case 'add': {
        if (live.length >= 12) break;
        const cfg = { ...o.cfg };
        if (Array.isArray(cfg.failoverOrder)) cfg.failoverOrder = (cfg.failoverOrder as number[]).map((k) => `nic${k % nicSpeeds.length}`);
        const r = pair.addVm(cfg, now);
        expect(r.wasm).toBe(r.model);
        if (r.wasm >= 0) live.push(r.wasm);
        break;
      }
      case 'update': if (live.length) pair.updateVm(live[o.pick % live.length]!, o.cfg, now); break;
      case 'remove': {
        if (!live.length) break;
        const id = live.splice(o.pick % live.length, 1)[0]!;
        const r = pair.removeVm(id);
        expect(r.wasm).toEqual(r.model);
        break;
      }
      case 'enqueue': {
        const vm = o.pick < 0 ? 999 : live.length ? live[o.pick % live.length]! : 0;
        const lens = Array.from({ length: o.n }, (_, i) => o.lens[i % o.lens.length]!);
        const handles = lens.map(() => handle++);
        const hashes = lens.map((_, i) => (i * 2654435761) >>> 0);
        const r = pair.enqueue(lens.map(() => vm), lens, handles, hashes, now);
        expect(r.wasm).toEqual(r.model);
        seen.full += r.wasm.filter((x) => x === 1).length;
        break;
      }
      case 'poll': {
        now += BigInt(o.dt);
        const r = pair.poll(now);
        expect(r.wasm).toEqual(r.model);
        expect(r.wakeWasm).toBe(r.wakeModel);
        seen.decisions += r.wasm.length;
        if (r.wakeWasm !== null) seen.held++;
        break;
      }
      case 'complete': {
        const r = pair.completed(o.nic % nicSpeeds.length, o.n);
        expect(r.wasm).toBe(r.model);
        break;
      }
      case 'link': pair.setLink(o.nic % nicSpeeds.length, o.up, now); break;
      case 'move': {
        if (!live.length) break;
        const r = pair.vmMove(live[o.pick % live.length]!, o.nic % nicSpeeds.length, now);
        expect(r.wasm).toBe(r.model);
        break;
      }
    }
    const ev = pair.takeEvents();
    expect(ev.wasm).toEqual(ev.model);
    seen.events += ev.wasm.length;
    const c = pair.counters();
    expect(c.wasm).toEqual(c.model);
  }
}

describe('Wasm core vs TypeScript model', () => {
  for (const policy of POLICIES) {
    it(`identical decisions, statuses, events and counters (${policy})`, async () => {
      await fc.assert(fc.asyncProperty(
        fc.constantFrom([10e9, 10e9], [10e9, 1e9, 25e9], [40e9], [10e9, 10e9, 10e9]),
        fc.array(op, { minLength: 20, maxLength: 150, size: 'max' }),
        async (speeds, seq) => { await run(policy, [...speeds], seq); },
      ), { numRuns: Number(process.env.FC_RUNS ?? 40), ...(process.env.FC_SEED ? { seed: Number(process.env.FC_SEED) } : {}) });
    });
  }
  it('exercised the interesting paths (decisions, events, full queues, held VMs)', () => {
    // guards against a generator that silently stops reaching the code under test
    expect(seen.decisions).toBeGreaterThan(1000);
    expect(seen.events).toBeGreaterThan(20);
    expect(seen.full).toBeGreaterThan(10);
    expect(seen.held).toBeGreaterThan(10);
  });
});
