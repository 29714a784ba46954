// advice-api.test.ts — advice and metrics reach the host through the public
// Scheduler: an over-limit VM held at its high watermark gets `suspend` from
// poll() after the window; metrics() is valid exposition with the advice count.
import { describe, it, expect } from 'vitest';
import { createScheduler } from '../src/index.js';
import { runLoop } from './support/loop.js';

describe('advice through the scheduler', () => {
  it('suspend fires from poll() for a VM pinned at its high watermark, and is counted in metrics()', async () => {
    const s = await createScheduler({
      nics: [{ name: 'n0', speed: '10Gbit' }], teaming: { policy: 'round-robin' },
      capacity: { maxVms: 4, queuePackets: 64, batchSize: 64 }, clock: () => 0n,
      advice: { suspendWindowNs: 200e6, evalIntervalNs: 10e6 },
    });
    const vm = s.addVm({ name: 'greedy', limit: '100Mbit', highWatermark: 32, lowWatermark: 16 }, 0n);
    const got: { kind: string; name: string; atNs: bigint }[] = [];
    s.on('advice', (a) => got.push(a as never));
    runLoop({ sched: s, nicSpeedsBps: [10e9], sources: [{ vm, length: () => 1500 }], durationNs: 400e6, depth: 48 });
    expect(got.length).toBe(1);
    expect(got[0]).toMatchObject({ kind: 'suspend', name: 'greedy' });
    expect(Number(got[0]!.atNs)).toBeGreaterThanOrEqual(200e6);
    expect(Number(got[0]!.atNs)).toBeLessThan(230e6);
    const text = s.metrics();
    expect(text).toMatch(/# TYPE nicteam_vm_sent_bytes_total counter/);
    expect(text).toMatch(/nicteam_advice_total\{[^}]*kind="suspend"[^}]*\} 1/);
  });
  it('advice: false turns it off', async () => {
    const s = await createScheduler({ nics: [{ name: 'n0', speed: '10Gbit' }], advice: false, clock: () => 0n });
    const vm = s.addVm({ name: 'greedy', limit: '100Mbit', highWatermark: 32, lowWatermark: 16 }, 0n);
    let n = 0;
    s.on('advice', () => n++);
    runLoop({ sched: s, nicSpeedsBps: [10e9], sources: [{ vm, length: () => 1500 }], durationNs: 400e6, depth: 48 });
    expect(n).toBe(0);
  });
});

describe('rates and fairness in stats()', () => {
  it('per-VM EWMA rates, NIC utilization and the team fairness index come with the snapshot', async () => {
    const s = await createScheduler({ nics: [{ name: 'n0', speed: '10Gbit' }], teaming: { policy: 'round-robin' }, capacity: { maxVms: 4, queuePackets: 64 }, clock: () => 0n });
    const a = s.addVm({ name: 'a', shares: 100 }, 0n);
    const b = s.addVm({ name: 'b', shares: 300 }, 0n);
    runLoop({ sched: s, nicSpeedsBps: [10e9], sources: [{ vm: a, length: () => 1500 }, { vm: b, length: () => 1500 }], durationNs: 5e9, depth: 48 });
    const st = s.stats();
    const ra = st.vms.find((v) => v.id === a)!.rateBps, rb = st.vms.find((v) => v.id === b)!.rateBps;
    // after 5 τ the EWMA is within e^-5 of the 2.5 / 7.5 Gbit/s split
    expect(ra / 2.5e9).toBeCloseTo(1, 1);
    expect(rb / 7.5e9).toBeCloseTo(1, 1);
    expect(st.nics[0]!.utilization).toBeGreaterThan(0.95);
    expect(st.team.fairnessIndex).toBeGreaterThan(0.99);
  });
});
