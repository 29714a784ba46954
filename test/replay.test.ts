// replay.test.ts — capture replay through the engine.
// Against the shared real captures and their tshark truth (skipped, with a
// message, when ../shared/data/pcaps is absent): every frame of every capture
// is offered and accepted, the per-source-MAC counts the engine accepted equal
// tshark's eth.src counts, the bytes sent equal the frame lengths. Speed modes
// keep, scale or drop the capture timing. Corrupt and fuzzed files fail with
// CaptureError (code and byte offset), never anything else.

import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { replayCapture } from '../src/sim/replay.js';
import { CaptureError } from '../src/pcap/reader.js';
import { writePcap, writePcapng } from '../src/pcap/writer.js';
import { buildFrame } from '../src/frames/build.js';
import { validateScenario } from '../src/scenario/load.js';
import { capturesPresent, listCaptures, loadCapture, loadTruth, warnIfCapturesAbsent } from './support/captures.js';

warnIfCapturesAbsent('replay');
const real = capturesPresent ? describe : describe.skip;

/** A small synthetic capture: three hosts, 30 frames over 30 ms, some VLAN-tagged. */
function synthetic(format: 'pcap' | 'pcapng' = 'pcap'): Uint8Array {
  const macs = ['02:00:00:00:00:01', '02:00:00:00:00:02', '02:00:00:00:00:03'];
  const packets = Array.from({ length: 30 }, (_, i) => ({
    timestampNs: 1_700_000_000_000_000_000n + BigInt(i) * 1_000_000n,
    data: buildFrame({ src: macs[i % 3]!, dst: 'ff:ff:ff:ff:ff:ff', ...(i % 2 ? { vlans: [{ tpid: 0x8100, id: 10 }] } : {}),
      ipv4: { src: '10.0.0.1', dst: '10.0.0.2' }, l4: { proto: 'udp', sport: 1000 + i, dport: 53 }, length: 100 + i * 40 }),
  }));
  return format === 'pcap' ? writePcap(packets) : writePcapng(packets);
}

real('replay of the real captures vs tshark truth', () => {
  for (const name of capturesPresent ? listCaptures() : []) {
    it(`${name}: every frame offered and accepted, per-MAC counts and lengths match`, async () => {
      const truth = loadTruth(name);
      const r = await replayCapture(loadCapture(name), { speed: 'max' });
      // every frame is offered; frames tshark finds no Ethernet source in (cut short) are malformed for the engine too
      const withSrc = truth.filter((row) => row.ethSrc.length > 0);
      expect(r.replay.frames).toBe(truth.length);
      expect(r.replay.accepted).toBe(withSrc.length);
      expect(r.replay.refused).toEqual({ unknownVm: 0, forged: 0, malformed: truth.length - withSrc.length, tooLarge: 0 });
      const counts = new Map<string, number>();
      for (const row of withSrc) counts.set(row.ethSrc[0]!, (counts.get(row.ethSrc[0]!) ?? 0) + 1);
      expect(Object.keys(r.replay.perMac).sort()).toEqual([...counts.keys()].sort());
      for (const [mac, n] of counts) {
        expect(r.replay.perMac[mac]!.frames, mac).toBe(n);
        expect(r.replay.perMac[mac]!.accepted, mac).toBe(n);
        // one auto-created VM per MAC, and the engine classified exactly n frames to it
        const vm = r.vms.find((v) => v.macs[0] === mac)!;
        expect(vm.acceptedPackets).toBe(n);
        expect(vm.sentPackets).toBe(n);
      }
      const bytesByMac = new Map<string, number>();
      for (const row of withSrc) bytesByMac.set(row.ethSrc[0]!, (bytesByMac.get(row.ethSrc[0]!) ?? 0) + row.frameLen);
      for (const [mac, b] of bytesByMac) expect(r.vms.find((v) => v.macs[0] === mac)!.sentBytes, mac).toBe(b);
      expect(r.totals.sentBytes).toBe(withSrc.reduce((s, x) => s + x.frameLen, 0));
      expect(r.conservation.ok).toBe(true);
      expect(r.conservation.queued + r.conservation.inFlight).toBe(0);
    }, 60_000);
  }

  it('VMs from a scenario own their MACs; the rest get default VMs', async () => {
    const name = 'tcpreplay_test.pcap';
    const truth = loadTruth(name);
    const mac = truth[0]!.ethSrc[0]!;
    const scenario = validateScenario({ durationMs: 1000, nics: [{ name: 'up0', speed: '1Gbit' }], vms: [{ name: 'mine', mac, limit: '10Mbit' }] });
    const r = await replayCapture(loadCapture(name), { speed: 'max', scenario });
    const mine = r.vms.find((v) => v.name === 'mine')!;
    expect(mine.acceptedPackets).toBe(truth.filter((x) => x.ethSrc[0] === mac).length);
    expect(mine.allocation.limitBps).toBe(10e6);
    expect(r.nics.map((n) => n.name)).toEqual(['up0']);
    expect(r.vms.length).toBe(new Set(truth.map((x) => x.ethSrc[0])).size);
  }, 60_000);

  it('speed 1 keeps the capture timing, speed 2 halves it, max ignores it', async () => {
    const bytes = loadCapture('tcpreplay_test.pcap');
    const one = await replayCapture(bytes, { speed: 1 });
    const two = await replayCapture(bytes, { speed: 2 });
    const max = await replayCapture(bytes, { speed: 'max' });
    const span = one.replay.captureSpanNs;
    expect(span).toBeGreaterThan(1e9);
    // the run lasts until the last frame has left: the span (scaled), rounded up to an interval
    expect(one.scenario.durationNs).toBeGreaterThanOrEqual(span);
    expect(one.scenario.durationNs).toBeLessThan(span + 2 * one.scenario.sampleIntervalNs + 1e6);
    expect(two.scenario.durationNs).toBeGreaterThanOrEqual(span / 2);
    expect(two.scenario.durationNs).toBeLessThan(span / 2 + 2 * two.scenario.sampleIntervalNs + 1e6);
    expect(max.scenario.durationNs).toBeLessThan(10e6);
    for (const r of [one, two, max]) expect(r.replay.accepted).toBe(179);
  }, 60_000);
});

describe('replay of synthetic captures', () => {
  it('replays pcap and pcapng alike, frame by frame', async () => {
    for (const format of ['pcap', 'pcapng'] as const) {
      const r = await replayCapture(synthetic(format), { speed: 1 });
      expect(r.replay.format).toBe(format);
      expect(r.replay.accepted).toBe(30);
      expect(r.vms.map((v) => v.acceptedPackets)).toEqual([10, 10, 10]);
      expect(r.totals.sentBytes).toBe(Array.from({ length: 30 }, (_, i) => 100 + i * 40).reduce((a, b) => a + b, 0));
      expect(r.replay.captureSpanNs).toBe(29e6);
    }
  });

  it('rejects a bad speed', async () => {
    await expect(replayCapture(synthetic(), { speed: 0 })).rejects.toThrow(/speed/);
  });
});

describe('corrupt captures', () => {
  it('a truncated file is a CaptureError with the byte offset of the cut record', async () => {
    const bytes = synthetic();
    const cut = bytes.subarray(0, 24 + 16 + 100 + 10); // inside the second record's header
    const e = await replayCapture(cut).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(CaptureError);
    expect((e as CaptureError).code).toBe('TRUNCATED');
    expect((e as CaptureError).byteOffset).toBe(24 + 16 + 100);
    expect((e as Error).message).toMatch(/byte offset 140/);
  });

  it('garbage is a CaptureError at offset 0', async () => {
    const e = await replayCapture(new TextEncoder().encode('this is not a capture file')).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(CaptureError);
    expect((e as CaptureError).code).toBe('BAD_MAGIC');
    expect((e as CaptureError).byteOffset).toBe(0);
  });

  it('fuzz: mutated captures replay or fail with CaptureError, nothing else (bounded)', async () => {
    const seeds = [synthetic('pcap'), synthetic('pcapng'), ...(capturesPresent ? [loadCapture('zeek_icmp_dot1q.pcap'), loadCapture('ndpi_snmp.pcapng')] : [])];
    const started = Date.now();
    let ok = 0, errors = 0;
    await fc.assert(fc.asyncProperty(
      fc.nat(seeds.length - 1), fc.array(fc.tuple(fc.nat(), fc.nat(255)), { minLength: 1, maxLength: 8 }), fc.option(fc.nat()),
      async (which, flips, cutAt) => {
        const src = seeds[which]!;
        const m = src.slice();
        for (const [pos, val] of flips) m[pos % m.length] = val;
        const bytes = cutAt === null ? m : m.subarray(0, cutAt % (m.length + 1));
        try {
          const r = await replayCapture(bytes, { speed: 'max' });
          expect(r.conservation.ok).toBe(true);
          expect(r.replay.accepted + r.replay.refused.malformed + r.replay.refused.unknownVm + r.replay.refused.forged + r.replay.refused.tooLarge).toBe(r.replay.frames);
          ok++;
        } catch (e) {
          if (!(e instanceof CaptureError)) throw e;
          expect(e.byteOffset).toBeGreaterThanOrEqual(0);
          expect(e.byteOffset).toBeLessThanOrEqual(bytes.length);
          errors++;
        }
      }), { numRuns: 100, seed: 20240601, interruptAfterTimeLimit: 30_000 });
    expect(ok + errors).toBeGreaterThan(20);
    expect(Date.now() - started).toBeLessThan(60_000);
  }, 90_000);
});
