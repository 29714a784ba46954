// pool.test.ts — the shared slot pool: a fresh engine hands out exactly
// poolPackets slots (never-used slots are taken in index order without being
// linked up front), completions return them, and the recycled and never-used
// slots together again give exactly poolPackets; nothing is lost or doubled.
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { createScheduler } from '../src/index.js';

describe('slot pool', () => {
  it('accepts exactly poolPackets packets across any mix of enqueues, polls and completions', async () => {
    await fc.assert(fc.asyncProperty(
      fc.integer({ min: 1, max: 300 }),
      fc.array(fc.record({ n: fc.integer({ min: 0, max: 64 }), poll: fc.boolean(), complete: fc.nat(64) }), { minLength: 1, maxLength: 40 }),
      async (pool, steps) => {
        const s = await createScheduler({ nics: [{ name: 'a', speed: 1e9, inFlightBytes: 64 * 1500 }], capacity: { maxVms: 4, queuePackets: 4096, poolPackets: pool, batchSize: 64 }, clock: () => 0n });
        const vm = s.addVm({ name: 'v' }, 0n);
        let queued = 0, inFlight = 0, t = 1n;
        for (const st of steps) {
          const lens = new Uint32Array(st.n).fill(100);
          const r = s.enqueue(vm, lens, new Uint32Array(st.n), undefined, t);
          const ok = r.statuses.subarray(0, st.n).filter((x) => x === 0).length;
          // the pool refuses only when it is empty: every packet that fits is taken
          expect(ok).toBe(Math.min(st.n, pool - queued - inFlight));
          queued += ok;
          if (st.poll) { const p = s.poll(t); queued -= p.count; inFlight += p.count; }
          const c = Math.min(st.complete, inFlight);
          if (c) { expect(s.completed(0, c)).toBe(c); inFlight -= c; }
          expect(s.stats().team.poolFree).toBe(pool - queued - inFlight);
          t += 1_000_000n;
        }
      }), { numRuns: 40 });
  });
});
