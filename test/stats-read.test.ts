// stats-read.test.ts — snapshot counters are the core's u64 words read as two
// u32 halves (src/api/stats.ts): exact below 2^53 and rounded like
// Number(bigint) above, for every counter position, high word included.
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { createScheduler } from '../src/index.js';
import * as L from '../src/wasm/layout.js';

describe('stats counters', () => {
  it('reads u64 counters exactly as Number(bigint) would', async () => {
    const s = await createScheduler({ nics: [{ name: 'a', speed: 10e9 }], capacity: { maxVms: 4 }, clock: () => 0n });
    const vm = s.addVm({ name: 'v', mac: '02:00:00:00:00:01' }, 0n);
    const mem = s._core.memory.buffer;
    const hdr = (s as unknown as { hdr: Uint32Array }).hdr; // the core's header words (private field)
    const st = hdr[L.H_VMSTAT_PTR]! + vm * L.VMSTAT_STRIDE;
    const fields: [number, 'acceptedPackets' | 'sentBytes' | 'reservationBytes' | 'forgedBytes'][] =
      [[L.S_ACC_PKTS, 'acceptedPackets'], [L.S_SENT_BYTES, 'sentBytes'], [L.S_RES_BYTES, 'reservationBytes'], [L.S_FORGED_BYTES, 'forgedBytes']];
    await fc.assert(fc.property(fc.oneof(fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), fc.bigInt({ min: 0n, max: 1n << 54n })), fc.integer({ min: 0, max: fields.length - 1 }), (x, k) => {
      const [off, name] = fields[k]!;
      new DataView(mem).setBigUint64(st + off, x, true);
      expect(s.stats().vms[0]![name]).toBe(Number(x));
    }), { numRuns: 300 });
    s.close();
  });
});
