// zero-copy.test.ts — the in-place ingress (rawBuffers + enqueueWritten /
// enqueueWrittenFrames) is the same engine work as the copying API: for random
// batches of registered, unknown and malformed frames (and random pre-classified
// descriptors), a scheduler fed in place and one fed through enqueueFrames /
// enqueue give identical statuses, classifications, accepted counts and
// decisions. Descriptors outside the frame buffer are counted malformed, and
// bad counts are clear errors before anything is read.
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { createScheduler, NicteamError, type Scheduler } from '../src/index.js';
import { buildFrame } from '../src/frames/build.js';

const VMS = 6, BATCH = 32;
const mac = (i: number) => `02:00:00:00:01:${i.toString(16).padStart(2, '0')}`;

async function make(): Promise<Scheduler> {
  const s = await createScheduler({
    nics: [{ name: 'a', speed: 10e9 }, { name: 'b', speed: 10e9 }],
    teaming: { policy: 'flow-hash', hash: 'l3+4' },
    capacity: { maxVms: 8, batchSize: BATCH, queuePackets: 64 },
    clock: () => 0n,
  });
  for (let i = 0; i < VMS; i++) s.addVm({ name: `vm${i}`, mac: mac(i), shares: 100 + 50 * i }, 0n);
  return s;
}

/** A frame: registered VM (0..VMS-1), an unknown MAC (VMS), or too short to parse (VMS+1). */
function frameOf(kind: number, flow: number, len: number): Uint8Array {
  if (kind === VMS + 1) return new Uint8Array(Math.min(len, 13)).fill(0xab);
  const src = kind === VMS ? '02:ff:ff:ff:ff:01' : mac(kind);
  return buildFrame({ src, dst: '02:00:00:00:00:fe', ipv4: { src: `10.0.0.${kind + 1}`, dst: '192.0.2.1' }, l4: { proto: 'udp', sport: 1000 + flow, dport: 53 }, length: len });
}

const batchArb = fc.array(fc.record({ kind: fc.integer({ min: 0, max: VMS + 1 }), flow: fc.integer({ min: 0, max: 7 }), len: fc.integer({ min: 60, max: 300 }) }), { minLength: 1, maxLength: BATCH });

describe('zero-copy ingress', () => {
  it('enqueueWrittenFrames decides exactly like enqueueFrames', async () => {
    await fc.assert(fc.asyncProperty(fc.array(batchArb, { minLength: 1, maxLength: 6 }), async (batches) => {
      const a = await make(), b = await make();
      const raw = a.rawBuffers;
      let handle = 0, t = 1_000n;
      for (const batch of batches) {
        const frames = batch.map((p) => frameOf(p.kind, p.flow, p.len));
        const handles = frames.map(() => handle++);
        // frames in reverse order inside the buffer, with gaps: offsets are honoured, not assumed packed
        let off = raw.frames.length;
        frames.forEach((f, i) => {
          off -= f.length + 7;
          raw.frames.set(f, off);
          raw.offsets[i] = off; raw.capturedLengths[i] = f.length; raw.lengths[i] = f.length; raw.handles[i] = handles[i]!;
        });
        t += 10_000n;
        const acceptedA = a.enqueueWrittenFrames(frames.length, t);
        const e = b.enqueueFrames(frames, handles, undefined, t);
        expect(acceptedA).toBe(e.accepted);
        expect(Array.from(raw.statuses.subarray(0, frames.length))).toEqual(Array.from(e.statuses.subarray(0, frames.length)));
        expect(Array.from(raw.vms.subarray(0, frames.length))).toEqual(Array.from(e.vms.subarray(0, frames.length)));
        const pa = a.poll(t), da = [pa.count, ...pa.handles.subarray(0, pa.count), ...pa.nics.subarray(0, pa.count)];
        const pb = b.poll(t), db = [pb.count, ...pb.handles.subarray(0, pb.count), ...pb.nics.subarray(0, pb.count)];
        expect(da).toEqual(db);
      }
      expect(a.stats().team).toEqual(b.stats().team);
      a.close(); b.close();
    }), { numRuns: 40 });
  });

  it('enqueueWritten decides exactly like enqueue', async () => {
    const desc = fc.array(fc.record({ vm: fc.integer({ min: 0, max: 9 }), len: fc.integer({ min: 0, max: 70_000 }), hash: fc.integer({ min: 0, max: 0xffffffff }) }), { minLength: 1, maxLength: BATCH });
    await fc.assert(fc.asyncProperty(fc.array(desc, { minLength: 1, maxLength: 6 }), async (batches) => {
      const a = await make(), b = await make();
      const raw = a.rawBuffers;
      let handle = 0, t = 1_000n;
      for (const batch of batches) {
        const handles = batch.map(() => handle++);
        batch.forEach((p, i) => { raw.vms[i] = p.vm; raw.lengths[i] = p.len; raw.handles[i] = handles[i]!; raw.flowHashes[i] = p.hash; });
        t += 10_000n;
        const acc = a.enqueueWritten(batch.length, t);
        const e = b.enqueue(batch.map((p) => p.vm), batch.map((p) => p.len), handles, batch.map((p) => p.hash), t);
        expect(acc).toBe(e.accepted);
        expect(Array.from(raw.statuses.subarray(0, batch.length))).toEqual(Array.from(e.statuses.subarray(0, batch.length)));
        const pa = a.poll(t), pb = b.poll(t);
        expect([...pa.handles.subarray(0, pa.count)]).toEqual([...pb.handles.subarray(0, pb.count)]);
        expect([...pa.nics.subarray(0, pa.count)]).toEqual([...pb.nics.subarray(0, pb.count)]);
      }
      a.close(); b.close();
    }), { numRuns: 40 });
  });

  it('counts descriptors outside the frame buffer as malformed and never reads them', async () => {
    const s = await make();
    const raw = s.rawBuffers, size = raw.frames.length;
    const cases: [number, number][] = [[size, 64], [size - 10, 64], [0xffffffff, 64], [0, size + 1], [size - 64, 0xffffffff]];
    cases.forEach(([off, cap], i) => { raw.offsets[i] = off; raw.capturedLengths[i] = cap; raw.lengths[i] = 64; raw.handles[i] = i; });
    expect(s.enqueueWrittenFrames(cases.length, 1n)).toBe(0);
    expect(Array.from(raw.statuses.subarray(0, cases.length))).toEqual(cases.map(() => 4));
    expect(s.stats().team.malformed).toBe(cases.length);
    s.close();
  });

  it('rejects a bad descriptor count before reading anything', async () => {
    const s = await make();
    for (const n of [-1, 1.5, Number.NaN, BATCH + 1]) {
      expect(() => s.enqueueWrittenFrames(n)).toThrow(NicteamError);
      expect(() => s.enqueueWritten(n)).toThrow(/capacity\.batchSize/);
    }
    expect(s.enqueueWrittenFrames(0, 1n)).toBe(0);
    expect(s.stats().team.malformed).toBe(0);
    s.close();
    expect(() => s.enqueueWritten(1)).toThrow(/closed/);
  });
});
