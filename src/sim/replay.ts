// replay.ts — pcap/pcapng replay through the engine: "what would this policy
// do to my traffic?"
//
// Every frame of the capture is offered, in capture order, through
// enqueueFrames (the engine's own classification: source MAC, 802.1Q/QinQ
// aware) with its original length as the charged wire length (a frame
// captured with a short snaplen is still charged in full). Timing: the
// capture's timestamps relative to its first frame, divided by `speed`
// (2 = twice as fast), or every frame at time 0 with speed 'max' (the team
// drains them as fast as allocations and links allow). Timestamps that go
// backwards are held at the previous frame's time.
// VMs: the scenario's VMs own the frames whose source MAC they list; every
// other source MAC gets a VM of its own with the default allocation, named
// after the MAC. A frame too short to carry a source MAC is offered as is
// (the engine calls it malformed). Nothing is dropped at the host: a `full`
// frame waits in its VM's host ring and is retried, in order.
// The run lasts until every frame has left the wire.
// Errors: a malformed or truncated file throws CaptureError (code, byteOffset).
// Units: ns, bit/s, bytes. Cost: O(frames) memory for the arrival schedule;
// per frame as in simulation.ts. Browser-safe.

import { readCapture, type Capture } from '../pcap/reader.js';
import { normalizeMac } from '../api/config.js';
import { Simulation, type FrameFeed } from './simulation.js';
import type { Scenario, SimResult, SimNicSpec } from './types.js';
import { NIC_DEFAULTS } from '../scenario/load.js';

export interface ReplayOptions {
  /** 1 = capture timing, 2 = twice as fast, 'max' = as fast as the team drains. Default 1. */
  speed?: number | 'max';
  /** Team, NICs, VMs (matched by MAC; their sources are ignored), faults. Default: two 10GbE NICs, port-id. */
  scenario?: Scenario;
  /** Measurement interval (ns). Default: about 300 intervals over the expected run. */
  sampleIntervalNs?: number;
  onProgress?: (doneNs: number, totalNs: number) => void;
}

export interface ReplaySummary {
  format: 'pcap' | 'pcapng';
  frames: number;
  /** Capture time from the first to the last frame (ns). */
  captureSpanNs: number;
  speed: number | 'max';
  /** Frames the engine accepted (every frame, unless refused below). */
  accepted: number;
  /** Frames not accepted: engine statuses, and frames larger than their VM's whole queue (dropped at the host). */
  refused: { unknownVm: number; forged: number; malformed: number; tooLarge: number };
  /** Per source MAC: frames in the capture, frames accepted, bytes (original lengths). */
  perMac: Record<string, { frames: number; accepted: number; bytes: number; vm: string }>;
}

export interface ReplayResult extends SimResult { replay: ReplaySummary }

const DEFAULT_NIC = (name: string): SimNicSpec => ({
  config: { name, speed: 10e9 }, txRingPackets: NIC_DEFAULTS.txRingPackets, wireOverheadBytes: NIC_DEFAULTS.wireOverheadBytes,
  txCoalesceFrames: NIC_DEFAULTS.txCoalesceFrames, txCoalesceNs: NIC_DEFAULTS.txCoalesceUs * 1000,
});

/** Source MAC of a frame ("aa:bb:..."), or null when it is too short to have one. */
export function sourceMac(frame: Uint8Array): string | null {
  if (frame.length < 12) return null;
  let s = '';
  for (let i = 6; i < 12; i++) s += (i > 6 ? ':' : '') + frame[i]!.toString(16).padStart(2, '0');
  return s;
}

/** Replays capture bytes (pcap or pcapng). Throws CaptureError for a bad file. */
export async function replayCapture(bytes: Uint8Array, options: ReplayOptions = {}): Promise<ReplayResult> {
  const capture = readCapture(bytes);
  return replayPackets(capture, options);
}

export async function replayPackets(capture: Capture, options: ReplayOptions = {}): Promise<ReplayResult> {
  const speed = options.speed ?? 1;
  if (speed !== 'max' && !(speed > 0 && Number.isFinite(speed))) throw new RangeError(`speed must be a positive number or "max", got ${speed}`);
  const packets = capture.packets;
  const n = packets.length;
  const base = options.scenario;

  // VMs: the scenario's (by MAC), then one per unclaimed source MAC
  const vms = (base?.vms ?? []).map((v) => ({ config: v.config, source: { type: 'none' as const } }));
  const owner = new Map<string, number>();
  vms.forEach((v, i) => {
    const macs = v.config.mac === undefined ? [] : Array.isArray(v.config.mac) ? v.config.mac : [v.config.mac];
    for (const m of macs) owner.set(normalizeMac(m), i);
  });
  const names = new Set(vms.map((v) => v.config.name));
  const recordOf = new Int32Array(n);
  const perMac: ReplaySummary['perMac'] = {};
  let totalBits = 0;
  for (let i = 0; i < n; i++) {
    const p = packets[i]!;
    totalBits += (p.originalLength + 24) * 8;
    const mac = sourceMac(p.data);
    if (mac === null) { recordOf[i] = -1; continue; }
    let rec = owner.get(mac);
    if (rec === undefined) {
      let name = `mac-${mac.replace(/:/g, '')}`;
      while (names.has(name)) name += '_';
      names.add(name);
      rec = vms.length;
      vms.push({ config: { name, mac }, source: { type: 'none' } });
      owner.set(mac, rec);
    }
    recordOf[i] = rec;
    const e = (perMac[mac] ??= { frames: 0, accepted: 0, bytes: 0, vm: vms[rec]!.config.name });
    e.frames++; e.bytes += p.originalLength;
  }

  // arrival schedule (ns since the first frame, scaled)
  const timesNs = new Float64Array(n);
  const t0 = n ? packets[0]!.timestampNs : 0n;
  let prev = 0, spanNs = 0;
  for (let i = 0; i < n; i++) {
    const rel = Number(packets[i]!.timestampNs - t0);
    if (rel > spanNs) spanNs = rel;
    const t = speed === 'max' ? 0 : Math.max(prev, Math.round(rel / speed));
    timesNs[i] = t; prev = t;
  }

  const nics = base?.nics ?? [DEFAULT_NIC('vmnic0'), DEFAULT_NIC('vmnic1')];
  const teamBps = nics.reduce((s, x) => s + Number(x.config.speed), 0) || 1e9;
  const expectedNs = Math.max(speed === 'max' ? 0 : spanNs / speed, (totalBits / teamBps) * 1e9, 1000);
  const sampleIntervalNs = options.sampleIntervalNs ?? base?.sampleIntervalNs ?? niceInterval(expectedNs / 300);
  const maxVms = Math.max(256, vms.length + (base?.vms.length ?? 0));
  const scenario: Scenario = {
    name: base?.name ?? 'replay',
    seed: base?.seed ?? 1,
    durationNs: Math.ceil(expectedNs),
    sampleIntervalNs,
    hostBatchNs: base?.hostBatchNs ?? 2000,
    teaming: base?.teaming ?? { policy: 'port-id' },
    capacity: { ...(base?.capacity ?? {}), maxVms: Math.max(maxVms, base?.capacity?.maxVms ?? 0) },
    nics,
    vms,
    faults: base?.faults ?? [],
  };
  const feed: FrameFeed = {
    frames: packets.map((p) => p.data),
    wireLengths: Uint32Array.from(packets, (p) => p.originalLength),
    timesNs,
    recordOf,
  };
  const sim = await Simulation.create(scenario, { feed });
  // run until every frame has left, then close the interval in progress
  const chunk = sampleIntervalNs;
  let t = 0;
  const limitNs = Math.max(expectedNs * 1000, 60e9);
  while (!sim.drained || t < (timesNs[n - 1] ?? 0)) {
    t += chunk;
    sim.step(t);
    options.onProgress?.(Math.min(t, expectedNs), expectedNs);
    if (t > limitNs) throw new Error(`replay did not drain within ${limitNs / 1e9} s of simulated time (all links down?)`);
  }
  sim.step(Math.ceil(sim.nowNs / sampleIntervalNs) * sampleIntervalNs);
  const result = sim.result();
  result.scenario.durationNs = sim.nowNs;

  const byVm = new Map(result.vms.map((v) => [v.name, v]));
  let accepted = 0;
  for (const e of Object.values(perMac)) {
    // accepted frames per MAC: a VM owns exactly the MACs it lists, so its count is its MACs' count
    const v = byVm.get(e.vm);
    e.accepted = v && v.macs.length === 1 ? v.acceptedPackets : 0;
  }
  for (const v of result.vms) accepted += v.acceptedPackets;
  // VMs with several MACs: split by MAC is not measured; report frames as accepted when the VM took all of its frames
  for (const e of Object.values(perMac)) {
    const v = byVm.get(e.vm);
    if (v && v.macs.length > 1) {
      const framesOfVm = Object.values(perMac).filter((x) => x.vm === e.vm).reduce((s, x) => s + x.frames, 0);
      e.accepted = v.acceptedPackets === framesOfVm ? e.frames : Math.min(e.frames, v.acceptedPackets);
    }
  }
  return {
    ...result,
    replay: {
      format: capture.format, frames: n, captureSpanNs: spanNs, speed, accepted,
      refused: { ...sim.refused }, perMac,
    },
  };
}

/** 1, 2 or 5 × 10^k ns, at least 1 µs. */
function niceInterval(ns: number): number {
  const raw = Math.max(1000, ns);
  const p = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 5, 10]) if (m * p >= raw) return m * p;
  return 10 * p;
}
