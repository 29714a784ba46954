// index.ts — the simulator's public surface, for the CLI and the browser demo
// (browser-safe: nothing here or below imports node: modules).
// Units throughout: time ns (numbers), rates bit/s, sizes bytes.

export { Simulation, runSimulation, describeSource } from './simulation.js';
export type { FrameFeed, SimulationOptions, RunOptions } from './simulation.js';
export { replayCapture, replayPackets, sourceMac } from './replay.js';
export type { ReplayOptions, ReplayResult, ReplaySummary } from './replay.js';
export type { Scenario, SimNicSpec, SimVmSpec, FaultSpec, SimResult, SimVmResult, SimNicResult, SimEvent, DelaySummary } from './types.js';
export type { SourceSpec } from './sources.js';
export type { SizeSpec } from './sizes.js';
export { Rng } from './rng.js';
export { parseScenarioText, validateScenario, ScenarioError } from '../scenario/load.js';
export { DEFAULT_SCENARIO_FILE, defaultScenario } from '../scenario/default.js';
export { renderHtmlReport, chartData } from '../report/html.js';
export type { ReportAssets, ReportOptions } from '../report/html.js';
export { renderTable } from '../report/table.js';
