// classify-captures.test.ts — classification through enqueueFrames, checked
// against ground truth, and the core's flow hash against the model's.
//
// Real captures (/work/shared/data/pcaps, tshark truth beside each file):
// every source MAC in the truth becomes a VM; each frame must be classified to
// the VM of its (outer) eth.src, frames shorter than an Ethernet header (or a
// cut VLAN tag, as test/model/parse.ts rules) must get status malformed (4),
// and the hash the core computed (rawBuffers.flowHashes after a single core
// call: batches of at most capacity.batchSize frames, frame buffer large
// enough) must equal test/model/hash.ts on test/model/parse.ts's parse, in all
// three hash modes. Generated frames (src/frames/build.ts) cover what the
// captures may lack — 802.1Q, QinQ, 0x9100, MPLS, IPv4 options and fragments,
// IPv6 extension chains (incl. AH, fragments, over-long chains) — truncated at
// every length, so the hash comparison runs even without the captures.
import { describe, it, expect } from 'vitest';
import { createScheduler, type Scheduler } from '../src/index.js';
import { readCapture } from '../src/pcap/reader.js';
import { buildFrame, type FrameSpec, type Ipv6ExtensionSpec } from '../src/frames/build.js';
import { parseFrame } from './model/parse.js';
import { flowHash, type HashMode } from './model/hash.js';
import { capturesPresent, capturesDir, listCaptures, loadCapture, loadTruth, skipMessage } from './support/captures.js';

const MODES: HashMode[] = ['l2', 'l2+3', 'l3+4'];
const NIL = 0xffffffff;
const BATCH = 64;

interface Mismatch { what: string; frame: number; mode: HashMode; got: number; want: number | null; hex: string; modelHasProto: boolean }

async function teamFor(mode: HashMode, macs: string[]): Promise<{ s: Scheduler; vmOf: Map<string, number> }> {
  const s = await createScheduler({
    nics: [{ name: 'vmnic0', speed: 10e9 }], teaming: { policy: 'port-id', hash: mode },
    capacity: { maxVms: Math.max(16, macs.length), maxMacs: Math.max(16, macs.length), queuePackets: 64, batchSize: BATCH, frameBufferBytes: BATCH * 65_536 },
    clock: () => 0n,
  });
  const vmOf = new Map(macs.map((mac, i) => [mac, s.addVm({ name: `vm${i}`, mac }, 0n)]));
  return { s, vmOf };
}

/** Keeps queues from filling: releases and completes everything queued. */
function drain(s: Scheduler): void {
  for (;;) {
    const r = s.poll(0n);
    if (r.count === 0) return;
    s.completed(0, r.count);
  }
}

/**
 * Offers frames in batches of one core call each; returns per frame the status,
 * the VM and (when not malformed) the core's flow hash.
 */
function classify(s: Scheduler, frames: Uint8Array[]): { status: number[]; vm: number[]; hash: number[] } {
  const out = { status: [] as number[], vm: [] as number[], hash: [] as number[] };
  for (let i = 0; i < frames.length; i += BATCH) {
    const batch = frames.slice(i, i + BATCH);
    const r = s.enqueueFrames(batch, batch.map((_, k) => i + k));
    const hashes = s.rawBuffers.flowHashes; // the last core call's column: this whole batch
    for (let k = 0; k < batch.length; k++) { out.status.push(r.statuses[k]!); out.vm.push(r.vms[k]!); out.hash.push(hashes[k]!); }
    drain(s);
  }
  return out;
}

function compareHashes(label: string, mode: HashMode, frames: Uint8Array[], got: { status: number[]; hash: number[] }, bad: Mismatch[]): number {
  let compared = 0;
  frames.forEach((f, i) => {
    const p = parseFrame(f);
    expect(got.status[i] === 4, `${label} frame ${i}: malformed iff the model says so`).toBe(p.status === 'malformed');
    if (p.status === 'malformed') return;
    const want = flowHash(p, mode);
    compared++;
    if (got.hash[i] !== want) bad.push({ what: label, frame: i, mode, got: got.hash[i]!, want, hex: Buffer.from(f).toString('hex'), modelHasProto: p.ipProto !== undefined });
  });
  return compared;
}

describe.skipIf(!capturesPresent)(`real captures (${capturesDir})`, () => {
  for (const name of capturesPresent ? listCaptures() : []) {
    it(`${name}: every frame classified to its truth eth.src's VM; hashes match the model`, async () => {
      const packets = readCapture(loadCapture(name)).packets;
      const truth = loadTruth(name);
      expect(packets.length).toBe(truth.length);
      const macs = [...new Set(truth.map((r) => r.ethSrc[0]).filter((m): m is string => m !== undefined))];
      const frames = packets.map((p) => p.data);
      const bad: Mismatch[] = [];
      for (const mode of MODES) {
        const { s, vmOf } = await teamFor(mode, macs);
        const got = classify(s, frames);
        truth.forEach((row, i) => {
          const where = `${name} frame ${row.frameNumber} (${mode})`;
          if (row.capLen < 14) { expect(got.status[i], `${where}: shorter than an Ethernet header`).toBe(4); return; }
          if (got.status[i] === 4) return; // a cut VLAN tag: checked against the model below
          expect(got.vm[i], `${where}: eth.src ${row.ethSrc[0]}`).toBe(vmOf.get(row.ethSrc[0]!));
          expect(got.status[i], where).toBe(0);
        });
        expect(s.stats().team.unknownVm, 'every source MAC was registered').toBe(0);
        compareHashes(name, mode, frames, got, bad);
      }
      expect(bad.slice(0, 5), `${bad.length} flow hashes differ from the model`).toEqual([]);
    });
  }
});

if (!capturesPresent) {
  describe('real captures', () => {
    it.skip(skipMessage, () => {});
  });
  console.warn(`[classify-captures] ${skipMessage}; the generated-frame checks below still run`);
}

// ------------------------------------------------------------------ generated frames

const SRC = ['00:50:56:00:00:01', '00:50:56:00:00:02', '02:00:00:ab:cd:ef'];
const DST = '00:1b:21:3a:4b:5c';
const v4 = { src: '10.1.2.3', dst: '192.168.7.9' };
const v6 = { src: '2001:db8::1', dst: 'fe80::abcd:1234' };
const l4s = [{ proto: 'tcp' as const, sport: 49_152, dport: 443 }, { proto: 'udp' as const, sport: 5353, dport: 53 }, { proto: 'sctp' as const, sport: 2905, dport: 2905 }];

function specs(): FrameSpec[] {
  const out: FrameSpec[] = [];
  const tagSets: FrameSpec['vlans'][] = [undefined, [{ tpid: 0x8100, id: 10, pcp: 5 }], [{ tpid: 0x88a8, id: 100 }, { tpid: 0x8100, id: 20, dei: true }],
    [{ tpid: 0x9100, id: 7 }, { tpid: 0x8100, id: 8 }, { tpid: 0x8100, id: 9 }]];
  const v6chains: Ipv6ExtensionSpec[][] = [
    [], [{ type: 0 }], [{ type: 0, lengthBytes: 16 }, { type: 43 }, { type: 60, lengthBytes: 24 }],
    [{ type: 44 }], [{ type: 44, fragmentOffset: 0, moreFragments: true }], [{ type: 44, fragmentOffset: 185 }],
    [{ type: 51 }], [{ type: 51, lengthBytes: 12 }, { type: 135 }],
    Array.from({ length: 8 }, () => ({ type: 60 as const })), Array.from({ length: 9 }, () => ({ type: 0 as const })),
  ];
  SRC.forEach((src, si) => {
    for (const vlans of tagSets) {
      const base = { src, dst: DST, ...(vlans ? { vlans } : {}) };
      for (const l4 of l4s) out.push({ ...base, ipv4: v4, l4, payload: new Uint8Array(6).fill(si) });
      out.push({ ...base, ipv4: { ...v4, options: new Uint8Array(8).fill(1) }, l4: l4s[0]! });
      out.push({ ...base, ipv4: { ...v4, moreFragments: true }, l4: l4s[1]! });
      out.push({ ...base, ipv4: { ...v4, fragmentOffset: 100 }, l4: l4s[1]! });
      out.push({ ...base, ipv4: { ...v4, proto: 1 } });
      for (const chain of v6chains) out.push({ ...base, ipv6: { ...v6, extensionHeaders: chain }, l4: l4s[si % 3]! });
      out.push({ ...base, ipv6: { ...v6, nextHeader: 58 } });
      out.push({ ...base, arp: { senderIp: '10.0.0.1', targetIp: '10.0.0.2' } });
      out.push({ ...base, etherType: 0x88cc, payload: new Uint8Array(20) });
    }
    for (const labels of [[16], [16, 17, 18]]) {
      out.push({ src, dst: DST, mpls: labels, ipv4: v4, l4: l4s[0]! });
      out.push({ src, dst: DST, mpls: labels, mplsEtherType: 0x8848, ipv6: { ...v6, extensionHeaders: [{ type: 0 }] }, l4: l4s[1]! });
      out.push({ src, dst: DST, vlans: [{ tpid: 0x8100, id: 3 }], mpls: labels, payload: new Uint8Array([0x55, 1, 2, 3]) });
    }
  });
  return out;
}

describe('generated frames, truncated at every length', () => {
  const full = specs().map(buildFrame);
  const frames: Uint8Array[] = [];
  for (const f of full) for (let n = 0; n <= f.length; n++) frames.push(f.subarray(0, n));
  // tail: the frames whole, so an l4 with ports is surely among them
  frames.push(...full);

  for (const mode of MODES) {
    it(`${mode}: classification and flow hash agree with the model on ${frames.length} frames`, async () => {
      const { s, vmOf } = await teamFor(mode, SRC);
      const got = classify(s, frames);
      frames.forEach((f, i) => {
        if (f.length < 14) { expect(got.status[i], `length ${f.length}`).toBe(4); expect(got.vm[i]).toBe(NIL); return; }
        if (got.status[i] === 4) return; // cut VLAN tag: compared with the model in compareHashes
        const p = parseFrame(f);
        expect(got.vm[i], `frame ${i}`).toBe(vmOf.get(p.status === 'ok' ? p.srcMac : '')!);
      });
      const bad: Mismatch[] = [];
      const compared = compareHashes(`generated`, mode, frames, got, bad);
      expect(compared).toBeGreaterThan(10_000);
      if (bad.length) console.log(`[classify-captures] ${mode}: ${bad.length} of ${compared} hashes differ (${bad.filter((b) => !b.modelHasProto).length} of them where the model has no ipProto: a cut or over-long IPv6 extension chain); first: ${JSON.stringify(bad[0])}`);
      expect(bad.slice(0, 3), `${bad.length} of ${compared} flow hashes differ from the model`).toEqual([]);
    });
  }
});
