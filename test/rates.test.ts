// rates.test.ts — RateTracker: continuous-time EWMA of counter snapshots.
// Convergence to a constant rate within e^(−k) after k·τ, the exact step
// response 1 − e^(−t/τ), independence from the sampling period, and harmless
// Δt = 0, backwards clocks, disappearing VMs and reused ids.
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { RateTracker } from '../src/api/rates.js';
import type { StatsSnapshot, VmStats, NicStats } from '../src/api/stats.js';
import { createScheduler } from '../src/index.js';
import { HostLoop } from './support/advice-loop.js';

function vm(id: number, name: string, c: Partial<VmStats> = {}): VmStats {
  return {
    id, name, state: 'active', nic: 0, paused: false, queuedPackets: 0, queuedBytes: 0, inFlightPackets: 0,
    acceptedPackets: 0, acceptedBytes: 0, releasedPackets: 0, releasedBytes: 0, sentPackets: 0, sentBytes: 0,
    fullPackets: 0, fullBytes: 0, returnedPackets: 0, returnedBytes: 0, droppedPackets: 0, resteeredPackets: 0,
    pauses: 0, reservationBytes: 0, delayHistogram: new Array(32).fill(0), delayP50Ns: 0, delayP99Ns: 0, delayMaxNs: 0, delayMeanNs: 0, forgedPackets: 0, forgedBytes: 0, rateBps: 0, offeredBps: 0, ...c,
  };
}
function nic(index: number, c: Partial<NicStats> = {}): NicStats {
  return {
    index, name: `nic${index}`, speedBps: 1e9, up: true, inFlightPackets: 0, inFlightBytes: 0, inFlightLimitBytes: 0,
    releasedPackets: 0, releasedBytes: 0, sentPackets: 0, sentBytes: 0, failovers: 0, resteeredPackets: 0, pinnedVms: 0, reservedBps: 0, badCompletions: 0, utilization: 0, rateBps: 0, ...c,
  };
}
const team = { malformed: 0, unknownVm: 0, badLength: 0, polls: 0, resteered: 0, failovers: 0, badCompletions: 0, clockBackwards: 0, forged: 0, poolFree: 0, poolPackets: 0, fairnessIndex: null, reservationConformance: null };
/** A snapshot where every byte counter of VM 0 and NIC 0 equals `bytes`. */
function snap(bytes: number, full = 0, vms: VmStats[] | null = null): StatsSnapshot {
  return {
    vms: vms ?? [vm(0, 'a', { sentBytes: bytes, releasedBytes: bytes, acceptedBytes: bytes, fullBytes: full })],
    nics: [nic(0, { sentBytes: bytes, releasedBytes: bytes })], team,
  };
}
const S = 1_000_000_000n;

describe('RateTracker', () => {
  it('follows a rate step as R·(1 − e^(−t/τ)), whatever the sampling period', () => {
    fc.assert(fc.property(
      fc.integer({ min: 1, max: 5000 }).map((ms) => BigInt(ms) * 1_000_000n), // period
      fc.integer({ min: 1, max: 10_000 }).map((x) => x * 1e6),                 // rate, bit/s
      (period, rate) => {
        const r = new RateTracker();
        r.update(0n, snap(0));
        for (let t = period; t <= 8n * S; t += period) {
          r.update(t, snap((rate / 8) * (Number(t) / 1e9)));
          const expected = rate * (1 - Math.exp(-Number(t) / 1e9));
          expect(Math.abs(r.vm(0)!.sentBps - expected)).toBeLessThanOrEqual(1e-9 * rate);
          expect(Math.abs(r.nic(0)!.sentBps - expected)).toBeLessThanOrEqual(1e-9 * rate);
        }
      }), { numRuns: 40 });
  });

  it('decays from a steady rate as e^(−t/τ) when the source stops, with a configurable τ', () => {
    const r = new RateTracker({ tauNs: 250_000_000 });
    r.update(0n, snap(0));
    r.update(100n * S, snap(100 * 1e6 / 8)); // 100 s at 1 Mbit/s: converged
    expect(r.vm(0)!.sentBps).toBeCloseTo(1e6, 3);
    r.update(100n * S + 500_000_000n, snap(100 * 1e6 / 8)); // 2τ of silence
    expect(r.vm(0)!.sentBps).toBeCloseTo(1e6 * Math.exp(-2), 3);
  });

  it('offered = accepted + full; utilization = sent / speed', () => {
    const r = new RateTracker();
    r.update(0n, snap(0, 0));
    r.update(20n * S, snap(20 * 1e8 / 8, 40 * 1e8 / 8)); // 100 Mbit/s accepted, 200 Mbit/s refused
    const v = r.vm(0)!;
    expect(v.acceptedBps).toBeCloseTo(1e8 * (1 - Math.exp(-20)), 0);
    expect(v.offeredBps).toBeCloseTo(3e8 * (1 - Math.exp(-20)), 0);
    expect(r.nic(0)!.utilization).toBeCloseTo(0.1, 6);
  });

  it('Δt = 0 changes nothing and the bytes count in the next interval', () => {
    const a = new RateTracker(), b = new RateTracker();
    a.update(0n, snap(0)); b.update(0n, snap(0));
    a.update(S, snap(1000)); const before = a.vm(0)!.sentBps;
    a.update(S, snap(5000));
    expect(a.vm(0)!.sentBps).toBe(before);
    a.update(2n * S, snap(9000));
    b.update(S, snap(1000)); b.update(2n * S, snap(9000));
    expect(a.vm(0)!.sentBps).toBe(b.vm(0)!.sentBps);
  });

  it('a backwards clock keeps the rates, re-anchors, and is counted', () => {
    const r = new RateTracker();
    r.update(0n, snap(0));
    r.update(10n * S, snap(10 * 1e6 / 8));
    const rate = r.vm(0)!.sentBps;
    r.update(5n * S, snap(11 * 1e6 / 8)); // clock stepped back 5 s
    expect(r.vm(0)!.sentBps).toBe(rate);
    expect(r.clockBackwards).toBe(1);
    r.update(6n * S, snap(12 * 1e6 / 8)); // 1 s later at 1 Mbit/s
    const keep = Math.exp(-1);
    expect(r.vm(0)!.sentBps).toBeCloseTo(rate * keep + 1e6 * (1 - keep), 3);
    for (const x of [r.vm(0)!.sentBps, r.vm(0)!.offeredBps, r.nic(0)!.sentBps]) expect(Number.isFinite(x) && x >= 0).toBe(true);
  });

  it('VMs are keyed by id and name: a reused id or a counter reset starts at 0; vanished VMs are forgotten', () => {
    const r = new RateTracker();
    r.update(0n, snap(0));
    r.update(S, snap(1e6));
    expect(r.vm(0, 'a')!.sentBps).toBeGreaterThan(0);
    r.update(2n * S, snap(0, 0, [vm(0, 'b', { sentBytes: 5e6 })])); // id 0 reused by VM "b"
    expect(r.vm(0, 'a')).toBeUndefined();
    expect(r.vm(0, 'b')!.sentBps).toBe(0);
    r.update(3n * S, snap(0, 0, [vm(0, 'b', { sentBytes: 10 })])); // removed and re-added as "b": counters went down
    expect(r.vm(0, 'b')!.sentBps).toBe(0);
    r.update(4n * S, snap(0, 0, []));
    expect(r.vms).toEqual([]);
  });

  it('rejects a bad time constant or unknown option', () => {
    expect(() => new RateTracker({ tauNs: 0 })).toThrow(/tauNs/);
    expect(() => new RateTracker({ tauNs: Number.NaN })).toThrow(/out of range/);
    expect(() => new RateTracker({ tau: 1 } as never)).toThrow(/unknown/);
    expect(new RateTracker({ tauNs: 2_000_000_000n }).tauNs).toBe(2e9);
  });

  it('on the real engine, a VM sending at a constant rate converges to it within e^(−k) after k·τ', async () => {
    const s = await createScheduler({ nics: [{ name: 'vmnic0', speed: 100e6, inFlightBytes: 16_000 }], clock: () => 0n });
    const id = s.addVm({ name: 'web', limit: 20e6 }, 0n);
    const loop = new HostLoop(s, 1_000_000n, [{ vm: id, rateBps: 10e6, packetBytes: 1000 }]);
    const r = new RateTracker();
    r.update(0n, s.stats());
    for (const k of [1, 2, 3, 5]) {
      loop.run(BigInt(k) * S);
      r.update(loop.t, s.stats());
      const v = r.vm(id)!;
      // EWMA error e^(−k), plus one packet of quantization per τ
      const tol = 10e6 * Math.exp(-k) + 8000 * 2;
      expect(Math.abs(v.sentBps - 10e6 * (1 - Math.exp(-k)))).toBeLessThan(8000 * 2 + 0.01 * 10e6);
      expect(10e6 - v.sentBps).toBeLessThan(tol);
      expect(Math.abs(v.offeredBps - v.acceptedBps)).toBe(0); // nothing refused
      expect(r.nic(0)!.utilization).toBeCloseTo(v.sentBps / 100e6, 9);
    }
  });
});
