// res-tags.test.ts — the reservation phase with tags that move both ways.
// After a reservation tag was capped at now, a shorter next packet is due
// sooner than the packet before it, so the res heap's key for a VM can shrink
// as well as grow (heapUpdate in both directions). Reserved VMs sending
// alternating long and short packets, served many at a time at one instant
// and across small time steps, must be picked exactly as the model picks them.
// (It caught a lazily filed res heap, tried for issue #7, that missed the
// shrinking case.)
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { Pair } from './support/pair.js';

describe('reservation tags that grow and shrink', () => {
  it('pick the same reserved VMs as the model when tags grow and shrink', async () => {
    await fc.assert(fc.asyncProperty(
      fc.array(fc.record({ res: fc.integer({ min: 1, max: 40 }), shares: fc.integer({ min: 1, max: 1000 }), priority: fc.integer({ min: 0, max: 2 }) }), { minLength: 2, maxLength: 8 }),
      fc.array(fc.record({
        vm: fc.nat(), lens: fc.array(fc.constantFrom(64, 64, 200, 1500, 9000), { minLength: 1, maxLength: 12 }),
        dt: fc.integer({ min: 0, max: 20_000 }), complete: fc.integer({ min: 0, max: 16 }),
      }), { minLength: 5, maxLength: 80 }),
      async (vms, steps) => {
        const p = await Pair.create({ nics: [{ speed: 1e9, inFlightBytes: 12_000 }], policy: 'round-robin', maxVms: 8, queuePackets: 32, poolPackets: 400, batchSize: 16, eventCapacity: 256 });
        let now = 1_000_000n, handle = 1;
        const ids: number[] = [];
        for (const c of vms) {
          const r = p.addVm({ reservation: c.res * 10_000_000, shares: c.shares, priority: c.priority, queuePackets: 32 }, now);
          expect(r.wasm).toBe(r.model);
          ids.push(r.wasm);
        }
        for (const st of steps) {
          const vm = ids[st.vm % ids.length]!;
          const r = p.enqueue(st.lens.map(() => vm), st.lens, st.lens.map(() => handle++), st.lens.map(() => 0), now);
          expect(r.wasm).toEqual(r.model);
          for (let k = 0; k < 2; k++) { // two polls at one instant, then time moves
            const d = p.poll(now);
            expect(d.wasm).toEqual(d.model);
            expect(d.wakeWasm).toBe(d.wakeModel);
          }
          const c = p.completed(0, st.complete);
          expect(c.wasm).toBe(c.model);
          now += BigInt(st.dt);
        }
        const c = p.counters();
        expect(c.wasm).toEqual(c.model);
      }), { numRuns: Number(process.env.FC_RUNS ?? 60) });
  });
});
