// sim-speed.ts — how fast the simulator runs: simulated time per wall second
// for 2×10GbE fully loaded with 1500-byte frames (≈1.64 Mpps simulated), the
// DESIGN §8 target being ≥ 5× real time. Four greedy VMs (shares 100..400),
// least-load teaming so both links carry traffic, default NIC model (completion
// timer 25 µs). Each run checks the result before it counts (both links ≥ 99%
// busy, conservation holds). Also reports the built-in default scenario.
// Writes bench/sim-results.json. Run: npx tsx bench/sim-speed.ts

import { writeFileSync } from 'node:fs';
import { Bench } from 'tinybench';
import { runSimulation } from '../src/sim/simulation.js';
import { validateScenario } from '../src/scenario/load.js';
import { defaultScenario } from '../src/scenario/default.js';
import type { Scenario, SimResult } from '../src/sim/types.js';

const SIM_MS = 500;
const loaded = (policy: 'least-load' | 'round-robin' | 'port-id', txCoalesceUs = 25): Scenario => validateScenario({
  name: `2x10GbE greedy 1500B ${policy}`, seed: 1, durationMs: SIM_MS, sampleIntervalMs: 10, teaming: { policy },
  nics: [{ name: 'vmnic0', speed: '10Gbit', txCoalesceUs }, { name: 'vmnic1', speed: '10Gbit', txCoalesceUs }],
  vms: [1, 2, 3, 4].map((i) => ({ name: `vm${i}`, shares: 100 * i, ...(policy === 'port-id' ? { reservation: `${i * 100}Mbit` } : {}),
    source: { type: 'greedy', sizeBytes: 1500 } })),
});

function check(r: SimResult, minUtil: number): void {
  if (!r.conservation.ok) throw new Error('conservation violated');
  for (const n of r.nics) if (n.utilization < minUtil) throw new Error(`${n.name} only ${(n.utilization * 100).toFixed(1)}% busy`);
}

interface Row { case: string; simulatedS: number; wallS: number; speedX: number; simulatedMpps: number; packets: number }
const rows: Row[] = [];

async function measure(name: string, scenario: Scenario, minUtil: number, iterations: number): Promise<void> {
  let last: SimResult | undefined;
  const bench = new Bench({ iterations, warmupIterations: 1, time: 0 });
  bench.add(name, async () => { last = await runSimulation(scenario); });
  await bench.run();
  check(last!, minUtil);
  const task = bench.tasks[0]!;
  const res = task.result as unknown as { latency?: { mean: number; p50?: number }; mean?: number };
  const meanMs = res.latency?.p50 ?? res.latency?.mean ?? res.mean!;
  const simulatedS = scenario.durationNs / 1e9;
  const wallS = meanMs / 1e3;
  rows.push({ case: name, simulatedS, wallS: +wallS.toFixed(4), speedX: +(simulatedS / wallS).toFixed(2),
    simulatedMpps: +(last!.totals.sentPackets / simulatedS / 1e6).toFixed(3), packets: last!.totals.sentPackets });
}

await measure('2×10GbE, 1500 B, least-load (target ≥ 5× real time)', loaded('least-load'), 0.99, 5);
await measure('2×10GbE, 1500 B, port-id', loaded('port-id'), 0.99, 5);
await measure('2×10GbE, 1500 B, least-load, completion timer 50 µs', loaded('least-load', 50), 0.5, 5);
const def = defaultScenario();
await measure('built-in default scenario (6 s, IMIX, failover)', def, 0.6, 1);

console.table(rows);
const head = rows[0]!;
console.log(`simulation speed: ${head.speedX}× real time at ${head.simulatedMpps} Mpps simulated (target ≥ 5×)`);
writeFileSync(new URL('./sim-results.json', import.meta.url), `${JSON.stringify({
  benchmark: 'simulator speed: simulated seconds per wall second', node: process.version, target: '≥ 5× real time, 2×10GbE, 1500 B frames',
  results: rows,
}, null, 2)}\n`);
