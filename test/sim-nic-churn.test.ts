// sim-nic-churn.test.ts — NICs removed and added in the middle of a run: the
// removed NIC fails over and leaves the engine's team, nothing is lost, and a
// NIC added later takes the next VM placed.
import { describe, it, expect } from 'vitest';
import { Simulation } from '../src/sim/simulation.js';
import { validateScenario } from '../src/scenario/load.js';

describe('remove-nic and add-nic faults', () => {
  it('fail over, leave the team, lose nothing; the new NIC carries traffic', async () => {
    const scenario = validateScenario({
      durationMs: 300, seed: 7, sampleIntervalMs: 10,
      teaming: { policy: 'port-id' },
      nics: [{ name: 'a', speed: '1Gbit' }, { name: 'b', speed: '1Gbit' }],
      vms: [
        { name: 'x', mac: '00:50:56:00:00:01', source: { type: 'greedy', sizeBytes: 1500 } },
        { name: 'y', mac: '00:50:56:00:00:02', source: { type: 'greedy', sizeBytes: 1500 } },
      ],
      faults: [
        { type: 'remove-nic', nic: 'b', atMs: 100 },
        { type: 'add-nic', nic: { name: 'c', speed: '1Gbit' }, atMs: 200 },
        // port-id moves VMs only on failure: a VM added now is placed on the new, empty NIC
        { type: 'add-vm', vm: { name: 'z', mac: '00:50:56:00:00:03', source: { type: 'greedy', sizeBytes: 1500 } }, atMs: 220 },
      ],
    });
    const sim = await Simulation.create(scenario);
    sim.step(scenario.durationNs);
    const r = sim.result();
    expect(r.conservation.ok).toBe(true);
    expect(r.conservation.violations).toBe(0);
    expect(sim.engine.nicNames).toEqual(['a', 'c']); // b left the team
    expect(sim.engine.nicIndex('c')).toBe(2); // a fresh slot: b's history keeps its index
    const st = sim.engine.stats();
    expect(st.vms.find((v) => v.name === 'z')!.nic).toBe(2);
    expect(st.nics.find((n) => n.name === 'c')!.sentBytes).toBeGreaterThan(0);
    expect(st.team.failovers).toBe(1);
  });
});
