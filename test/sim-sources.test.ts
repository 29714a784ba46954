// sim-sources.test.ts — each traffic source produces what its spec says:
// rate (offered bit/s per interval) and shape (CBR regular, Poisson counts with
// variance ≈ mean, on/off silent in off periods, greedy always backlogged,
// TCP-like backing off on vm-pause and never overflowing its host ring), and
// the packet size distributions have their stated means. Measured through the
// real engine on a fast NIC (no contention) except where contention is the point.

import { describe, it, expect } from 'vitest';
import { runSimulation } from '../src/sim/simulation.js';
import { validateScenario } from '../src/scenario/load.js';
import type { SimVmResult } from '../src/sim/types.js';
import { Rng } from '../src/sim/rng.js';
import { SizeSampler } from '../src/sim/sizes.js';
import { Source } from '../src/sim/sources.js';
import { HostRing } from '../src/sim/hostring.js';

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const variance = (xs: number[]) => { const m = mean(xs); return mean(xs.map((x) => (x - m) ** 2)); };
const vals = (xs: (number | null)[]) => xs.filter((x): x is number => x !== null);

async function run(vms: unknown[], extra: Record<string, unknown> = {}) {
  return runSimulation(validateScenario({
    seed: 3, durationMs: 200, sampleIntervalMs: 1, teaming: { policy: 'least-load' },
    nics: [{ name: 'fast', speed: '100Gbit' }], vms, ...extra,
  }));
}
const vm = (r: { vms: SimVmResult[] }, name: string) => r.vms.find((v) => v.name === name)!;

describe('traffic sources', () => {
  it('cbr, poisson, on/off and greedy match their specs', async () => {
    const r = await run([
      { name: 'cbr', source: { type: 'cbr', rateBps: '1Gbit', sizeBytes: 1000 } },
      { name: 'poisson', source: { type: 'poisson', rateBps: '2Gbit', sizeBytes: 500 } },
      { name: 'onoff', source: { type: 'onoff', rateBps: '3Gbit', onMs: 20, offMs: 30, sizeBytes: 1500 } },
      { name: 'greedy', limit: '500Mbit', source: { type: 'greedy', sizeBytes: 1500 } },
      { name: 'late', source: { type: 'cbr', rateBps: '100Mbit', sizeBytes: 100, startMs: 100, stopMs: 150 } },
    ]);
    // CBR: every 1 ms interval carries 1 Gbit/s ± one frame (8 kbit/ms = 0.8%)
    const cbr = vals(vm(r, 'cbr').series.offeredBps);
    for (const x of cbr) expect(Math.abs(x - 1e9)).toBeLessThanOrEqual(8e6 + 1);
    expect(Math.abs(vm(r, 'cbr').achievedBps - 1e9) / 1e9).toBeLessThan(0.01);
    // Poisson: mean rate within 3%, per-interval counts over-dispersed like Poisson (var/mean ≈ 1), not like CBR
    const counts = vals(vm(r, 'poisson').series.offeredBps).map((b) => (b * 1e-3) / 8 / 500);
    expect(Math.abs(mean(counts) * 500 * 8 * 1e3 - 2e9) / 2e9).toBeLessThan(0.03);
    const dispersion = variance(counts) / mean(counts);
    expect(dispersion).toBeGreaterThan(0.6);
    expect(dispersion).toBeLessThan(1.5);
    const cbrCounts = cbr.map((b) => (b * 1e-3) / 8 / 1000);
    expect(variance(cbrCounts) / mean(cbrCounts)).toBeLessThan(0.05);
    // on/off: 3 Gbit/s inside on periods, nothing in off periods, 40% duty cycle on average
    const oo = vm(r, 'onoff').series.offeredBps;
    r.timeNs.forEach((t, k) => {
      const start = (t - 1e6) % 50e6; // interval start within the 50 ms cycle
      if (start + 1e6 <= 20e6) expect(Math.abs(oo[k]! - 3e9)).toBeLessThan(0.02e9);
      else if (start >= 20e6) expect(oo[k]).toBe(0);
    });
    expect(Math.abs(mean(vals(oo)) - 1.2e9) / 1.2e9).toBeLessThan(0.03);
    // greedy: always backlogged, so it sends at exactly its limit
    const g = vm(r, 'greedy');
    for (const b of vals(g.series.backlogPackets)) expect(b).toBeGreaterThan(0);
    expect(Math.abs(g.achievedBps - 5e8) / 5e8).toBeLessThan(0.02);
    // start/stop window
    const late = vm(r, 'late').series.offeredBps;
    r.timeNs.forEach((t, k) => {
      if (t <= 100e6 || t > 151e6) expect(late[k]).toBe(0);
      else if (t > 101e6 && t <= 150e6) expect(Math.abs(late[k]! - 1e8)).toBeLessThan(1e6);
    });
    expect(r.conservation.ok).toBe(true);
  }, 60_000);

  it('tcp-like source backs off on vm-pause (AIMD) and never overflows its host ring', async () => {
    const r = await runSimulation(validateScenario({
      seed: 3, durationMs: 300, sampleIntervalMs: 1, nics: [{ name: 'n', speed: '10Gbit' }],
      vms: [
        { name: 'tcp', limit: '2Gbit', highWatermark: 256, lowWatermark: 64,
          source: { type: 'tcp', maxRateBps: '8Gbit', initialRateBps: '1Gbit', increaseBps: '200Mbit', rttMs: 0.2, sizeBytes: 1500 } },
        { name: 'open-loop', limit: '2Gbit', highWatermark: 256, lowWatermark: 64, source: { type: 'cbr', rateBps: '3Gbit', sizeBytes: 1500 } },
      ],
    }));
    const tcp = vm(r, 'tcp'), open = vm(r, 'open-loop');
    expect(tcp.pauses).toBeGreaterThan(3);
    expect(r.events.filter((e) => e.type === 'vm-pause' && e.name === 'tcp').length).toBe(tcp.pauses);
    // closed loop: what it offers converges on what it may send (its limit), no host drops
    expect(tcp.hostDrops).toBe(0);
    expect(tcp.offeredBytes / tcp.sentBytes).toBeLessThan(1.05);
    expect(Math.abs(tcp.achievedBps - 2e9) / 2e9).toBeLessThan(0.1);
    // sawtooth: the offered rate falls after pauses (multiplicative decrease) and climbs between them
    const off = vals(tcp.series.offeredBps).slice(20);
    let drops = 0, rises = 0;
    for (let k = 1; k < off.length; k++) { if (off[k]! < 0.8 * off[k - 1]!) drops++; if (off[k]! > off[k - 1]!) rises++; }
    expect(drops).toBeGreaterThan(2);
    expect(rises).toBeGreaterThan(drops);
    // the open-loop source at 3 Gbit/s against a 2 Gbit/s limit overflows its host ring instead
    expect(open.hostDrops).toBeGreaterThan(0);
    expect(Math.abs(open.achievedBps - 2e9) / 2e9).toBeLessThan(0.05);
  }, 60_000);

  it('packet size distributions have their stated means', () => {
    const rng = new Rng(9);
    const draw = (s: SizeSampler) => { let sum = 0; for (let i = 0; i < 200_000; i++) sum += s.next(rng); return sum / 200_000; };
    const imix = new SizeSampler({ kind: 'imix' });
    expect(imix.meanBytes).toBeCloseTo((7 * 60 + 4 * 590 + 1514) / 12, 6);
    expect(Math.abs(draw(imix) - imix.meanBytes) / imix.meanBytes).toBeLessThan(0.01);
    const uni = new SizeSampler({ kind: 'uniform', minBytes: 100, maxBytes: 300 });
    expect(Math.abs(draw(uni) - 200)).toBeLessThan(1);
    const seen = new Set<number>();
    for (let i = 0; i < 5000; i++) { const x = uni.next(rng); expect(x >= 100 && x <= 300).toBe(true); seen.add(x); }
    expect(seen.size).toBe(201);
    expect(new SizeSampler({ kind: 'fixed', bytes: 777 }).next(rng)).toBe(777);
  });

  it('a poisson source has exponential inter-arrival times (coefficient of variation ≈ 1)', () => {
    const src = new Source({ type: 'poisson', rateBps: 1e9, size: { kind: 'fixed', bytes: 1250 } }, new Rng(5), 0);
    const gaps: number[] = [];
    let last = src.nextNs;
    const ring = new HostRing(4);
    for (let i = 0; i < 50_000; i++) {
      src.generate(src.nextNs, ring); ring.clear();
      gaps.push(src.nextNs - last); last = src.nextNs;
    }
    const m = mean(gaps);
    expect(Math.abs(m - 10_000) / 10_000).toBeLessThan(0.02); // 1250 B at 1 Gbit/s = 10 µs
    expect(Math.abs(Math.sqrt(variance(gaps)) / m - 1)).toBeLessThan(0.03);
  });
});
