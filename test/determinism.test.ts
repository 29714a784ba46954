// determinism.test.ts — DESIGN §7: the same config, inputs and clock give the
// same decisions. Random operation sequences (VM adds, updates and removals,
// enqueues, polls, completions, link flaps) are applied to fresh schedulers:
// two instances of the inlined release build and one of the debug build
// (build/debug.wasm, which keeps its assertions). Every output — statuses,
// decisions, next-wake times, completion counts, removed handles, events and
// the full stats snapshot — is serialized into one byte trace per scheduler,
// and the traces must be byte-identical. A full simulation run (support/loop.ts)
// is compared the same way.
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { createScheduler, type Scheduler } from '../src/index.js';
import { createTeam, runLoop } from './support/loop.js';

const debugWasm = new Uint8Array(readFileSync(new URL('../build/debug.wasm', import.meta.url)));

/** Collects numbers and strings into one byte string; equal traces ⇔ equal outputs. */
class Trace {
  private parts: string[] = [];
  num(...xs: (number | bigint | null)[]) { this.parts.push(xs.map((x) => (x === null ? 'null' : x.toString())).join(',')); }
  json(x: unknown) { this.parts.push(JSON.stringify(x)); }
  bytes(): Buffer { return Buffer.from(this.parts.join('\n')); }
}

const op = fc.oneof(
  { weight: 2, arbitrary: fc.record({ k: fc.constant('add' as const), shares: fc.integer({ min: 1, max: 10_000 }), reservation: fc.constantFrom(0, 1e8, 2e9), limit: fc.constantFrom(0, 5e8, 8e9), priority: fc.integer({ min: 0, max: 7 }), queuePackets: fc.integer({ min: 1, max: 64 }) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('update' as const), pick: fc.nat(), shares: fc.integer({ min: 1, max: 10_000 }), priority: fc.integer({ min: 0, max: 7 }) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('remove' as const), pick: fc.nat() }) },
  { weight: 6, arbitrary: fc.record({ k: fc.constant('enqueue' as const), pick: fc.integer({ min: -1, max: 40 }), lens: fc.array(fc.oneof({ weight: 9, arbitrary: fc.integer({ min: 60, max: 1518 }) }, { weight: 1, arbitrary: fc.constantFrom(0, 70_000) }), { minLength: 1, maxLength: 50, size: 'max' }) }) },
  { weight: 6, arbitrary: fc.record({ k: fc.constant('poll' as const), dt: fc.oneof(fc.integer({ min: 0, max: 100_000 }), fc.integer({ min: -1000, max: -1 })) }) },
  { weight: 4, arbitrary: fc.record({ k: fc.constant('complete' as const), nic: fc.nat(), n: fc.integer({ min: 0, max: 40 }) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('link' as const), nic: fc.nat(), up: fc.boolean() }) },
);
type Op = typeof op extends fc.Arbitrary<infer T> ? T : never;

async function replay(policy: 'round-robin' | 'least-load' | 'port-id', speeds: readonly number[], ops: Op[], wasm?: Uint8Array): Promise<Buffer> {
  const s: Scheduler = await createScheduler({
    nics: speeds.map((speed, i) => ({ name: `nic${i}`, speed, inFlightBytes: 12_000 })), teaming: { policy },
    capacity: { maxVms: 12, queuePackets: 64, batchSize: 32, eventCapacity: 64 }, clock: () => 0n,
  }, wasm ? { wasm } : undefined);
  const t = new Trace();
  s.onAny((type, e) => t.json([type, e]));
  const live: number[] = [];
  let now = 5_000n, handle = 1, named = 0;
  for (const o of ops) {
    switch (o.k) {
      case 'add':
        try {
          const id = s.addVm({ name: `vm${named++}`, shares: o.shares, priority: o.priority, queuePackets: o.queuePackets,
            ...(o.reservation ? { reservation: o.reservation } : {}), ...(o.limit ? { limit: Math.max(o.limit, o.reservation) } : {}) }, now);
          live.push(id); t.num(id);
        } catch (e) { t.json((e as { code: string }).code); }
        break;
      case 'update': if (live.length) { s.updateVm(live[o.pick % live.length]!, { shares: o.shares, priority: o.priority }, now); t.num(1); } break;
      case 'remove': if (live.length) { const r = s.removeVm(live.splice(o.pick % live.length, 1)[0]!); t.num(...r.handles); t.num(...r.lengths); } break;
      case 'enqueue': {
        const vm = o.pick < 0 ? 999 : live.length ? live[o.pick % live.length]! : 0;
        const r = s.enqueue(vm, o.lens, o.lens.map(() => handle++), o.lens.map((_, i) => (i * 2654435761) >>> 0), now);
        t.num(r.accepted, ...r.statuses.subarray(0, r.count));
        break;
      }
      case 'poll': {
        now += BigInt(o.dt); // a negative step: the engine must treat the clock as standing still, identically
        const r = s.poll(now);
        t.num(r.count, r.nextWakeNs, ...r.handles.subarray(0, r.count), ...r.nics.subarray(0, r.count), ...r.vms.subarray(0, r.count), ...r.lengths.subarray(0, r.count));
        break;
      }
      case 'complete': t.num(s.completed(o.nic % speeds.length, o.n)); break;
      case 'link': s.setLink(o.nic % speeds.length, o.up, now); t.num(2); break;
    }
    t.json(s.stats());
  }
  return t.bytes();
}

describe('same config, inputs and clock → byte-identical decision traces', () => {
  for (const policy of ['round-robin', 'least-load', 'port-id'] as const) {
    it(`${policy}: two fresh release instances and the debug build agree on every output`, async () => {
      let compared = 0;
      await fc.assert(fc.asyncProperty(
        fc.constantFrom([10e9, 10e9], [1e9, 10e9, 25e9]), fc.array(op, { minLength: 20, maxLength: 200, size: 'max' }),
        async (speeds, ops) => {
          const a = await replay(policy, speeds, ops);
          const b = await replay(policy, speeds, ops);
          const d = await replay(policy, speeds, ops, debugWasm);
          expect(a.equals(b), 'two release instances').toBe(true);
          expect(a.equals(d), 'release vs debug build').toBe(true);
          compared += a.length;
        }), { seed: 0xde7e_4a, numRuns: 25 });
      expect(compared).toBeGreaterThan(100_000);
    });
  }

  it('a whole simulated run (2 × 10GbE, shaped and reserved VMs) is identical, release and debug', async () => {
    const trace = async (wasm?: Uint8Array) => {
      const sched = wasm
        ? await createScheduler({ nics: [{ name: 'vmnic0', speed: 10e9 }, { name: 'vmnic1', speed: 10e9 }], teaming: { policy: 'least-load' }, capacity: { maxVms: 32, queuePackets: 128, batchSize: 64 }, clock: () => 0n }, { wasm })
        : await createTeam({ policy: 'least-load', nicSpeedsBps: [10e9, 10e9] });
      const cfgs = [{ shares: 300 }, { shares: 100, limit: 3e9 }, { reservation: 2e9, priority: 0 }, { shares: 1000, priority: 7, peak: 4e9 }];
      const ids = cfgs.map((c, i) => sched.addVm({ name: `vm${i}`, ...c }, 0n));
      const r = runLoop({ sched, nicSpeedsBps: [10e9, 10e9], durationNs: 3e6, depth: 64, sources: ids.map((vm, i) => ({ vm, length: (k: number) => 64 + ((k * (i + 3) * 7919) % 1455) })) });
      return Buffer.from(new Float64Array([...r.trace.t, ...r.trace.vm, ...r.trace.nic, ...r.trace.len]).buffer);
    };
    const a = await trace(), b = await trace(), d = await trace(debugWasm);
    expect(a.length / 32, "releases compared").toBeGreaterThan(5_000);
    expect(a.equals(b)).toBe(true);
    expect(a.equals(d)).toBe(true);
  });
});
