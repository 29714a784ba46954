// team.test.ts — NIC team semantics (DESIGN §3): every policy under random link
// failures loses nothing and never names a down NIC; order per flow where the
// policy promises it; spreading, placement, failback, delays, notify, pause,
// load-based rebalancing, NIC add/remove, and the documented event order.
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { createScheduler, type Scheduler, type TeamingPolicy, type SchedulerEvents, type EventName } from '../src/index.js';
import { drive, inOrder, type Flow } from './support/team-driver.js';

const G = 1e9;

async function team(policy: TeamingPolicy, speeds: number[], extra: Record<string, unknown> = {}, vmCount = 4, inFlightBytes = 12_000): Promise<Scheduler> {
  const s = await createScheduler({
    nics: speeds.map((speed, i) => ({ name: `vmnic${i}`, speed, inFlightBytes })),
    teaming: { policy, flowletGapUs: 200, ...extra },
    capacity: { maxVms: 64, queuePackets: 64, batchSize: 64 },
    clock: () => 0n,
  });
  for (let v = 0; v < vmCount; v++) s.addVm({ name: `vm${v}`, mac: `00:50:56:00:00:${(v + 1).toString(16).padStart(2, '0')}` }, 0n);
  return s;
}

function flowsFor(vms: number, perVm: number, seed: number): Flow[] {
  const out: Flow[] = [];
  let x = seed >>> 0;
  for (let v = 0; v < vms; v++) for (let k = 0; k < perVm; k++) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    out.push({ vm: v, hash: x, len: 200 + ((x >>> 8) % 1300) });
  }
  return out;
}

const ALL: TeamingPolicy[] = ['round-robin', 'least-load', 'port-id', 'failover-order', 'src-mac-hash', 'flow-hash', 'load-based', 'flowlet'];

describe('random link failures under load', () => {
  for (const policy of ALL) {
    it(`${policy}: no decision to a down NIC, nothing lost, every handle completed exactly once`, async () => {
      await fc.assert(fc.asyncProperty(
        fc.array(fc.record({ t: fc.integer({ min: 1, max: 190 }), nic: fc.integer({ min: 0, max: 2 }), up: fc.boolean() }), { maxLength: 8 }),
        fc.integer(),
        async (evs, seed) => {
          const s = await team(policy, [10 * G, 10 * G, 25 * G]);
          const r = drive({
            sched: s, speeds: [10 * G, 10 * G, 25 * G], flows: flowsFor(4, 3, seed),
            links: [...evs.map((e) => ({ t: e.t * 1000, nic: e.nic, up: e.up })), ...[0, 1, 2].map((nic) => ({ t: 200_000, nic, up: true }))],
            durationNs: 400_000, stopAtNs: 150_000,
          });
          expect(r.decisionsToDownNic).toBe(0);
          expect(r.completedTwice).toBe(0);
          expect(r.lost).toBe(0);
          expect(r.completed).toBe(r.generated); // drained: all came out
          expect(r.generated).toBeGreaterThan(200);
        },
      ), { numRuns: 12, seed: 42 });
    });
  }
});

describe('order per flow', () => {
  for (const policy of ['port-id', 'failover-order', 'src-mac-hash', 'load-based', 'flowlet'] as TeamingPolicy[]) {
    it(`${policy} keeps every flow in order, also across failover and failback in a 2-NIC team`, async () => {
      const s = await team(policy, [10 * G, 10 * G]);
      const r = drive({
        sched: s, speeds: [10 * G, 10 * G], flows: flowsFor(4, 4, 7),
        links: [{ t: 60_000, nic: 0, up: false }, { t: 140_000, nic: 0, up: true }], durationNs: 400_000, stopAtNs: 200_000,
      });
      expect(r.lost).toBe(0);
      expect(r.completed).toBeGreaterThan(300);
      expect(inOrder(r.order)).toBe(true);
    });
  }
  it('flow-hash keeps every flow in order across a failover (a failback may re-map flows, as in bonding)', async () => {
    const s = await team('flow-hash', [10 * G, 10 * G]);
    const r = drive({
      sched: s, speeds: [10 * G, 10 * G], flows: flowsFor(4, 4, 7),
      links: [{ t: 60_000, nic: 0, up: false }], durationNs: 400_000, stopAtNs: 200_000,
    });
    expect(r.lost).toBe(0);
    expect(r.completed).toBeGreaterThan(300);
    expect(inOrder(r.order)).toBe(true);
  });
  it('a pinned VM moved between up NICs waits for its in-flight packets (no reordering on failback)', async () => {
    const s = await team('port-id', [10 * G, 10 * G], {}, 1);
    const r = drive({
      sched: s, speeds: [10 * G, 10 * G], flows: [{ vm: 0, hash: 5, len: 1000 }],
      links: [{ t: 60_000, nic: 0, up: false }, { t: 140_000, nic: 0, up: true }], durationNs: 400_000, stopAtNs: 200_000,
    });
    expect(r.vmNics.get(0)).toEqual([0, 1, 0]);
    expect(inOrder(r.order)).toBe(true);
  });
  it('round-robin and least-load reorder (documented): the test sees it happen', async () => {
    for (const policy of ['round-robin', 'least-load'] as TeamingPolicy[]) {
      const s = await team(policy, [10 * G, 1 * G]);
      // a single flow: consecutive packets go to different NICs of different speeds
      const r = drive({ sched: s, speeds: [10 * G, 1 * G], flows: [{ vm: 0, hash: 1, len: 1500 }], durationNs: 200_000 });
      expect(inOrder(r.order)).toBe(false);
    }
  });
});

describe('spreading', () => {
  it('round-robin spreads packets evenly over equal NICs', async () => {
    const s = await team('round-robin', [10 * G, 10 * G, 10 * G]);
    const r = drive({ sched: s, speeds: [10 * G, 10 * G, 10 * G], flows: flowsFor(4, 2, 3).map((f) => ({ ...f, len: 1000 })), durationNs: 300_000, stopAtNs: 300_000 });
    const total = r.nicBytes.reduce((a, b) => a + b, 0);
    for (const b of r.nicBytes) expect(Math.abs(b / total - 1 / 3)).toBeLessThan(0.01);
  });
  it('least-load equalizes in-flight bytes relative to speed (10G vs 25G)', async () => {
    const speeds = [10 * G, 25 * G];
    // in-flight limits large enough never to bind: the choice alone must balance
    const s = await team('least-load', speeds, {}, 4, 1 << 20);
    // offered ≈ 32 Gbit/s of 35: NIC queues stay short, so only the choice can balance them
    const r = drive({ sched: s, speeds, flows: flowsFor(4, 2, 5).map((f) => ({ ...f, len: 1000 })), durationNs: 300_000, stopAtNs: 300_000, depth: 2 });
    // bytes carried follow speed: 10/35 and 25/35
    const total = r.nicBytes[0]! + r.nicBytes[1]!;
    expect(r.nicBytes[0]! / total).toBeCloseTo(10 / 35, 1);
    // queued work (ns) per NIC stays equal within one max packet's time on the slow NIC
    const diffs = r.backlogNs[0]!.map((b, i) => Math.abs(b - r.backlogNs[1]![i]!)).slice(10);
    const mean = diffs.reduce((a, b) => a + b, 0) / diffs.length;
    expect(mean).toBeLessThan((1500 * 8e9) / (10 * G));
  });
  it('flow-hash keeps each flow on one NIC and uses every NIC', async () => {
    const s = await team('flow-hash', [10 * G, 10 * G, 10 * G]);
    const flows = flowsFor(4, 8, 11);
    const r = drive({ sched: s, speeds: [10 * G, 10 * G, 10 * G], flows, durationNs: 200_000 });
    expect(r.nicBytes.every((b) => b > 0)).toBe(true);
    expect(inOrder(r.order)).toBe(true);
  });
});

describe('placement', () => {
  it('port-id places VMs on the NIC with the most unreserved capacity', async () => {
    const s = await createScheduler({ nics: [{ name: 'a', speed: '10Gbit' }, { name: 'b', speed: '10Gbit' }], teaming: { policy: 'port-id' }, clock: () => 0n });
    const v1 = s.addVm({ name: 'v1', reservation: '6Gbit' });
    const v2 = s.addVm({ name: 'v2', reservation: '3Gbit' });
    const v3 = s.addVm({ name: 'v3', reservation: '2Gbit' });
    const v4 = s.addVm({ name: 'v4' });
    const nic = (id: number) => s.stats().vms.find((v) => v.id === id)!.nic;
    expect(nic(v1)).toBe(0);   // both free: lowest index
    expect(nic(v2)).toBe(1);   // a has 4G free, b 10G
    expect(nic(v3)).toBe(1);   // a 4G, b 7G
    expect(nic(v4)).toBe(1);   // a 4G, b 5G
    expect(s.stats().nics.map((n) => n.reservedBps)).toEqual([6e9, 5e9]);
  });
  it('failover-order uses the first up NIC of the list and walks it on failure; failback returns', async () => {
    const s = await createScheduler({ nics: ['a', 'b', 'c'].map((name) => ({ name, speed: 10e9 })), teaming: { policy: 'failover-order' }, clock: () => 0n });
    const v = s.addVm({ name: 'v', mac: '00:50:56:00:00:01', failoverOrder: ['c', 'a'] });
    const nic = () => s.stats().vms[0]!.nic;
    expect(nic()).toBe(2);
    s.setLink('c', false, 1n); expect(nic()).toBe(0);
    s.setLink('a', false, 2n); expect(nic()).toBe(0); // b is not in its list: it waits, queued
    s.enqueue(v, [100], [1], undefined, 3n);
    expect(s.poll(4n).count).toBe(0);
    s.setLink('c', true, 5n); expect(nic()).toBe(2);
    expect(s.poll(6n).count).toBe(1);
  });
  it('src-mac-hash pins each VM by its MAC and re-hashes on link changes', async () => {
    const s = await team('src-mac-hash', [10 * G, 10 * G], {}, 16);
    const nics = () => s.stats().vms.map((v) => v.nic);
    const before = nics();
    expect(new Set(before).size).toBe(2); // 16 MACs land on both
    s.setLink(1, false, 1n);
    expect(nics().every((n) => n === 0)).toBe(true);
    s.setLink(1, true, 2n);
    expect(nics()).toEqual(before);
  });
});

describe('failover and failback', () => {
  it('failback on: VMs return to their home NIC; off: they stay', async () => {
    for (const failback of [true, false]) {
      const s = await team('port-id', [10 * G, 10 * G], { failback });
      const home = s.stats().vms.map((v) => v.nic);
      s.setLink(0, false, 1n);
      expect(s.stats().vms.every((v) => v.nic === 1)).toBe(true);
      s.setLink(0, true, 2n);
      expect(s.stats().vms.map((v) => v.nic)).toEqual(failback ? home : home.map(() => 1));
    }
  });
  it('downDelay filters a flap shorter than the delay; a longer outage fails over after the delay', async () => {
    const s = await team('port-id', [10 * G, 10 * G], { downDelayMs: 5, upDelayMs: 10 });
    const events: string[] = [];
    s.on('link', (e) => events.push(`link ${e.nic} ${e.up}`));
    s.setLink(0, false, 1_000_000n);
    s.setLink(0, true, 3_000_000n);   // back within 5 ms: nothing happens
    s.poll(10_000_000n);
    expect(events).toEqual([]);
    s.setLink(0, false, 20_000_000n);
    expect(s.poll(24_000_000n).nextWakeNs).toBe(25_000_000n); // the host is told when to come back
    expect(events).toEqual([]);
    s.poll(25_000_000n);
    expect(events).toEqual(['link vmnic0 false']);
    s.setLink(0, true, 30_000_000n);
    s.poll(39_999_999n);
    expect(events).toHaveLength(1);
    s.poll(40_000_000n);
    expect(events).toEqual(['link vmnic0 false', 'link vmnic0 true']);
  });
  it('all NICs down: packets queue, team-down fires, nothing is released, team-up on return', async () => {
    const s = await team('round-robin', [10 * G, 10 * G]);
    const seen: string[] = [];
    s.onAny((t) => seen.push(t));
    s.setLink(0, false, 1n); s.setLink(1, false, 2n);
    expect(seen).toContain('team-down');
    const r = s.enqueue(0, [1000, 1000], [1, 2], undefined, 3n);
    expect(r.accepted).toBe(2);
    expect(s.poll(4n).count).toBe(0);
    s.setLink(1, true, 5n);
    expect(seen).toContain('team-up');
    const p = s.poll(6n);
    expect([...p.nics.subarray(0, p.count)]).toEqual([1, 1]);
  });
});

describe('events', () => {
  it('failover order of events: link, notify per moved VM, failover (with moves and re-steered count), then capacity', async () => {
    const s = await createScheduler({
      nics: [{ name: 'a', speed: '10Gbit', inFlightBytes: 100_000 }, { name: 'b', speed: '10Gbit', inFlightBytes: 100_000 }],
      teaming: { policy: 'port-id' }, clock: () => 0n,
    });
    s.addVm({ name: 'x', mac: '00:50:56:00:00:01', reservation: '8Gbit' });
    s.addVm({ name: 'y', mac: ['00:50:56:00:00:02', '00:50:56:00:00:03'], reservation: '8Gbit' });
    s.enqueue(0, [1500, 1500], [1, 2], undefined, 1n);
    s.poll(2n);
    const log: [EventName, SchedulerEvents[EventName]][] = [];
    s.onAny((t, e) => log.push([t, e]));
    s.setLink('a', false, 3n);
    expect(log.map(([t]) => t)).toEqual(['link', 'notify', 'failover', 'capacity', 'capacity']);
    const notify = log[1]![1] as SchedulerEvents['notify'];
    expect(notify).toMatchObject({ name: 'x', macs: ['00:50:56:00:00:01'], nic: 'b' });
    const fo = log[2]![1] as SchedulerEvents['failover'];
    expect(fo).toMatchObject({ nic: 'a', resteered: 2, moves: [{ name: 'x', from: 'a', to: 'b' }] });
    const cap = log[3]![1] as SchedulerEvents['capacity'];
    expect(cap).toMatchObject({ nic: null, reservedBps: 16e9, availableBps: 10e9 });
    // re-steered packets come out first, on b
    const p = s.poll(4n);
    expect([...p.handles.subarray(0, p.count)]).toEqual([1, 2]);
    expect([...p.nics.subarray(0, p.count)]).toEqual([1, 1]);
  });
  it('notify repeats notifyCount times, notifyIntervalMs apart; pauseOnFailover pauses then resumes moved VMs', async () => {
    const s = await team('port-id', [10 * G, 10 * G], { notifyCount: 3, notifyIntervalMs: 2, pauseOnFailoverMs: 5 }, 2);
    const got: string[] = [];
    s.on('notify', (e) => got.push(`notify ${e.name}`));
    s.on('vm-pause', (e) => got.push(`pause ${e.name} ${e.reason}`));
    s.on('vm-resume', (e) => got.push(`resume ${e.name} ${e.reason}`));
    const onA = s.stats().vms.filter((v) => v.nic === 0).map((v) => v.name);
    expect(onA).toEqual(['vm0']); // placement spreads VMs without reservations by count
    s.setLink(0, false, 0n);
    expect(got).toEqual(['notify vm0', 'pause vm0 failover']);
    expect(s.poll(1_000_000n).nextWakeNs).toBe(2_000_000n);
    s.poll(2_000_000n);
    s.poll(4_000_000n);
    expect(got).toEqual(['notify vm0', 'pause vm0 failover', 'notify vm0', 'notify vm0']);
    s.poll(5_000_000n);
    expect(got[got.length - 1]).toBe('resume vm0 failover');
  });
});

describe('load-based', () => {
  it('moves a VM off a NIC above the threshold after the window, and not back within the cooldown', async () => {
    const speeds = [10 * G, 10 * G];
    const s = await createScheduler({
      nics: speeds.map((speed, i) => ({ name: `n${i}`, speed, inFlightBytes: 12_000 })),
      teaming: { policy: 'load-based', loadBased: { thresholdPercent: 75, windowMs: 2, cooldownMs: 50, intervalMs: 1 } },
      capacity: { maxVms: 8, queuePackets: 64, batchSize: 64 }, clock: () => 0n,
    });
    // v0 and v2 land on n0 (placement alternates), v1 on n1 ... then make n1's VM idle
    for (let v = 0; v < 3; v++) s.addVm({ name: `v${v}`, limit: v === 0 ? '6Gbit' : '5Gbit' });
    const place = s.stats().vms.map((v) => v.nic);
    expect(place).toEqual([0, 1, 0]);
    const moves: SchedulerEvents['rebalance'][] = [];
    s.on('rebalance', (e) => moves.push(e));
    const r = drive({
      sched: s, speeds, flows: [{ vm: 0, hash: 1, len: 1500 }, { vm: 2, hash: 2, len: 1500 }], durationNs: 20_000_000, stepNs: 5_000, depth: 32,
      stopAtNs: 20_000_000,
    });
    expect(r.lost).toBe(0);
    // n0 carried 11 Gbit/s of limit on a 10G link: ~100% > 75%; after 2 ms one VM moves to n1
    expect(moves.length).toBe(1);
    expect(moves[0]).toMatchObject({ from: 'n0', to: 'n1' });
    expect(moves[0]!.fromUtilization).toBeGreaterThan(0.75);
    // and nothing moves back within the cooldown (the run is shorter than 50 ms)
    const moved = s.vmId(moves[0]!.name!)!;
    expect(r.vmNics.get(moved)).toEqual([0, 1]);
  });
});

describe('NICs added and removed at run time', () => {
  it('a removed NIC fails over first (nothing lost); an added NIC takes new placements', async () => {
    const s = await team('port-id', [10 * G, 10 * G]);
    s.enqueue(0, [1500, 1500, 1500], [1, 2, 3], undefined, 1n);
    s.poll(2n);
    s.removeNic('vmnic0', 3n);
    expect(s.nicNames).toEqual(['vmnic1']);
    expect(s.stats().vms.every((v) => v.nic === 1)).toBe(true);
    const p = s.poll(4n);
    expect([...p.handles.subarray(0, p.count)].sort()).toEqual([1, 2, 3]);
    const i = s.addNic({ name: 'vmnic9', speed: '25Gbit' });
    expect(i).toBe(2); // a fresh slot: the removed NIC's index stays free while others are
    const v = s.addVm({ name: 'late' });
    expect(s.stats().vms.find((x) => x.id === v)!.nic).toBe(2); // most unreserved capacity
  });
});
