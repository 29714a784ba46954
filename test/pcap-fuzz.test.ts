/**
 * Robustness of the capture reader against damaged files.
 *
 * The contract: for any input the reader either returns packets whose data lies
 * inside the input, or throws CaptureError with an integer byteOffset within the
 * file. Never another exception (no RangeError from DataView, no TypeError), never
 * a hang. Inputs: generated pcap (µs, ns, both byte orders) and pcapng files (several
 * interfaces, options, SPB, unknown blocks, two sections) and, when present, two
 * small real captures; damage: truncation at every byte offset, random byte flips,
 * random / zero / huge values written over length fields. Runs are bounded so the
 * file finishes in a few seconds.
 */

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CaptureError, readCapture, type Capture } from '../src/pcap/reader.js';
import {
  concatBytes,
  encodeBlock,
  encodeEnhancedPacketBlock,
  encodeInterfaceDescriptionBlock,
  encodeSectionHeaderBlock,
  encodeSimplePacketBlock,
  writePcap,
  writePcapng,
  type PacketRecord,
} from '../src/pcap/writer.js';
import { capturesPresent, loadCapture, warnIfCapturesAbsent } from './support/captures.js';

warnIfCapturesAbsent('pcap-fuzz');

type Outcome = { ok: true; capture: Capture } | { ok: false; error: CaptureError };

/** Reads `bytes` and checks the contract; returns what happened. */
function readChecked(bytes: Uint8Array): Outcome {
  let capture: Capture;
  try {
    capture = readCapture(bytes);
  } catch (error) {
    if (!(error instanceof CaptureError)) {
      throw new Error(`reader threw a non-CaptureError: ${String(error)}`, { cause: error });
    }
    if (!Number.isInteger(error.byteOffset) || error.byteOffset < 0 || error.byteOffset > bytes.length) {
      throw new Error(`byteOffset ${error.byteOffset} outside a ${bytes.length}-byte file`);
    }
    if (!error.message.includes(String(error.byteOffset))) throw new Error(`message lacks the offset: ${error.message}`);
    return { ok: false, error };
  }
  const end = bytes.byteOffset + bytes.length;
  for (const packet of capture.packets) {
    const inside =
      packet.data.buffer === bytes.buffer &&
      packet.data.byteOffset >= bytes.byteOffset &&
      packet.data.byteOffset + packet.data.length <= end &&
      packet.data.length === packet.capturedLength;
    if (!inside) throw new Error(`packet ${packet.index} data is not a view inside the input`);
    if (capture.interfaces[packet.interfaceId] === undefined) {
      throw new Error(`packet ${packet.index} names interface ${packet.interfaceId} that is not listed`);
    }
  }
  return { ok: true, capture };
}

const records: PacketRecord[] = [
  { timestampNs: 1_500_000_000_000_001_000n, data: Uint8Array.from({ length: 42 }, (_, i) => i) },
  { timestampNs: 1_500_000_000_000_002_000n, data: Uint8Array.of(1, 2, 3), originalLength: 60 },
  { timestampNs: 1_500_000_000_000_003_000n, data: new Uint8Array(0) },
  { timestampNs: 1_500_000_000_000_004_000n, data: new Uint8Array(17).fill(0xff) },
];

/** Generated files, and the offsets where each ends a record/block (valid cut points). */
function generatedFiles(): { name: string; bytes: Uint8Array; boundaries: number[] }[] {
  const files: { name: string; parts: Uint8Array[]; cutsInside?: boolean }[] = [];
  for (const byteOrder of ['little', 'big'] as const) {
    for (const resolution of ['us', 'ns'] as const) {
      const whole = writePcap(records, { byteOrder, resolution });
      const parts = [whole.subarray(0, 24)];
      let at = 24;
      for (const record of records) {
        parts.push(whole.subarray(at, at + 16 + record.data.length));
        at += 16 + record.data.length;
      }
      files.push({ name: `pcap ${resolution} ${byteOrder}`, parts });
    }
    const interfaces = [
      { name: 'eth0', timestampResolution: { base: 10 as const, exponent: 9 } },
      { snapLength: 8, timestampOffsetSeconds: 3n, timestampResolution: { base: 2 as const, exponent: 20 } },
    ];
    files.push({
      name: `pcapng ${byteOrder}`,
      parts: [
        encodeSectionHeaderBlock(byteOrder),
        encodeInterfaceDescriptionBlock(byteOrder, interfaces[0]!),
        encodeInterfaceDescriptionBlock(byteOrder, interfaces[1]!),
        encodeEnhancedPacketBlock(byteOrder, 0, interfaces[0]!, records[0]!),
        encodeBlock(byteOrder, 0x0000abcd, Uint8Array.of(9, 9, 9)),
        encodeSimplePacketBlock(byteOrder, Uint8Array.of(5, 6, 7, 8, 9), 5),
        encodeEnhancedPacketBlock(byteOrder, 1, interfaces[1]!, { ...records[1]!, timestampNs: 3_000_000_000n }),
        encodeSectionHeaderBlock(byteOrder === 'little' ? 'big' : 'little'),
        encodeInterfaceDescriptionBlock(byteOrder === 'little' ? 'big' : 'little', {}),
        encodeEnhancedPacketBlock(byteOrder === 'little' ? 'big' : 'little', 0, {}, records[3]!),
      ],
    });
  }
  return files.map(({ name, parts }) => {
    const boundaries: number[] = [];
    let at = 0;
    for (const part of parts) {
      at += part.length;
      boundaries.push(at);
    }
    return { name, bytes: concatBytes(parts), boundaries };
  });
}

/** Offsets of the 32-bit length-like fields of a generated or real file. */
function lengthFieldOffsets(bytes: Uint8Array): number[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const offsets: number[] = [];
  const magic = view.getUint32(0, false);
  if (magic === 0x0a0d0d0a) {
    let little = true;
    for (let at = 0; at + 12 <= bytes.length; ) {
      if (view.getUint32(at, false) === 0x0a0d0d0a) little = view.getUint32(at + 8, true) === 0x1a2b3c4d;
      const length = view.getUint32(at + 4, little);
      if (length < 12 || at + length > bytes.length) break;
      offsets.push(at + 4, at + length - 4, at + 16, at + 20, at + 24); // lengths, option and caplen fields
      at += length;
    }
  } else {
    const little = view.getUint32(0, true) === 0xa1b2c3d4 || view.getUint32(0, true) === 0xa1b23c4d;
    offsets.push(16);
    for (let at = 24; at + 16 <= bytes.length; ) {
      offsets.push(at + 8, at + 12);
      at += 16 + view.getUint32(at + 8, little);
    }
  }
  return offsets.filter((offset) => offset + 4 <= bytes.length);
}

const interestingU32 = fc.oneof(
  fc.constantFrom(0, 1, 3, 4, 8, 11, 12, 13, 16, 28, 32, 0x7fffffff, 0x80000000, 0xfffffff0, 0xfffffffc, 0xffffffff),
  fc.integer({ min: 0, max: 0xffffffff }),
  fc.integer({ min: 0, max: 300 }),
);

function flipped(bytes: Uint8Array, flips: { at: number; value: number }[]): Uint8Array {
  const copy = bytes.slice();
  for (const { at, value } of flips) copy[at % copy.length] = value;
  return copy;
}

function withU32(bytes: Uint8Array, at: number, value: number, littleEndian: boolean): Uint8Array {
  const copy = bytes.slice();
  new DataView(copy.buffer).setUint32(at, value, littleEndian);
  return copy;
}

describe('generated files', () => {
  const files = generatedFiles();

  for (const { name, bytes, boundaries } of files) {
    it(`${name}: reads cleanly when whole`, () => {
      const outcome = readChecked(bytes);
      expect(outcome.ok).toBe(true);
    });

    it(`${name}: truncation at every byte offset gives a packet prefix or TRUNCATED`, () => {
      const whole = readChecked(bytes);
      if (!whole.ok) throw whole.error;
      const packetsBefore = (cut: number): number =>
        whole.capture.packets.filter((p) => p.data.byteOffset + p.data.length <= cut).length;
      for (let cut = 0; cut < bytes.length; cut++) {
        const outcome = readChecked(bytes.subarray(0, cut));
        if (boundaries.includes(cut)) {
          expect(outcome.ok, `cut at ${cut} is a block boundary`).toBe(true);
          if (outcome.ok) expect(outcome.capture.packets.length).toBe(packetsBefore(cut));
        } else {
          expect(outcome.ok, `cut at ${cut}`).toBe(false);
          if (!outcome.ok) expect(outcome.error.code, `cut at ${cut}`).toBe('TRUNCATED');
        }
      }
    });

    it(`${name}: random byte flips`, () => {
      fc.assert(
        fc.property(
          fc.array(fc.record({ at: fc.nat({ max: bytes.length - 1 }), value: fc.nat({ max: 255 }) }), {
            minLength: 1,
            maxLength: 8,
          }),
          (flips) => {
            readChecked(flipped(bytes, flips));
          },
        ),
        { numRuns: 400 },
      );
    });

    it(`${name}: random, zero and huge values in length fields`, () => {
      const offsets = lengthFieldOffsets(bytes);
      expect(offsets.length).toBeGreaterThan(3);
      fc.assert(
        fc.property(
          fc.array(fc.record({ field: fc.constantFrom(...offsets), value: interestingU32, little: fc.boolean() }), {
            minLength: 1,
            maxLength: 3,
          }),
          fc.nat({ max: bytes.length }),
          (writes, cut) => {
            let damaged = bytes;
            for (const { field, value, little } of writes) damaged = withU32(damaged, field, value, little);
            readChecked(damaged);
            readChecked(damaged.subarray(0, cut));
          },
        ),
        { numRuns: 400 },
      );
    });
  }

  it('random byte strings with a valid magic', () => {
    const magics = [
      Uint8Array.of(0xd4, 0xc3, 0xb2, 0xa1),
      Uint8Array.of(0xa1, 0xb2, 0x3c, 0x4d),
      Uint8Array.of(0x34, 0xcd, 0xb2, 0xa1),
      Uint8Array.of(0x0a, 0x0d, 0x0d, 0x0a),
    ];
    fc.assert(
      fc.property(fc.constantFrom(...magics), fc.uint8Array({ maxLength: 200 }), (magic, rest) => {
        readChecked(concatBytes([magic, rest]));
      }),
      { numRuns: 1000 },
    );
  });

  it('pcapng blocks of length 0 or 12 repeated do not loop', () => {
    const shb = encodeSectionHeaderBlock('little');
    const empty = new Uint8Array(12);
    new DataView(empty.buffer).setUint32(0, 0x99, true);
    new DataView(empty.buffer).setUint32(4, 12, true);
    new DataView(empty.buffer).setUint32(8, 12, true);
    const many = concatBytes([shb, ...new Array<Uint8Array>(5000).fill(empty)]);
    const outcome = readChecked(many);
    expect(outcome.ok && outcome.capture.packets.length).toBe(0);
    const zero = concatBytes([shb, new Uint8Array(12)]);
    const result = readChecked(zero);
    expect(!result.ok && result.error.code).toBe('BAD_BLOCK_LENGTH');
  });

  it('a huge pcap captured length is refused without reading past the end', () => {
    const file = writePcap(records, { snapLength: 0xffffffff });
    const damaged = withU32(file, 24 + 8, 0xfffffff0, true);
    const outcome = readChecked(damaged);
    expect(!outcome.ok && outcome.error.code).toBe('TRUNCATED');
    const capped = withU32(writePcapng(records), 28 + 20 + 20, 0x7fffffff, true);
    const result = readChecked(capped);
    expect(!result.ok && result.error.code).toBe('CAPLEN_EXCEEDS_SNAPLEN');
  });
});

describe.skipIf(!capturesPresent)('real captures, damaged', () => {
  // Two small files: one classic pcap with VLAN tags, one pcapng.
  const real = capturesPresent
    ? [
        { name: 'zeek_icmp_dot1q.pcap', bytes: loadCapture('zeek_icmp_dot1q.pcap') },
        { name: 'ndpi_snmp.pcapng', bytes: loadCapture('ndpi_snmp.pcapng') },
      ]
    : [];

  for (const { name, bytes } of real) {
    it(`${name}: truncation at every offset (first 4 KiB, then every 7th)`, () => {
      const whole = readChecked(bytes);
      expect(whole.ok).toBe(true);
      const total = whole.ok ? whole.capture.packets.length : 0;
      for (let cut = 0; cut < bytes.length; cut += cut < 4096 ? 1 : 7) {
        const outcome = readChecked(bytes.subarray(0, cut));
        if (outcome.ok) expect(outcome.capture.packets.length).toBeLessThanOrEqual(total);
        else expect(outcome.error.code).toBe('TRUNCATED');
      }
    });

    it(`${name}: random byte flips and length damage`, () => {
      const offsets = lengthFieldOffsets(bytes);
      fc.assert(
        fc.property(
          fc.array(fc.record({ at: fc.nat({ max: bytes.length - 1 }), value: fc.nat({ max: 255 }) }), {
            maxLength: 6,
          }),
          fc.array(fc.record({ field: fc.constantFrom(...offsets), value: interestingU32 }), { maxLength: 2 }),
          (flips, writes) => {
            let damaged = flipped(bytes, flips);
            for (const { field, value } of writes) damaged = withU32(damaged, field, value, true);
            readChecked(damaged);
          },
        ),
        { numRuns: 150 },
      );
    });
  }
});
