// default.ts — the built-in scenario `nicteam simulate` runs without a file.
//
// Six VMs with mixed shares, reservations, limits and priorities on a team of
// two 10GbE uplinks (port-id teaming, failback on); vmnic1 fails at 2 s and
// comes back at 4 s; 6 s in all. It is written in the scenario file format
// and goes through the same validation as a file. Units as in schema.ts.

import type { ScenarioFile } from './schema.js';
import { validateScenario } from './load.js';
import type { Scenario } from '../sim/types.js';

export const DEFAULT_SCENARIO_FILE: ScenarioFile = {
  name: 'default: 6 VMs on 2×10GbE, vmnic1 fails at 2 s and recovers at 4 s',
  description: 'Port-id teaming with failback. db-1 and voip hold reservations, backup and analytics are limited, '
    + 'voip has the top priority and backup the lowest (its reservation still holds), web-2 is a TCP-like sender '
    + 'that backs off when its queue pauses it, analytics bursts above its limit.',
  seed: 1,
  durationMs: 6000,
  sampleIntervalMs: 10,
  teaming: { policy: 'port-id', failback: true, notifySwitches: true },
  nics: [
    { name: 'vmnic0', speed: '10Gbit' },
    { name: 'vmnic1', speed: '10Gbit' },
  ],
  vms: [
    { name: 'db-1', mac: '00:50:56:00:00:01', shares: 300, reservation: '2Gbit', priority: 5, source: { type: 'greedy', sizeBytes: 1500 } },
    { name: 'web-1', mac: '00:50:56:00:00:02', shares: 200, reservation: '1Gbit', source: { type: 'greedy', sizeBytes: 'imix' } },
    {
      name: 'web-2', mac: '00:50:56:00:00:03', shares: 100, highWatermark: 768, lowWatermark: 256,
      source: { type: 'tcp', maxRateBps: '6Gbit', rttMs: 0.5, sizeBytes: 1500 },
    },
    { name: 'backup', mac: '00:50:56:00:00:04', shares: 50, reservation: '500Mbit', limit: '2Gbit', priority: 2, source: { type: 'greedy', sizeBytes: 1500 } },
    { name: 'voip', mac: '00:50:56:00:00:05', reservation: '200Mbit', priority: 7, source: { type: 'cbr', rateBps: '300Mbit', sizeBytes: { uniform: [200, 240] } } },
    {
      name: 'analytics', mac: '00:50:56:00:00:06', shares: 100, limit: '3Gbit',
      source: { type: 'onoff', rateBps: '3.5Gbit', onMs: 150, offMs: 250, sizeBytes: 1500 },
    },
  ],
  faults: [
    { type: 'link-down', nic: 'vmnic1', atMs: 2000 },
    { type: 'link-up', nic: 'vmnic1', atMs: 4000 },
  ],
};

/** The built-in default scenario, validated and resolved. */
export function defaultScenario(): Scenario {
  return validateScenario(DEFAULT_SCENARIO_FILE);
}
