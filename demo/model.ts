// model.ts — the demo's state without the DOM: one Simulation of the real
// engine, advanced a fixed slice of virtual time per animation frame, sampled
// into the series the charts plot, plus the event log and the advice.
//
// Determinism: everything here is a function of (scenario, seed, frame slice,
// and which controls were used at which frame). Virtual time never reads a
// wall clock, so Node and a browser running the same script produce the same
// samples, bit for bit; scriptedRun() is that script, and the browser tests
// compare its digest across hosts.
// Per frame: Simulation.step to the next slice end, one engine stats()
// snapshot (O(VMs + NICs)), deltas of the sent counters → rates. Units: time
// ns (numbers) inside, seconds on the x axis; rates bit/s; utilization 0..1
// counting the wire overhead (preamble, IFG, FCS) like the simulator does.
import { Simulation } from '../src/sim/simulation.js';
import type { Scenario } from '../src/sim/types.js';
import type { VmUpdateInput } from '../src/api/config.js';
import type { StatsSnapshot } from '../src/api/stats.js';
import { Advisor, type Advice, type AdvisorVm } from '../src/api/advice.js';
import { RateTracker } from '../src/api/rates.js';
import { formatRate } from '../src/units.js';
import { demoScenario, type DemoScenarioId } from './scenarios.js';

export interface DemoConfig {
  scenario: DemoScenarioId;
  seed: number;
  /** Virtual time per animation frame (ms). */
  frameMs: number;
  /** Width of the charts' sliding window (s of virtual time). */
  windowS: number;
}

export const DEFAULT_CONFIG: DemoConfig = { scenario: 'light', seed: 1, frameMs: 20, windowS: 12 };

export type LogKind = 'link' | 'failover' | 'failback' | 'notify' | 'pause' | 'advice' | 'capacity' | 'team' | 'other';

export interface LogEntry {
  /** Sequence number (stable id for the DOM). */
  seq: number;
  /** Virtual time of the (last merged) event (ns). */
  tNs: number;
  /** Engine event type ('failover', 'notify', 'vm-pause', ...) or 'advice'. */
  type: string;
  kind: LogKind;
  text: string;
  /** Events merged into this row (watermark pause/resume cycles of one VM). */
  count: number;
  /** Merge key, when repeats fold into one row. */
  key?: string;
}

const MAX_LOG = 400;
const PER_PACKET = new Set(['round-robin', 'least-load', 'flowlet', 'flow-hash']);

/** 64-bit FNV-1a over a string's UTF-16 units, as two 32-bit lanes (hex). */
class Digest {
  private a = 0x811c9dc5; private b = 0x01000193 ^ 0x5bd1e995;
  add(s: string): void {
    let a = this.a, b = this.b;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      a = Math.imul(a ^ c, 0x01000193);
      b = Math.imul(b ^ c ^ (a >>> 16), 0x5bd1e995);
    }
    this.a = a; this.b = b;
  }
  hex(): string { return (this.a >>> 0).toString(16).padStart(8, '0') + (this.b >>> 0).toString(16).padStart(8, '0'); }
}

export class DemoRun {
  /** frameMs may change between frames (the page's speed control); the rest is fixed per run. */
  readonly config: DemoConfig;
  readonly scenario: Scenario;
  readonly sim: Simulation;
  readonly vmNames: string[];
  readonly nicNames: string[];
  readonly nicSpeeds: number[];
  /** x axis: sample times (s of virtual time), sliding window. */
  readonly t: number[] = [];
  /** per VM (vmNames order): sent rate per sample (bit/s). */
  readonly vmRate: number[][];
  /** per NIC (nicNames order): wire utilization per sample (0..1). */
  readonly nicUtil: number[][];
  /** per NIC: 1 when the link was up (engine view) at the sample, else 0. */
  readonly nicUp: number[][];
  /** Latest engine snapshot (after the last frame). */
  stats: StatsSnapshot;
  readonly log: LogEntry[] = [];
  /** Counts per log kind over the whole run (rows and merged repeats). */
  readonly counts: Record<string, number> = {};
  frames = 0;
  /** End of the last slice (ns). */
  private untilNs = 0;
  /** Wall ms spent in the last frame's simulation step (for the speed readout). */
  lastStepMs = 0;
  onLog: ((e: LogEntry, merged: boolean) => void) | undefined;
  private seq = 0;
  private readonly overhead: number[];
  private prev: StatsSnapshot;
  private readonly digest = new Digest();
  private readonly advisor = new Advisor({ suspendWindowNs: 2e9, starveWindowNs: 3e9, minIntervalNs: 20e9, clearNs: 1e9 });
  private readonly rates = new RateTracker({ tauNs: 5e8 });
  private engineAdvice = false;

  private constructor(config: DemoConfig, scenario: Scenario, sim: Simulation) {
    this.config = config; this.scenario = scenario; this.sim = sim;
    this.vmNames = scenario.vms.map((v) => v.config.name);
    this.nicNames = scenario.nics.map((n) => n.config.name);
    this.nicSpeeds = this.nicNames.map((n) => sim.engine.stats().nics.find((x) => x.name === n)!.speedBps);
    this.overhead = scenario.nics.map((n) => n.wireOverheadBytes);
    this.vmRate = this.vmNames.map(() => []);
    this.nicUtil = this.nicNames.map(() => []);
    this.nicUp = this.nicNames.map(() => []);
    this.stats = this.prev = sim.engine.stats();
    sim.engine.onAny((type, e) => this.onEngineEvent(type, e as unknown as Record<string, unknown>));
  }

  static async create(config: Partial<DemoConfig> = {}): Promise<DemoRun> {
    const c = { ...DEFAULT_CONFIG, ...config };
    const scenario = demoScenario(c.scenario, c.seed);
    return new DemoRun(c, scenario, await Simulation.create(scenario));
  }

  get nowNs(): number { return this.sim.nowNs; }
  get frameNs(): number { return Math.round(this.config.frameMs * 1e6); }
  get perPacketPolicy(): boolean { return PER_PACKET.has(this.sim.engine.policy); }

  /** One animation frame: advance virtual time by frameMs, sample, advise. */
  advance(): void {
    const t0 = now();
    const dt = this.frameNs;
    const until = this.untilNs + dt; // integer ns: slices never drift
    this.untilNs = until;
    this.sim.step(until);
    this.frames++;
    this.lastStepMs = now() - t0;
    const st = this.sim.engine.stats();
    const dtS = dt / 1e9;
    this.t.push(until / 1e9);
    const byName = new Map(st.vms.map((v) => [v.name, v]));
    const prevByName = new Map(this.prev.vms.map((v) => [v.name, v]));
    this.vmNames.forEach((name, i) => {
      const v = byName.get(name), p = prevByName.get(name);
      this.vmRate[i]!.push(v && p ? ((v.sentBytes - p.sentBytes) * 8) / dtS : 0);
    });
    this.nicNames.forEach((name, i) => {
      const n = st.nics.find((x) => x.name === name), p = this.prev.nics.find((x) => x.name === name);
      const wire = n && p ? n.sentBytes - p.sentBytes + this.overhead[i]! * (n.sentPackets - p.sentPackets) : 0;
      this.nicUtil[i]!.push(Math.min(1, (wire * 8) / (this.nicSpeeds[i]! * dtS)));
      this.nicUp[i]!.push(n?.up ? 1 : 0);
    });
    this.prev = this.stats = st;
    this.trim();
    this.digest.add(`${until}|${this.vmRate.map((s) => s[s.length - 1]).join(',')}|${this.nicUtil.map((s) => s[s.length - 1]).join(',')}\n`);
    this.advise(BigInt(until), st);
  }

  /** Drops samples older than the window. */
  private trim(): void {
    const from = this.t[this.t.length - 1]! - this.config.windowS;
    let k = 0;
    while (k < this.t.length && this.t[k]! <= from) k++;
    if (k === 0) return;
    this.t.splice(0, k);
    for (const s of this.vmRate) s.splice(0, k);
    for (const s of this.nicUtil) s.splice(0, k);
    for (const s of this.nicUp) s.splice(0, k);
  }

  // ------------------------------------------------------------------ controls

  setLink(nic: string, up: boolean): void {
    this.sim.setLink(nic, up);
    this.digest.add(`link ${nic} ${up} @${this.sim.nowNs}\n`);
  }

  updateVm(vm: string, changes: VmUpdateInput): void {
    this.sim.updateVm(vm, changes);
    this.digest.add(`update ${vm} ${JSON.stringify(changes)} @${this.sim.nowNs}\n`);
  }

  /** The VM's allocation now (engine view). */
  vmAllocation(vm: string): { shares: number; reservationBps: number; limitBps: number; priority: number } {
    const c = this.sim.engine.vmConfig(this.sim.engine.vmId(vm)!);
    return { shares: c.shares, reservationBps: c.reservationBps, limitBps: c.limitBps, priority: c.priority };
  }

  /** Whether each NIC is up (engine view), in nicNames order. */
  get linkUp(): boolean[] {
    const st = this.stats.nics;
    return this.nicNames.map((n) => st.find((x) => x.name === n)?.up ?? false);
  }

  /** A digest of every sample, control and log entry so far (cross-host determinism check). */
  get fingerprint(): string { return this.digest.hex(); }

  // ------------------------------------------------------------------ log

  private onEngineEvent(type: string, e: Record<string, unknown>): void {
    if (type === 'advice') this.engineAdvice = true;
    const name = (x: unknown) => String(x ?? '?');
    const moves = (m: unknown) => (m as { name?: string; to: string | null }[]).map((x) => `${x.name} → ${x.to ?? 'nowhere'}`).join(', ') || 'no VM moved';
    switch (type) {
      case 'link': return this.push('link', 'link', `${e.nic} link ${e.up ? 'up' : 'down'}`);
      case 'failover': return this.push(type, 'failover', `failover off ${e.nic}: ${moves(e.moves)}; ${e.resteered} in-flight packets re-steered`);
      case 'failback': return this.push(type, 'failback', `failback to ${e.nic}: ${moves(e.moves)}`);
      case 'notify': return this.push(type, 'notify', `notify switches: ${name(e.name)} (${(e.macs as string[]).join(', ')}) now on ${e.nic} — send RARP`);
      case 'vm-pause': case 'vm-resume': {
        if (e.reason === 'watermark') {
          return this.push(type, 'pause', `${name(e.name)} paused / resumed by its queue watermarks (XOFF / XON)`, `wm:${e.name}`);
        }
        return this.push(type, 'pause', type === 'vm-pause'
          ? `pause ${name(e.name)} while the switches relearn its MAC (failover)` : `resume ${name(e.name)} after the failover pause`);
      }
      case 'capacity': return this.push(type, 'capacity',
        `capacity: reservations ${formatRate(Number(e.reservedBps))} exceed the ${formatRate(Number(e.availableBps))} up${e.nic ? ` on ${e.nic}` : ''}`);
      case 'team-down': return this.push(type, 'team', 'team down: every NIC is down, packets queue');
      case 'team-up': return this.push(type, 'team', 'team up again');
      case 'advice': return this.push(type, 'advice', `advice: ${JSON.stringify(e)}`);
      default: return this.push(type, 'other', `${type}: ${JSON.stringify(e)}`);
    }
  }

  private push(type: string, kind: LogKind, text: string, key?: string): void {
    const tNs = this.sim.nowNs;
    this.counts[kind] = (this.counts[kind] ?? 0) + 1;
    this.digest.add(`ev ${type} ${tNs} ${text}\n`);
    if (key) {
      for (let i = this.log.length - 1; i >= Math.max(0, this.log.length - 6); i--) {
        const r = this.log[i]!;
        if (r.key === key) { r.count++; r.tNs = tNs; r.type = type; this.onLog?.(r, true); return; }
      }
    }
    const entry: LogEntry = { seq: this.seq++, tNs, type, kind, text, count: 1, ...(key ? { key } : {}) };
    this.log.push(entry);
    if (this.log.length > MAX_LOG) this.log.splice(0, this.log.length - MAX_LOG);
    this.onLog?.(entry, false);
  }

  /** Host-side advice (src/api/advice.ts) on the same snapshots, unless the engine emits its own. */
  private advise(nowNs: bigint, st: StatsSnapshot): void {
    if (this.engineAdvice || !this.advisor.due(nowNs)) return;
    this.rates.update(nowNs, st);
    const vms: AdvisorVm[] = st.vms.map((v) => {
      const c = this.sim.engine.vmConfig(v.id);
      return { id: v.id, name: v.name, shares: c.shares, reservationBps: c.reservationBps, limitBps: c.limitBps,
        priority: c.priority, highWatermark: c.highWatermark, queuePackets: c.queuePackets };
    });
    for (const a of this.advisor.evaluate(nowNs, st, this.rates, vms, this.perPacketPolicy ? 'pool' : 'pinned')) this.push('advice', 'advice', adviceText(a));
  }
}

function adviceText(a: Advice): string {
  if (a.kind === 'suspend') {
    return `advice: suspend ${a.name} — it offers ${formatRate(a.offeredBps)}, ${formatRate(a.excessBps)} over its ${formatRate(a.limitBps)} limit`;
  }
  const who = a.vms.map((v) => v.name).join(', ') || 'no VM';
  if (a.reason === 'capacity') {
    return `advice: migrate ${who} — reservations ${formatRate(a.reservedBps)} exceed ${formatRate(a.capacityBps)}${a.nic ? ` on ${a.nic}` : ''}`;
  }
  return `advice: migrate ${who} — ${a.starved.map((s) => `${s.name} gets ${formatRate(s.rateBps)} of a fair ${formatRate(s.fairShareBps)}`).join('; ')}${a.nic ? ` on ${a.nic}` : ''}`;
}

function now(): number { return typeof performance !== 'undefined' ? performance.now() : Date.now(); }

export interface ScriptedRunOptions {
  scenario?: DemoScenarioId;
  seed?: number;
  frameMs?: number;
  frames?: number;
  /** [frame, action] pairs applied before that frame is advanced. */
  actions?: [number, { link?: [string, boolean]; update?: [string, VmUpdateInput] }][];
}

/** The fixed script both hosts run: a run with link and VM changes at fixed frames; returns its digest. */
export async function scriptedRun(o: ScriptedRunOptions = {}): Promise<{ fingerprint: string; frames: number; nowNs: number; log: number; sentBytes: number }> {
  const run = await DemoRun.create({ scenario: o.scenario ?? 'light', seed: o.seed ?? 7, frameMs: o.frameMs ?? 20, windowS: 1e9 });
  const frames = o.frames ?? 100;
  const actions = o.actions ?? [[30, { link: ['vmnic1', false] }], [50, { update: ['db-1', { shares: 1000, limit: 4e8 }] }], [70, { link: ['vmnic1', true] }]];
  for (let f = 0; f < frames; f++) {
    for (const [at, a] of actions) {
      if (at !== f) continue;
      if (a.link) run.setLink(a.link[0], a.link[1]);
      if (a.update) run.updateVm(a.update[0], a.update[1]);
    }
    run.advance();
  }
  return {
    fingerprint: run.fingerprint, frames: run.frames, nowNs: run.nowNs, log: run.log.length,
    sentBytes: run.stats.vms.reduce((s, v) => s + v.sentBytes, 0),
  };
}
