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
import { parseRate } from '../src/units.js';
import type { ScenarioFile } from '../src/scenario/schema.js';
import type { Scenario } from '../src/sim/types.js';

export type DemoScenarioId = 'light' | 'default';

/** Every rate in a scenario file divided by `k` (NIC speeds, reservations, limits, peaks, source rates). */
function scaleRates(file: ScenarioFile, k: number): ScenarioFile {
  const r = (v: unknown) => (v === undefined ? undefined : parseRate(v)! / k);
  const vms = file.vms.map((vm) => {
    const out = { ...vm } as Record<string, unknown> & { source: Record<string, unknown> };
    for (const f of ['reservation', 'limit', 'peak']) if (out[f] !== undefined && out[f] !== 0) out[f] = r(out[f]);
    out.source = { ...vm.source } as Record<string, unknown>;
    for (const f of ['rateBps', 'maxRateBps']) if (out.source[f] !== undefined) out.source[f] = r(out.source[f]);
    return out;
  });
  return { ...file, nics: file.nics.map((n) => ({ ...n, speed: r(n.speed)! })), vms } as ScenarioFile;
}

/** The built-in default's mix scaled down tenfold, run open-ended, the page's buttons being the faults. */
const LIGHT: ScenarioFile = {
  ...scaleRates(DEFAULT_SCENARIO_FILE, 10),
  name: '6 VMs on 2 × 1GbE',
  durationMs: 3_600_000,
  sampleIntervalMs: 1000,
  teaming: { ...DEFAULT_SCENARIO_FILE.teaming, pauseOnFailoverMs: 100 },
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
