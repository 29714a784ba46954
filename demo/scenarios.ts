// scenarios.ts — the teams the demo page can run, in the scenario file format
// (src/scenario/schema.ts) and validated by the same code as a file.
//
// 'light' (the page's default): six VMs on 2 × 1GbE — the built-in default's
// mix scaled down tenfold, so a page simulates it faster than real time on a
// laptop (about 2 × 10⁵ packets per simulated second). 'default': the
// CLI's built-in scenario on 2 × 10GbE, ten times the packets. Both run
// without scripted faults (the page's buttons are the faults) and for up to an
// hour of simulated time; the simulator's own intervals are 1 s (the page
// samples its charts itself, once per frame). Units as in schema.ts.
import { DEFAULT_SCENARIO_FILE } from '../src/scenario/default.js';
import { validateScenario } from '../src/scenario/load.js';
import type { ScenarioFile } from '../src/scenario/schema.js';
import type { Scenario } from '../src/sim/types.js';

export type DemoScenarioId = 'light' | 'default';

const LIGHT: ScenarioFile = {
  name: '6 VMs on 2 × 1GbE',
  description: 'Port-id teaming with failback. db-1 and voip hold reservations, backup and analytics are limited, '
    + 'voip has the top priority and backup the lowest, web-2 is a TCP-like sender that backs off when paused, '
    + 'analytics bursts above its limit.',
  seed: 1,
  durationMs: 3_600_000,
  sampleIntervalMs: 1000,
  teaming: { policy: 'port-id', failback: true, notifySwitches: true, pauseOnFailoverMs: 100 },
  nics: [
    { name: 'vmnic0', speed: '1Gbit' },
    { name: 'vmnic1', speed: '1Gbit' },
  ],
  vms: [
    { name: 'db-1', mac: '00:50:56:00:00:01', shares: 300, reservation: '200Mbit', priority: 5, source: { type: 'greedy', sizeBytes: 1500 } },
    { name: 'web-1', mac: '00:50:56:00:00:02', shares: 200, reservation: '100Mbit', source: { type: 'greedy', sizeBytes: 'imix' } },
    {
      name: 'web-2', mac: '00:50:56:00:00:03', shares: 100, highWatermark: 768, lowWatermark: 256,
      source: { type: 'tcp', maxRateBps: '600Mbit', rttMs: 0.5, sizeBytes: 1500 },
    },
    { name: 'backup', mac: '00:50:56:00:00:04', shares: 50, reservation: '50Mbit', limit: '200Mbit', priority: 2, source: { type: 'greedy', sizeBytes: 1500 } },
    { name: 'voip', mac: '00:50:56:00:00:05', reservation: '20Mbit', priority: 7, source: { type: 'cbr', rateBps: '30Mbit', sizeBytes: { uniform: [200, 240] } } },
    {
      name: 'analytics', mac: '00:50:56:00:00:06', shares: 100, limit: '300Mbit',
      source: { type: 'onoff', rateBps: '350Mbit', onMs: 150, offMs: 250, sizeBytes: 1500 },
    },
  ],
  faults: [],
};

export const DEMO_SCENARIOS: Record<DemoScenarioId, { label: string; file: ScenarioFile }> = {
  light: { label: '6 VMs on 2 × 1GbE', file: LIGHT },
  default: {
    label: 'built-in default: 6 VMs on 2 × 10GbE (10× the packets)',
    file: { ...DEFAULT_SCENARIO_FILE, durationMs: 3_600_000, sampleIntervalMs: 1000, faults: [] },
  },
};

/** The resolved scenario `id` with `seed`. */
export function demoScenario(id: DemoScenarioId, seed: number): Scenario {
  const s = DEMO_SCENARIOS[id];
  if (!s) throw new Error(`unknown demo scenario ${JSON.stringify(id)}`);
  return validateScenario({ ...s.file, seed });
}
