// share-set.test.ts — large share sets against the model. A domain's share set
// is a winner tree while small and moves to a binary heap for good past
// SHARE_TREE_MAX members (assembly/share.ts); the differential test's few VMs
// never leave the tree. Here hundreds of VMs in one domain grow the tree
// through every capacity, cross into the heap, and churn (VMs going idle,
// removed, re-added, priorities and shares changed) while every status,
// decision, event and counter must match the TypeScript model.
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { Pair } from './support/pair.js';
import * as L from '../src/wasm/layout.js';

const N_MAX = 400;

/** Whether the team domain's share set lives in its heap (read from the core's domain record). */
function onHeap(p: Pair): boolean {
  const h = p.sched._header, u32 = new Uint32Array(p.sched._core.memory.buffer);
  const team = h[L.H_MAX_NICS]!; // the team pool's domain index == maxNics
  return u32[(h[L.H_DOM_PTR]! + team * L.DOM_STRIDE + L.D_SHARE_HEAP) >>> 2] === 1;
}

describe('share sets beyond the winner tree', () => {
  it('grow, cross into the heap and churn with the same decisions as the model', async () => {
    let crossed = 0, stayed = 0;
    await fc.assert(fc.asyncProperty(
      fc.integer({ min: 2, max: N_MAX }),
      fc.array(fc.record({ shares: fc.integer({ min: 1, max: 10_000 }), priority: fc.integer({ min: 0, max: 3 }), res: fc.nat(9) }), { minLength: N_MAX, maxLength: N_MAX }),
      fc.array(fc.oneof(
        { weight: 6, arbitrary: fc.record({ k: fc.constant('burst' as const), from: fc.nat(), count: fc.integer({ min: 1, max: 300 }) }) },
        { weight: 6, arbitrary: fc.record({ k: fc.constant('poll' as const), dt: fc.integer({ min: 0, max: 50_000 }) }) },
        { weight: 4, arbitrary: fc.record({ k: fc.constant('complete' as const), n: fc.integer({ min: 0, max: 64 }) }) },
        { weight: 1, arbitrary: fc.record({ k: fc.constant('remove' as const), pick: fc.nat() }) },
        { weight: 1, arbitrary: fc.record({ k: fc.constant('update' as const), pick: fc.nat(), shares: fc.integer({ min: 1, max: 10_000 }), priority: fc.integer({ min: 0, max: 3 }) }) },
      ), { minLength: 10, maxLength: 60 }),
      async (n, cfgs, ops) => {
        const p = await Pair.create({ nics: [{ speed: 10e9, inFlightBytes: 64 * 1600 }], policy: 'round-robin', maxVms: N_MAX + 8, queuePackets: 4, poolPackets: 4 * N_MAX, batchSize: 64, eventCapacity: 1024 });
        let now = 1_000_000n, handle = 1;
        const live: number[] = [];
        const add = (i: number) => {
          const c = cfgs[i % cfgs.length]!;
          const r = p.addVm({ shares: c.shares, priority: c.priority, ...(c.res === 0 ? { reservation: 50_000_000 } : {}), queuePackets: 4 }, now);
          expect(r.wasm).toBe(r.model);
          if (r.wasm >= 0) live.push(r.wasm);
        };
        for (let i = 0; i < n; i++) add(i);
        for (const o of ops) {
          switch (o.k) {
            case 'burst': { // one packet each for `count` VMs from `from` on: many VMs turn active at once
              if (!live.length) break;
              const vms = Array.from({ length: Math.min(o.count, 64) }, (_, i) => live[(o.from + i) % live.length]!);
              for (let k = 0; k < Math.ceil(o.count / 64); k++) {
                const part = vms.map((_, i) => live[(o.from + k * 64 + i) % live.length]!);
                const lens = part.map((_, i) => 64 + ((handle + i) % 1400));
                const r = p.enqueue(part, lens, lens.map(() => handle++), lens.map((_, i) => i), now);
                expect(r.wasm).toEqual(r.model);
              }
              break;
            }
            case 'poll': {
              now += BigInt(o.dt);
              const r = p.poll(now);
              expect(r.wasm).toEqual(r.model);
              expect(r.wakeWasm).toBe(r.wakeModel);
              break;
            }
            case 'complete': { const r = p.completed(0, o.n); expect(r.wasm).toBe(r.model); break; }
            case 'remove': {
              if (!live.length) break;
              const r = p.removeVm(live.splice(o.pick % live.length, 1)[0]!);
              expect(r.wasm).toEqual(r.model);
              add(o.pick);
              break;
            }
            case 'update': if (live.length) p.updateVm(live[o.pick % live.length]!, { shares: o.shares, priority: o.priority }, now); break;
          }
          const ev = p.takeEvents();
          expect(ev.wasm).toEqual(ev.model);
        }
        const c = p.counters();
        expect(c.wasm).toEqual(c.model);
        if (onHeap(p)) crossed++; else stayed++;
      }), { numRuns: Number(process.env.FC_RUNS ?? 25) });
    // both structures were exercised: some runs crossed into the heap, some stayed in the tree
    expect(crossed).toBeGreaterThan(0);
    expect(stayed).toBeGreaterThan(0);
  });
});
