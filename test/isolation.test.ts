// isolation.test.ts — a guest cannot take another VM's allocation: forged
// transmits through port-based classification are rejected (or charged to the
// port), spoofing a MAC charges the spoofer, and a flood of tiny frames cannot
// push a victim below its reservation or its byte share (DESIGN §2, §4).
import { describe, it, expect } from 'vitest';
import { createScheduler, Status } from '../src/index.js';
import { buildFrame } from '../src/frames/build.js';
import { runLoop, bytesByVm, releasesOf, createTeam } from './support/loop.js';

const frameFrom = (mac: string, len = 1000) => buildFrame({ src: mac, dst: '00:11:22:33:44:55', ipv4: { src: '10.0.0.1', dst: '10.0.0.2' }, l4: { proto: 'udp', sport: 1, dport: 2 }, length: len });

describe('forged transmits with port-based classification', () => {
  for (const policy of ['reject', 'accept'] as const) {
    it(`policy ${policy}: a frame whose source MAC is not its port's VM is ${policy === 'reject' ? 'rejected' : 'charged to the port'} and counted`, async () => {
      const s = await createScheduler({ nics: [{ name: 'n', speed: '10Gbit' }], forgedTransmits: policy, clock: () => 0n });
      const a = s.addVm({ name: 'a', mac: '00:50:56:00:00:0a' });
      const b = s.addVm({ name: 'b', mac: '00:50:56:00:00:0b' });
      // a's port sends one honest frame, one with b's MAC, one with an unknown MAC
      const r = s.enqueueFramesFromPorts(a, [frameFrom('00:50:56:00:00:0a'), frameFrom('00:50:56:00:00:0b'), frameFrom('00:50:56:00:00:99')], [1, 2, 3], undefined, 1n);
      const st = [...r.statuses.subarray(0, r.count)];
      expect(st[0]).toBe(Status.queued);
      expect(st.slice(1)).toEqual(policy === 'reject' ? [Status.forged, Status.forged] : [Status.queued, Status.queued]);
      const stats = s.stats();
      const va = stats.vms.find((v) => v.id === a)!, vb = stats.vms.find((v) => v.id === b)!;
      expect(va.forgedPackets).toBe(2);
      expect(va.forgedBytes).toBe(2000);
      expect(stats.team.forged).toBe(2);
      expect(va.acceptedPackets).toBe(policy === 'reject' ? 1 : 3);
      expect(vb.acceptedPackets).toBe(0); // never charged to the VM whose MAC was spoofed
    });
  }
  it('an unknown port gets status unknown-vm; a runt frame malformed', async () => {
    const s = await createScheduler({ nics: [{ name: 'n', speed: '10Gbit' }], clock: () => 0n });
    const r = s.enqueueFramesFromPorts([77, 0], [frameFrom('00:50:56:00:00:0a'), new Uint8Array(10)], [1, 2], undefined, 1n);
    expect([...r.statuses.subarray(0, 2)]).toEqual([Status.unknownVm, Status.malformed]);
  });
});

describe('spoofing by MAC classification', () => {
  it('with MAC classification a spoofed frame lands on the owner of the MAC; with ports it does not', async () => {
    const s = await createScheduler({ nics: [{ name: 'n', speed: '10Gbit' }], clock: () => 0n });
    const a = s.addVm({ name: 'a', mac: '00:50:56:00:00:0a' });
    const b = s.addVm({ name: 'b', mac: '00:50:56:00:00:0b' });
    const spoof = frameFrom('00:50:56:00:00:0b');
    expect([...s.enqueueFrames([spoof], [1], undefined, 1n).vms.subarray(0, 1)]).toEqual([b]);
    const r = s.enqueueFramesFromPorts(a, [spoof], [2], undefined, 2n);
    expect(r.statuses[0]).toBe(Status.forged);
    expect(s.stats().vms.find((v) => v.id === b)!.acceptedPackets).toBe(1);
  });
});

describe('tiny-frame floods', () => {
  it('a 64-byte flood cannot push a 1500-byte victim below its reservation', async () => {
    const speed = 10e9;
    const s = await createTeam({ policy: 'round-robin', nicSpeedsBps: [speed], queuePackets: 256 });
    const victim = s.addVm({ name: 'victim', reservation: '3Gbit', shares: 1 }, 0n);
    const flooders = [0, 1, 2].map((k) => s.addVm({ name: `flood${k}`, shares: 10_000, priority: 7 }, 0n));
    const T = 2_000_000;
    const r = runLoop({ sched: s, nicSpeedsBps: [speed], durationNs: T, depth: 128,
      sources: [{ vm: victim, length: () => 1500 }, ...flooders.map((vm) => ({ vm, length: () => 64 }))] });
    // every window of the run: reserved bytes minus 2 MTU (DESIGN §2)
    const { t, len } = releasesOf(r.trace, victim);
    let worst = Infinity;
    for (let i = 0; i < t.length; i += 7) {
      for (let j = i + 50; j < t.length; j += 97) {
        const bytes = len.slice(i, j).reduce((a, b) => a + b, 0);
        worst = Math.min(worst, bytes - (3e9 / 8) * ((t[j]! - t[i]!) / 1e9) + 2 * 1518);
      }
    }
    expect(worst).toBeGreaterThanOrEqual(0);
    const got = bytesByVm(r.trace, 0, T).get(victim)! * 8 / (T / 1e9);
    expect(got).toBeGreaterThan(2.9e9);
  });
  it('with equal shares the victim gets half the bytes, not a share of packets', async () => {
    const s = await createTeam({ policy: 'round-robin', nicSpeedsBps: [10e9], queuePackets: 256 });
    const victim = s.addVm({ name: 'victim' }, 0n);
    const flood = s.addVm({ name: 'flood' }, 0n);
    const T = 1_000_000;
    const r = runLoop({ sched: s, nicSpeedsBps: [10e9], durationNs: T, depth: 128,
      sources: [{ vm: victim, length: () => 1500 }, { vm: flood, length: () => 64 }] });
    const by = bytesByVm(r.trace, T / 10, T);
    const share = by.get(victim)! / (by.get(victim)! + by.get(flood)!);
    expect(Math.abs(share - 0.5)).toBeLessThan(0.01);
  });
});
