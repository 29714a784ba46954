// advice.test.ts — suspend and migrate advice (DESIGN §5) on the real engine
// driven by a time-stepped host (support/advice-loop.ts): timing against the
// window, the measured excess, the removal set and its numbers, starvation,
// hysteresis against flapping, the minimum interval, and option checks.
import { describe, it, expect } from 'vitest';
import { createScheduler, type Scheduler } from '../src/index.js';
import { Advisor, capacityRemovalSet, prefixRemovalSet, type Advice, type AdvisorOptions, type MigrateAdvice, type SuspendAdvice } from '../src/api/advice.js';
import { RateTracker } from '../src/api/rates.js';
import { HostLoop, type Source } from './support/advice-loop.js';

const S = 1_000_000_000n;
const MS = 1_000_000n;

function vmList(s: Scheduler) {
  return s.vmIds.map((id) => ({ id, name: s.vmName(id)!, ...s.vmConfig(id) }));
}

/** Runs the loop, evaluating the Advisor whenever it is due, as the scheduler will. */
function drive(s: Scheduler, loop: HostLoop, advisor: Advisor, rates: RateTracker, untilNs: bigint, policy: 'pool' | 'pinned', each?: (t: bigint) => void): Advice[] {
  const out: Advice[] = [];
  loop.run(untilNs, (t) => {
    each?.(t);
    if (!advisor.due(t)) return;
    const st = s.stats();
    rates.update(t, st);
    out.push(...advisor.evaluate(t, st, rates, vmList(s), policy));
  });
  return out;
}

describe('suspend', () => {
  async function setup(rate: (t: bigint) => number) {
    const s = await createScheduler({ nics: [{ name: 'vmnic0', speed: 100e6, inFlightBytes: 8000 }], teaming: { policy: 'round-robin' }, capacity: { queuePackets: 64 }, clock: () => 0n });
    const hog = s.addVm({ name: 'hog', limit: 10e6, highWatermark: 32, lowWatermark: 16 }, 0n);
    const calm = s.addVm({ name: 'calm', limit: 10e6, highWatermark: 32, lowWatermark: 16 }, 0n);
    const sources: Source[] = [
      { vm: hog, rateBps: rate, packetBytes: 1000, mode: 'discard' },
      { vm: calm, rateBps: 5e6, packetBytes: 1000, mode: 'discard' },
    ];
    const loop = new HostLoop(s, MS, sources);
    let firstPause: bigint | null = null;
    s.on('vm-pause', (e) => { if (e.vm === hog && firstPause === null) firstPause = loop.t; });
    return { s, loop, hog, calm, onset: () => firstPause };
  }

  it('fires for a VM offered 3× its limit after the window (not before), with the excess within 5%, and not again while it persists', async () => {
    const { s, loop, hog, onset } = await setup(() => 30e6);
    const advisor = new Advisor(), rates = new RateTracker();
    const advice = drive(s, loop, advisor, rates, 70n * S, 'pool');
    expect(onset()).not.toBeNull();
    const sus = advice.filter((a): a is SuspendAdvice => a.kind === 'suspend');
    expect(sus).toHaveLength(1); // one advice in 70 s: the condition never cleared
    expect(advice).toHaveLength(1); // nothing for the calm VM, no migrate
    const a = sus[0]!;
    expect(a.vm).toBe(hog);
    expect(a.name).toBe('hog');
    const late = a.atNs - onset()!;
    expect(late).toBeGreaterThanOrEqual(5n * S);
    expect(late).toBeLessThan(5n * S + 100n * MS);
    expect(a.durationNs).toBeGreaterThanOrEqual(5n * S);
    expect(a.durationNs).toBeLessThanOrEqual(late);
    expect(Math.abs(a.excessBps - 20e6)).toBeLessThan(0.05 * 20e6);
    expect(a.limitBps).toBe(10e6);
    expect(Math.abs(a.sentBps - 10e6)).toBeLessThan(0.05 * 10e6);
    expect(advisor.counts).toEqual({ suspend: 1, migrate: 0 });
  });

  it('after the condition clears and returns, advice repeats only after the minimum interval', async () => {
    // 3× the limit, silent from 8 s to 11 s (the queue drains: the condition clears), then 3× again
    const { s, loop, onset } = await setup((t) => (t >= 8n * S && t < 11n * S ? 0 : 30e6));
    const advisor = new Advisor(), rates = new RateTracker();
    const advice = drive(s, loop, advisor, rates, 70n * S, 'pool');
    const sus = advice.filter((a) => a.kind === 'suspend');
    expect(sus).toHaveLength(2);
    const [a, b] = sus as [SuspendAdvice, SuspendAdvice];
    expect(a.atNs - onset()!).toBeLessThan(5n * S + 100n * MS);
    // the second window completed at ~16 s, but the VM had advice at ~5 s: it waits for 60 s
    expect(b.atNs - a.atNs).toBeGreaterThanOrEqual(60n * S);
    expect(b.atNs - a.atNs).toBeLessThan(60n * S + 100n * MS);
    expect(b.durationNs).toBeGreaterThan(50n * S); // the condition held all along
  });

  it('without the minimum interval, the cleared condition fires again one window after it returns', async () => {
    const { s, loop } = await setup((t) => (t >= 8n * S && t < 11n * S ? 0 : 30e6));
    const advisor = new Advisor({ minIntervalNs: 0 }), rates = new RateTracker();
    const sus = drive(s, loop, advisor, rates, 20n * S, 'pool').filter((a) => a.kind === 'suspend');
    expect(sus).toHaveLength(2);
    expect(sus[1]!.atNs).toBeGreaterThanOrEqual(16n * S);
    expect(sus[1]!.atNs).toBeLessThan(16n * S + 300n * MS);
  });

  it('does not fire for a VM held back by contention rather than its limit', async () => {
    const s = await createScheduler({ nics: [{ name: 'vmnic0', speed: 20e6, inFlightBytes: 8000 }], teaming: { policy: 'round-robin' }, capacity: { queuePackets: 64 }, clock: () => 0n });
    // both limited at 15 Mbit/s, sharing 20 Mbit/s: each gets ~10, below 0.8 × its limit
    const ids = ['x', 'y'].map((name) => s.addVm({ name, limit: 15e6, highWatermark: 32, lowWatermark: 16 }, 0n));
    const loop = new HostLoop(s, MS, ids.map((vm) => ({ vm, rateBps: 40e6, packetBytes: 1000, mode: 'discard' as const })));
    const advice = drive(s, loop, new Advisor({ starveWindowNs: 3_600e9 }), new RateTracker(), 12n * S, 'pool');
    expect(s.stats().vms.every((v) => v.pauses > 0)).toBe(true);
    expect(advice.filter((a) => a.kind === 'suspend')).toEqual([]);
  });
});

describe('migrate', () => {
  it('a NIC failure leaving Σ reservations > capacity advises the smallest lowest-priority set, with the numbers', async () => {
    const s = await createScheduler({
      nics: ['vmnic0', 'vmnic1', 'vmnic2'].map((name) => ({ name, speed: 100e6, inFlightBytes: 8000 })),
      teaming: { policy: 'round-robin' }, capacity: { queuePackets: 64 }, clock: () => 0n,
    });
    const spec = [
      { name: 'db', reservation: 80e6, priority: 4, shares: 100 },
      { name: 'app', reservation: 60e6, priority: 2, shares: 100 },
      { name: 'cache', reservation: 50e6, priority: 2, shares: 50 },
      { name: 'batch', reservation: 40e6, priority: 0, shares: 100 },
      { name: 'backup', reservation: 20e6, priority: 0, shares: 200 },
      { name: 'idle', priority: 0, shares: 10 }, // no reservation: never part of the set
    ];
    const ids = spec.map((v) => s.addVm(v, 0n));
    const loop = new HostLoop(s, MS, ids.map((vm) => ({ vm, rateBps: 70e6, packetBytes: 1500, mode: 'discard' as const })));
    const advisor = new Advisor(), rates = new RateTracker();
    let downAt: bigint | null = null;
    const advice = drive(s, loop, advisor, rates, 4n * S, 'pool', (t) => {
      if (t === 2n * S) { loop.linkDown(2); downAt = t; }
    });
    expect(downAt).not.toBeNull();
    const mig = advice.filter((a): a is MigrateAdvice => a.kind === 'migrate' && a.reason === 'capacity');
    expect(mig).toHaveLength(1);
    const m = mig[0]!;
    expect(m.atNs).toBeGreaterThanOrEqual(downAt!);
    expect(m.atNs - downAt!).toBeLessThan(100n * MS);
    expect(m.nic).toBeNull();
    expect(m.reservedBps).toBe(250e6);
    expect(m.capacityBps).toBe(200e6);
    // deficit 50: lowest priority first (batch 40, backup 20) — both needed, nothing of priority 2 or 4
    expect(m.vms.map((v) => v.name)).toEqual(['batch', 'backup']);
    expect(m.vms.map((v) => v.reservationBps)).toEqual([40e6, 20e6]);
    expect(m.remainingReservedBps).toBe(190e6);
    expect(m.remainingReservedBps).toBeLessThanOrEqual(m.capacityBps);
    // nothing before the failure
    expect(advice.filter((a) => a.atNs < downAt!)).toEqual([]);
  });

  it('per NIC for pinned policies: the failed NIC’s VMs move, and the crowded survivor is named', async () => {
    const s = await createScheduler({
      nics: ['vmnic0', 'vmnic1'].map((name) => ({ name, speed: 100e6, inFlightBytes: 8000 })),
      teaming: { policy: 'port-id' }, capacity: { queuePackets: 64 }, clock: () => 0n,
    });
    const ids = [
      s.addVm({ name: 'p', reservation: 60e6, priority: 4 }, 0n),
      s.addVm({ name: 'q', reservation: 60e6, priority: 1 }, 0n),
      s.addVm({ name: 'r', reservation: 30e6, priority: 3 }, 0n),
    ];
    const loop = new HostLoop(s, MS, ids.map((vm) => ({ vm, rateBps: 20e6, packetBytes: 1500, mode: 'discard' as const })));
    const advisor = new Advisor(), rates = new RateTracker();
    const before = s.stats().nics.map((n) => n.reservedBps);
    expect(before.reduce((a, b) => a + b, 0)).toBe(150e6);
    const advice = drive(s, loop, advisor, rates, 2n * S, 'pinned', (t) => { if (t === S) loop.linkDown(1); });
    const mig = advice.filter((a): a is MigrateAdvice => a.kind === 'migrate');
    expect(mig).toHaveLength(1);
    expect(mig[0]!.nic).toBe('vmnic0');
    expect(mig[0]!.reservedBps).toBe(150e6);
    expect(mig[0]!.capacityBps).toBe(100e6);
    expect(mig[0]!.vms.map((v) => v.name)).toEqual(['q']); // lowest priority, covers the 50 Mbit/s deficit alone
  });

  it('a VM starved below its fair share (pinned to a crowded NIC while another has room) gets migrate after the window', async () => {
    const s = await createScheduler({
      nics: ['vmnic0', 'vmnic1'].map((name) => ({ name, speed: 100e6, inFlightBytes: 8000 })),
      teaming: { policy: 'port-id' }, capacity: { queuePackets: 64 }, clock: () => 0n,
    });
    // placement by unreserved capacity: a → vmnic0, c → vmnic1, b → vmnic0
    const a = s.addVm({ name: 'a', reservation: 10e6 }, 0n);
    const c = s.addVm({ name: 'c', reservation: 50e6 }, 0n);
    const b = s.addVm({ name: 'b', reservation: 10e6 }, 0n);
    expect(s.stats().vms.map((v) => v.nic)).toEqual([0, 1, 0]);
    const loop = new HostLoop(s, MS, [
      { vm: a, rateBps: 200e6, packetBytes: 1500, mode: 'discard' },
      { vm: b, rateBps: 200e6, packetBytes: 1500, mode: 'discard' },
      { vm: c, rateBps: 10e6, packetBytes: 1500, mode: 'discard' },
    ]);
    const advisor = new Advisor(), rates = new RateTracker();
    const advice = drive(s, loop, advisor, rates, 25n * S, 'pinned');
    expect(advice).toHaveLength(1);
    const m = advice[0] as MigrateAdvice;
    expect(m.kind).toBe('migrate');
    expect(m.reason).toBe('starved');
    expect(m.nic).toBe('vmnic0');
    // starved from the start (the fair share is 95 Mbit/s each, they get 50): fires one window later
    expect(m.atNs).toBeGreaterThanOrEqual(10n * S);
    expect(m.atNs).toBeLessThan(10n * S + 200n * MS);
    expect(m.starved.map((x) => x.name)).toEqual(['a', 'b']);
    for (const x of m.starved) {
      expect(Math.abs(x.fairShareBps - 95e6)).toBeLessThan(0.1e6); // (200 − 10) / 2, capped at one NIC
      expect(Math.abs(x.rateBps - 50e6)).toBeLessThan(2.5e6);
    }
    // moving a (lowest id among equals) leaves b alone on vmnic0 at 100 ≥ 0.9 × 95
    expect(m.vms.map((v) => v.name)).toEqual(['a']);
    expect(m.capacityBps).toBe(100e6);
    expect(m.reservedBps).toBe(20e6);
    expect(m.remainingReservedBps).toBe(10e6);
    // what metrics need for the fairness index: backlogged set and fair shares of the last evaluation
    expect([...advisor.backlogged].sort()).toEqual([a, b].sort());
    expect(advisor.fairShares.get(c)!).toBeGreaterThan(9e6);
    expect(advisor.fairShares.get(c)!).toBeLessThan(11e6);
  });

  it('hysteresis: reservations flapping just around capacity give one advice, not a storm', async () => {
    async function flap(lowBps: number) {
      const s = await createScheduler({ nics: ['vmnic0', 'vmnic1'].map((name) => ({ name, speed: 100e6 })), teaming: { policy: 'round-robin' }, clock: () => 0n });
      s.addVm({ name: 'x', reservation: 100e6 }, 0n);
      const y = s.addVm({ name: 'y', reservation: 110e6, priority: 0 }, 0n);
      const loop = new HostLoop(s, 10n * MS);
      const advisor = new Advisor({ minIntervalNs: 0 }), rates = new RateTracker();
      let high = true;
      const advice = drive(s, loop, advisor, rates, 30n * S, 'pool', (t) => {
        if (t % (2n * S) === 0n) { high = !high; s.updateVm(y, { reservation: high ? 110e6 : lowBps }, t); }
      });
      return advice;
    }
    // 105% ↔ 95% of capacity: never below the 90% clearing level
    const near = await flap(90e6);
    expect(near).toHaveLength(1);
    expect((near[0] as MigrateAdvice).vms.map((v) => v.name)).toEqual(['y']);
    // control: 105% ↔ 75% clears each time, so each return fires again
    const far = await flap(50e6);
    expect(far.length).toBeGreaterThanOrEqual(7);
  });

  it('fires again without clearing when the pool gets worse than the advised set covers', async () => {
    const s = await createScheduler({ nics: ['n0', 'n1', 'n2'].map((name) => ({ name, speed: 100e6 })), teaming: { policy: 'round-robin' }, clock: () => 0n });
    for (const [name, r, p] of [['a', 90e6, 4], ['b', 90e6, 2], ['c', 90e6, 1], ['d', 20e6, 0]] as const) s.addVm({ name, reservation: r, priority: p }, 0n);
    const loop = new HostLoop(s, 10n * MS);
    const advisor = new Advisor(), rates = new RateTracker();
    const advice = drive(s, loop, advisor, rates, 3n * S, 'pool', (t) => {
      if (t === S) loop.linkDown(2);      // 290 > 200, deficit 90: the prefix d, c ends at c, which covers it alone
      if (t === 2n * S) loop.linkDown(1); // 290 > 100, deficit 190: c no longer covers it
    }) as MigrateAdvice[];
    expect(advice.map((a) => a.vms.map((v) => v.name))).toEqual([['c'], ['d', 'c', 'b']]);
    expect(advice.map((a) => a.capacityBps)).toEqual([200e6, 100e6]);
  });
});

describe('removal sets', () => {
  it('capacity: the shortest covering prefix bounds the set; the fewest VMs within it', () => {
    expect(capacityRemovalSet([10, 10, 50], 50)).toEqual([2]);        // one VM beats three
    expect(capacityRemovalSet([40, 20, 50], 50)).toEqual([0, 1]);     // never reach past the prefix
    expect(capacityRemovalSet([5, 30, 30, 10], 40)).toEqual([1, 2]);  // prefix ends at 2; 5 alone is short, 30 covers
    expect(capacityRemovalSet([20, 5, 20, 20, 30], 70)).toEqual([0, 2, 4]); // last of prefix + the 2 fewest, earliest first
    expect(capacityRemovalSet([1, 2], 0)).toEqual([]);
    expect(capacityRemovalSet([1, 2], 10)).toEqual([0, 1]);           // cannot cover: everything
  });

  it('generic: shortest prefix then pruned from its end', () => {
    const w = [3, 1, 1, 5];
    const ok = (need: number) => (r: ReadonlySet<number>) => [...r].reduce((a, i) => a + w[i]!, 0) >= need;
    expect(prefixRemovalSet(4, ok(0))).toEqual([]);
    expect(prefixRemovalSet(4, ok(4))).toEqual([0, 1]);
    expect(prefixRemovalSet(4, ok(8))).toEqual([0, 3]);
    expect(prefixRemovalSet(4, ok(99))).toEqual([0, 1, 2, 3]);
  });
});

describe('Advisor options and cadence', () => {
  it('validates options with stable error codes', () => {
    const bad: [AdvisorOptions | Record<string, unknown>, string][] = [
      [{ hysteresis: 1.5 }, 'OUT_OF_RANGE'], [{ evalIntervalNs: 0 }, 'OUT_OF_RANGE'], [{ suspendWindowNs: -1 }, 'OUT_OF_RANGE'],
      [{ windowNs: 1 }, 'UNKNOWN_KEY'], [{ backlogPackets: 1.5 }, 'INVALID_CONFIG'],
    ];
    for (const [o, code] of bad) expect(() => new Advisor(o as AdvisorOptions)).toThrow(expect.objectContaining({ code }));
    const a = new Advisor({ evalIntervalNs: 50_000_000n, suspendWindowNs: 2e9 });
    expect(a.options.evalIntervalNs).toBe(50_000_000n);
    expect(a.options.suspendWindowNs).toBe(2_000_000_000n);
    expect(a.options.minIntervalNs).toBe(60_000_000_000n);
  });

  it('evaluates at most once per interval, and survives a backwards clock', async () => {
    const s = await createScheduler({ nics: [{ name: 'n', speed: 1e9 }], clock: () => 0n });
    s.addVm({ name: 'v', reservation: 2e9 }, 0n); // infeasible from the start
    const a = new Advisor({ capacityWindowNs: 250_000_000 }), r = new RateTracker();
    const ev = (t: bigint) => { const st = s.stats(); r.update(t, st); return a.evaluate(t, st, r, vmList(s), 'pool'); };
    expect(ev(0n)).toEqual([]);                      // the window starts
    expect(a.due(50n * MS)).toBe(false);
    expect(ev(50n * MS)).toEqual([]);                // not due: no work
    expect(ev(100n * MS)).toEqual([]);
    expect(ev(200n * MS)).toEqual([]);
    expect(a.due(50n * MS)).toBe(true);
    expect(ev(50n * MS)).toEqual([]);                // clock went back: restarts the window at 50 ms
    expect(ev(150n * MS)).toEqual([]);
    expect(ev(250n * MS)).toEqual([]);               // 250 ms after 0, but only 200 after the restart
    expect(ev(300n * MS)).toEqual([]);               // not due (50 ms after the last)
    expect(ev(350n * MS)).toHaveLength(1);           // 300 ms after the restart
  });

  it('is deterministic: two identical runs give identical advice', async () => {
    async function once() {
      const s = await createScheduler({ nics: [{ name: 'vmnic0', speed: 100e6, inFlightBytes: 8000 }], teaming: { policy: 'round-robin' }, capacity: { queuePackets: 64 }, clock: () => 0n });
      const v = s.addVm({ name: 'hog', limit: 10e6, highWatermark: 32, lowWatermark: 16 }, 0n);
      const loop = new HostLoop(s, MS, [{ vm: v, rateBps: 30e6, packetBytes: 1000, mode: 'discard' }]);
      return drive(s, loop, new Advisor({ suspendWindowNs: 1e9 }), new RateTracker(), 3n * S, 'pool');
    }
    const [x, y] = [await once(), await once()];
    expect(x).toHaveLength(1);
    expect(y).toEqual(x);
  });
});
