// sim-failover.test.ts — the built-in default scenario's failover, end to end
// through the real engine: vmnic1 fails at 2 s and recovers at 4 s.
// Checked: no packet lost (every accepted handle is completed exactly once,
// or still queued / in flight at the end; the engine's own counters agree),
// traffic moves to vmnic0 during 2–4 s and back after, and the notify events
// name the MACs of exactly the VMs that moved.

import { describe, it, expect, beforeAll } from 'vitest';
import { Simulation } from '../src/sim/simulation.js';
import { defaultScenario } from '../src/scenario/default.js';
import type { SimResult } from '../src/sim/types.js';
import type { StatsSnapshot } from '../src/index.js';

let result: SimResult;
let stats: StatsSnapshot;
const macsOf = new Map<string, string[]>();

beforeAll(async () => {
  const scenario = defaultScenario();
  for (const v of scenario.vms) macsOf.set(v.config.name, [v.config.mac as string]);
  const sim = await Simulation.create(scenario);
  sim.step(scenario.durationNs);
  result = sim.result();
  stats = sim.engine.stats();
}, 180_000);

const iv = () => result.scenario.sampleIntervalNs;
/** Interval indices whose whole span lies in [fromS, toS). */
function intervals(fromS: number, toS: number): number[] {
  return result.timeNs.map((t, k) => [t, k] as const).filter(([t]) => t - iv() >= fromS * 1e9 && t <= toS * 1e9).map(([, k]) => k);
}

describe('default scenario failover', () => {
  it('loses no packet: accepted = sent + queued + in flight, each handle completed once', () => {
    const c = result.conservation;
    expect(c.violations).toBe(0);
    expect(c.accepted).toBe(c.completed + c.queued + c.inFlight + c.returned);
    expect(c.returned).toBe(0);
    expect(c.ok).toBe(true);
    // the engine's counters tell the same story
    const engineSent = stats.vms.reduce((s, v) => s + v.sentPackets, 0);
    const engineAccepted = stats.vms.reduce((s, v) => s + v.acceptedPackets, 0);
    const engineQueued = stats.vms.reduce((s, v) => s + v.queuedPackets, 0);
    const engineInFlight = stats.nics.reduce((s, n) => s + n.inFlightPackets, 0);
    expect(engineSent).toBe(c.completed);
    expect(engineAccepted).toBe(c.accepted);
    expect(engineQueued).toBe(c.queued);
    expect(engineInFlight).toBe(c.inFlight);
    expect(stats.vms.reduce((s, v) => s + v.droppedPackets, 0)).toBe(0);
    // per VM: sent + backlog = accepted
    for (const v of result.vms) expect(v.sentPackets).toBeLessThanOrEqual(v.acceptedPackets);
  });

  it('re-steers the in-flight packets of the failed NIC', () => {
    const failover = result.events.find((e) => e.type === 'failover')!;
    expect(failover.tNs).toBe(2e9);
    expect(failover.nic).toBe('vmnic1');
    expect(failover.resteered as number).toBeGreaterThan(0);
    expect(result.nics.find((n) => n.name === 'vmnic1')!.failovers).toBe(1);
  });

  it('moves traffic to the surviving NIC during 2–4 s and back after', () => {
    const nic0 = result.nics.find((n) => n.name === 'vmnic0')!, nic1 = result.nics.find((n) => n.name === 'vmnic1')!;
    const before = intervals(0.1, 2), during = intervals(2, 4), after = intervals(4.1, 6);
    expect(during.length).toBe(200);
    for (const k of before) expect(nic1.series.utilization[k]).toBeGreaterThan(0.9);
    for (const k of during) {
      expect(nic1.series.utilization[k]).toBe(0);
      expect(nic1.series.up[k]).toBe(0);
      expect(nic0.series.utilization[k]).toBeGreaterThan(0.99);
    }
    for (const k of after) expect(nic1.series.utilization[k]).toBeGreaterThan(0.9);
    // the VMs that lived on vmnic1 keep sending through vmnic0 during the failure (those the ideal
    // allocation gives anything: strict priority rightly starves low classes without a reservation)
    const failover = result.events.find((e) => e.type === 'failover')!;
    const moved = (failover.moves as { name: string }[]).map((m) => m.name);
    expect(moved.length).toBeGreaterThan(0);
    let movedSent = 0;
    for (const name of moved) {
      const v = result.vms.find((x) => x.name === name)!;
      const sentDuring = during.reduce((s, k) => s + (v.series.sentBps[k] ?? 0), 0);
      const idealDuring = during.reduce((s, k) => s + (v.series.idealBps[k] ?? 0), 0);
      if (idealDuring > 1e6) expect(sentDuring).toBeGreaterThan(0);
      movedSent += sentDuring;
    }
    expect(movedSent).toBeGreaterThan(0);
    // the team still carries a full link's worth while one NIC is down
    const total = (k: number) => result.vms.reduce((s, v) => s + (v.series.sentBps[k] ?? 0), 0);
    for (const k of during) expect(total(k)).toBeGreaterThan(9e9);
    for (const k of after.slice(5)) expect(total(k)).toBeGreaterThan(18e9);
  });

  it('notify events name the moved VMs and their MACs, at failover and at failback', () => {
    for (const type of ['failover', 'failback'] as const) {
      const ev = result.events.find((e) => e.type === type)!;
      const moves = ev.moves as { name: string; to: string }[];
      const notifies = result.events.filter((e) => e.type === 'notify' && e.tNs === ev.tNs);
      expect(notifies.map((n) => n.name).sort()).toEqual(moves.map((m) => m.name).sort());
      for (const m of moves) {
        const n = notifies.find((x) => x.name === m.name)!;
        expect(n.macs).toEqual(macsOf.get(m.name));
        expect(n.nic).toBe(m.to);
      }
    }
    const failover = result.events.find((e) => e.type === 'failover')!;
    for (const m of failover.moves as { from: string; to: string }[]) { expect(m.from).toBe('vmnic1'); expect(m.to).toBe('vmnic0'); }
    const failback = result.events.find((e) => e.type === 'failback')!;
    expect(failback.tNs).toBe(4e9);
    for (const m of failback.moves as { to: string }[]) expect(m.to).toBe('vmnic1');
  });
});
