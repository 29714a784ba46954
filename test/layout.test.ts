// layout.test.ts — the TypeScript mirror of the core's memory layout agrees
// with a live instance: header words, strides, region order and sizes, and the
// generated constants match assembly/layout.ts (the one source of truth).
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { createScheduler } from '../src/index.js';
import * as L from '../src/wasm/layout.js';

describe('memory layout', () => {
  it('every constant in assembly/layout.ts is mirrored with the same value', () => {
    const src = readFileSync(new URL('../assembly/layout.ts', import.meta.url), 'utf8');
    const re = /^export const ([A-Z0-9_]+): (?:u8|u32|u64|i32) = (0x[0-9a-fA-F]+|\d+);/gm;
    let m: RegExpExecArray | null, n = 0;
    while ((m = re.exec(src))) { expect((L as Record<string, number>)[m[1]!], m[1]).toBe(Number(m[2])); n++; }
    expect(n).toBe(Object.keys(L).length);
  });

  it('a live header matches the host mirror and the regions tile memory without overlap', async () => {
    const cap = { maxVms: 100, maxNics: 3, queuePackets: 16, poolPackets: 1000, batchSize: 32, eventCapacity: 64, frameBufferBytes: 4096, maxMacs: 100, flowletSlots: 64 };
    const s = await createScheduler({ nics: [{ name: 'a', speed: 1e9 }], capacity: cap, clock: () => 0n });
    const h = s._header;
    expect(h[L.H_VERSION]).toBe(L.LAYOUT_VERSION);
    expect([h[L.H_MAX_VMS], h[L.H_MAX_NICS], h[L.H_POOL], h[L.H_BATCH], h[L.H_EV_CAP], h[L.H_FRAME_BYTES], h[L.H_FLOWLETS]])
      .toEqual([100, 3, 1000, 32, 64, 4096, 64]);
    expect(h[L.H_MAC_CAP]).toBe(256); // next power of two ≥ 2 × maxMacs
    expect([h[L.H_VM_STRIDE], h[L.H_VMSTAT_STRIDE], h[L.H_NIC_STRIDE], h[L.H_EV_STRIDE]]).toEqual([L.VM_STRIDE, L.VMSTAT_STRIDE, L.NIC_STRIDE, L.EV_STRIDE]);
    const regions: [string, number, number][] = [
      ['vm', h[L.H_VM_PTR]!, 100 * L.VM_STRIDE], ['vmstat', h[L.H_VMSTAT_PTR]!, 100 * L.VMSTAT_STRIDE],
      ['nic', h[L.H_NIC_PTR]!, 3 * L.NIC_STRIDE], ['dom', h[L.H_DOM_PTR]!, 4 * L.DOM_STRIDE],
      ['inVm', h[L.H_IN_VM]!, 32 * 4], ['inLen', h[L.H_IN_LEN]!, 32 * 4], ['inHandle', h[L.H_IN_HANDLE]!, 32 * 4],
      ['inHash', h[L.H_IN_HASH]!, 32 * 4], ['inOff', h[L.H_IN_OFF]!, 32 * 4], ['inCap', h[L.H_IN_CAP]!, 32 * 4],
      ['outHandle', h[L.H_OUT_HANDLE]!, 32 * 4], ['outNic', h[L.H_OUT_NIC]!, 32 * 4], ['outVm', h[L.H_OUT_VM]!, 32 * 4],
      ['outLen', h[L.H_OUT_LEN]!, 32 * 4], ['status', h[L.H_STATUS]!, 32], ['frames', h[L.H_FRAME_PTR]!, 4096],
      ['events', h[L.H_EV_PTR]!, 64 * L.EV_STRIDE], ['cfg', h[L.H_CFG_PTR]!, L.CFG_BYTES], ['team', h[L.H_TEAM_PTR]!, L.TEAM_BYTES],
    ];
    const sorted = [...regions].sort((a, b) => a[1] - b[1]);
    for (let i = 1; i < sorted.length; i++) {
      const [pn, pp, ps] = sorted[i - 1]!;
      expect(sorted[i]![1], `${pn} overlaps ${sorted[i]![0]}`).toBeGreaterThanOrEqual(pp + ps);
    }
    // every region starts on a cache line, and the per-VM records are whole lines, so no record straddles two
    for (const [name, p] of regions) expect(p % 64, `${name} line-aligned`).toBe(0);
    for (const stride of [L.VM_STRIDE, L.VMSTAT_STRIDE, L.NIC_STRIDE, L.DOM_STRIDE]) expect(stride % 64).toBe(0);
    const end = Math.max(...regions.map(([, p, sz]) => p + sz));
    expect(end).toBeLessThanOrEqual(s.memoryBytes);
    expect(h[L.H_TOTAL_BYTES]!).toBeGreaterThan(end - sorted[0]![1]);
  });

  it('memory is sized at creation and never grows on the data path', async () => {
    const s = await createScheduler({ nics: [{ name: 'a', speed: 1e9, inFlightBytes: 3000 }], capacity: { maxVms: 8, queuePackets: 64 }, clock: () => 0n });
    const before = s.memoryBytes;
    const vm = s.addVm({ name: 'v' });
    const lens = new Uint32Array(64).fill(1500), hs = new Uint32Array(64);
    for (let k = 0; k < 2000; k++) {
      hs.forEach((_, i) => { hs[i] = k * 64 + i; });
      s.enqueue(vm, lens, hs, undefined, BigInt(k * 1000));
      const r = s.poll(BigInt(k * 1000));
      s.completed(0, r.count);
    }
    expect(s.memoryBytes).toBe(before);
  });
});
