/**
 * Contract of the capture reader (src/pcap/reader.ts) and writer (src/pcap/writer.ts).
 *
 * Covers: hand-assembled files decoded field by field (so the reader is anchored
 * to the format, not just to our writer); write → read round trips for classic
 * pcap (µs and ns, both byte orders, the big-endian file checked against a
 * byte-swapped little-endian one); pcapng with several interfaces, several
 * sections of different byte orders, unknown and ignored blocks, SPB, OPB,
 * if_tsresol (10^-n and 2^-n) and if_tsoffset; one test per CaptureError code;
 * and fast-check properties that random packet lists survive write → read exactly.
 */

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CaptureError,
  CaptureReader,
  readCapture,
  readPackets,
  type CapturedPacket,
  type CaptureErrorCode,
  type TimestampResolution,
} from '../src/pcap/reader.js';
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
  type PcapngInterface,
} from '../src/pcap/writer.js';

function hex(text: string): Uint8Array {
  const clean = text.replace(/\s+/g, '');
  return Uint8Array.from(clean.match(/../g)!.map((pair) => parseInt(pair, 16)));
}

function expectCaptureError(run: () => unknown, code: CaptureErrorCode, byteOffset?: number): CaptureError {
  let caught: unknown;
  try {
    run();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(CaptureError);
  const error = caught as CaptureError;
  expect(error.code).toBe(code);
  if (byteOffset !== undefined) expect(error.byteOffset).toBe(byteOffset);
  expect(error.message).toContain(`byte offset ${error.byteOffset}`);
  return error;
}

/** The fields a round trip must preserve. */
function summary(packets: readonly CapturedPacket[]) {
  return packets.map((p) => ({
    timestampNs: p.timestampNs,
    interfaceId: p.interfaceId,
    capturedLength: p.capturedLength,
    originalLength: p.originalLength,
    data: Array.from(p.data),
  }));
}

function expected(records: readonly PacketRecord[]) {
  return records.map((r) => ({
    timestampNs: r.timestampNs,
    interfaceId: r.interfaceId ?? 0,
    capturedLength: r.data.length,
    originalLength: r.originalLength ?? r.data.length,
    data: Array.from(r.data),
  }));
}

/** Byte-swaps the header fields of a classic pcap file (16-bit at 4 and 6, the rest 32-bit). */
function byteSwapPcap(file: Uint8Array): Uint8Array {
  const out = file.slice();
  const swap = (at: number, size: number) => out.subarray(at, at + size).reverse();
  swap(0, 4);
  swap(4, 2);
  swap(6, 2);
  for (const at of [8, 12, 16, 20]) swap(at, 4);
  let at = 24;
  while (at < out.length) {
    const capturedLength = new DataView(file.buffer, file.byteOffset).getUint32(at + 8, true);
    for (let field = 0; field < 16; field += 4) swap(at + field, 4);
    at += 16 + capturedLength;
  }
  return out;
}

const samplePackets: PacketRecord[] = [
  { timestampNs: 1_600_000_000_123_456_000n, data: hex('ffffffffffff 001122334455 0806 00010800'), originalLength: 60 },
  { timestampNs: 1_600_000_000_123_457_000n, data: new Uint8Array(0) },
  { timestampNs: 1_600_000_001_000_000_000n, data: Uint8Array.from({ length: 1514 }, (_, i) => i & 0xff) },
  { timestampNs: 1_600_000_000_000_000_000n, data: hex('01'), originalLength: 9000 }, // time going back is kept
];

describe('classic pcap, hand-assembled', () => {
  it('decodes a little-endian microsecond file field by field', () => {
    const file = hex(`
      d4c3b2a1 0200 0400 00000000 00000000 ffff0000 01000000
      00105e5f 40e20100 04000000 3c000000 deadbeef`);
    const capture = readCapture(file);
    expect(capture.format).toBe('pcap');
    expect(capture.byteOrder).toBe('little');
    expect(capture.interfaces).toEqual([
      {
        index: 0,
        section: 0,
        idInSection: 0,
        linkType: 1,
        snapLength: 65535,
        timestampResolution: { base: 10, exponent: 6 },
        timestampOffsetSeconds: 0n,
      },
    ]);
    expect(capture.packets).toHaveLength(1);
    const [packet] = capture.packets;
    expect(packet).toMatchObject({
      index: 0,
      timestampNs: 1_600_000_000_123_456_000n,
      hasTimestamp: true,
      interfaceId: 0,
      linkType: 1,
      capturedLength: 4,
      originalLength: 60,
    });
    expect(Array.from(packet!.data)).toEqual([0xde, 0xad, 0xbe, 0xef]);
  });

  it('decodes a big-endian nanosecond file, masking FCS bits out of the link type', () => {
    const file = hex(`
      a1b23c4d 0002 0004 00000000 00000000 00000064 04000001
      5f5e1000 075bcd15 00000002 00000002 abcd`);
    const capture = readCapture(file);
    expect(capture.byteOrder).toBe('big');
    expect(capture.interfaces[0]!.timestampResolution).toEqual({ base: 10, exponent: 9 });
    expect(capture.interfaces[0]!.linkType).toBe(1);
    expect(capture.packets[0]!.timestampNs).toBe(1_600_000_000_123_456_789n);
  });

  it("reads Kuznetzov's modified pcap (24-byte record headers)", () => {
    const file = hex(`
      34cdb2a1 0200 0400 00000000 00000000 ffff0000 01000000
      01000000 02000000 02000000 02000000 07000000 0008 00 00 aabb`);
    const packets = [...readPackets(file)];
    expect(packets).toHaveLength(1);
    expect(packets[0]!.timestampNs).toBe(1_000_002_000n);
    expect(Array.from(packets[0]!.data)).toEqual([0xaa, 0xbb]);
  });

  it('accepts a captured length above the snaplen up to 262144 bytes, as libpcap does', () => {
    const file = writePcap([{ timestampNs: 0n, data: new Uint8Array(200) }], { snapLength: 262144 });
    new DataView(file.buffer).setUint32(16, 96, true); // snaplen 96 < 200 captured
    expect(readCapture(file).packets[0]!.capturedLength).toBe(200);
  });

  it('returns views into the input, also for an input that is itself a subarray', () => {
    const file = writePcap(samplePackets);
    const backing = new Uint8Array(file.length + 10);
    backing.set(file, 7);
    const input = backing.subarray(7, 7 + file.length);
    const packets = readCapture(input).packets;
    expect(summary(packets)).toEqual(expected(samplePackets));
    for (const packet of packets) {
      expect(packet.data.buffer).toBe(backing.buffer);
      expect(packet.data.byteOffset).toBeGreaterThanOrEqual(7 + 24);
      expect(packet.data.length).toBe(packet.capturedLength);
    }
  });
});

describe('classic pcap round trips', () => {
  for (const resolution of ['us', 'ns'] as const) {
    for (const byteOrder of ['little', 'big'] as const) {
      it(`${resolution}, ${byteOrder}-endian`, () => {
        const records =
          resolution === 'ns'
            ? samplePackets.map((p, i) => ({ ...p, timestampNs: p.timestampNs + BigInt(i * 7 + 1) }))
            : samplePackets;
        const file = writePcap(records, { resolution, byteOrder, linkType: 1, snapLength: 65535 });
        const capture = readCapture(file);
        expect(capture.byteOrder).toBe(byteOrder);
        expect(capture.interfaces[0]!.snapLength).toBe(65535);
        expect(capture.interfaces[0]!.timestampResolution.exponent).toBe(resolution === 'us' ? 6 : 9);
        expect(summary(capture.packets)).toEqual(expected(records));
        expect(capture.packets.map((p) => p.index)).toEqual([0, 1, 2, 3]);
      });
    }
  }

  it('writes big-endian files that equal a byte-swapped little-endian file', () => {
    for (const resolution of ['us', 'ns'] as const) {
      const little = writePcap(samplePackets, { resolution, byteOrder: 'little' });
      const big = writePcap(samplePackets, { resolution, byteOrder: 'big' });
      expect(Array.from(big)).toEqual(Array.from(byteSwapPcap(little)));
    }
  });

  it('refuses timestamps the resolution cannot hold, unless asked to floor', () => {
    const record = { timestampNs: 1_000_001_999n, data: new Uint8Array(1) };
    expect(() => writePcap([record])).toThrow(RangeError);
    const floored = readCapture(writePcap([record], { timestampRounding: 'floor' }));
    expect(floored.packets[0]!.timestampNs).toBe(1_000_001_000n);
    expect(() => writePcap([{ timestampNs: -1000n, data: new Uint8Array(1) }])).toThrow(RangeError);
    expect(() => writePcap([{ timestampNs: 2n ** 32n * 1_000_000_000n, data: new Uint8Array(1) }])).toThrow(
      RangeError,
    );
    expect(() => writePcap([{ timestampNs: 0n, data: new Uint8Array(4), originalLength: 3 }])).toThrow(RangeError);
  });
});

describe('pcapng, hand-assembled', () => {
  it('decodes a big-endian SHB + IDB + EPB field by field', () => {
    const file = hex(`
      0a0d0d0a 0000001c 1a2b3c4d 0001 0000 ffffffffffffffff 0000001c
      00000001 00000014 0001 0000 00000000 00000014
      00000006 00000024 00000000 00000000 000f4240 00000003 00000040 aabbcc00 00000024`);
    const capture = readCapture(file);
    expect(capture.format).toBe('pcapng');
    expect(capture.byteOrder).toBe('big');
    expect(capture.interfaces).toHaveLength(1);
    expect(capture.interfaces[0]).toMatchObject({ linkType: 1, snapLength: 0, timestampOffsetSeconds: 0n });
    expect(capture.packets).toHaveLength(1);
    expect(capture.packets[0]).toMatchObject({
      timestampNs: 1_000_000_000n,
      capturedLength: 3,
      originalLength: 64,
      interfaceId: 0,
    });
    expect(Array.from(capture.packets[0]!.data)).toEqual([0xaa, 0xbb, 0xcc]);
  });

  it('reads if_tsresol, if_tsoffset and if_name from a hand-made little-endian IDB', () => {
    // IDB options: if_name "eth0", if_tsresol 0x89 (2^-9 s), if_tsoffset 100 s, end.
    const file = hex(`
      0a0d0d0a 1c000000 4d3c2b1a 0100 0000 ffffffffffffffff 1c000000
      01000000 34000000 0100 0000 00000000
        0200 0400 65746830  0900 0100 89000000  0e00 0800 6400000000000000  0000 0000
      34000000
      06000000 20000000 00000000 00000000 00020000 00000000 00000000 20000000`);
    const capture = readCapture(file);
    expect(capture.interfaces[0]).toMatchObject({
      name: 'eth0',
      timestampResolution: { base: 2, exponent: 9 },
      timestampOffsetSeconds: 100n,
    });
    // 512 ticks of 2^-9 s = 1 s, plus the 100 s offset.
    expect(capture.packets[0]!.timestampNs).toBe(101_000_000_000n);
    expect(capture.packets[0]!.capturedLength).toBe(0);
  });
});

describe('pcapng round trips', () => {
  const interfaces: PcapngInterface[] = [
    { linkType: 1, snapLength: 0, name: 'vmnic0' },
    { linkType: 101, snapLength: 2000, timestampResolution: { base: 10, exponent: 9 } },
    { linkType: 1, snapLength: 65535, timestampResolution: { base: 10, exponent: 3 }, timestampOffsetSeconds: -5n },
  ];
  const records: PacketRecord[] = [
    { timestampNs: 1_700_000_000_000_001_000n, data: hex('00112233445566778899aabbccdd'), interfaceId: 0 },
    { timestampNs: 1_700_000_000_000_000_007n, data: hex('4500'), interfaceId: 1, originalLength: 1500 },
    { timestampNs: 1_700_000_000_005_000_000n, data: new Uint8Array(0), interfaceId: 2 },
    { timestampNs: 1_700_000_000_000_002_000n, data: new Uint8Array(61).fill(7), interfaceId: 0 },
    { timestampNs: 1_699_999_990_000_000_000n, data: hex('aa'), interfaceId: 2 },
  ];

  for (const byteOrder of ['little', 'big'] as const) {
    it(`several interfaces, ${byteOrder}-endian`, () => {
      const capture = readCapture(writePcapng(records, { byteOrder, interfaces }));
      expect(capture.byteOrder).toBe(byteOrder);
      expect(capture.interfaces.map((i) => [i.index, i.section, i.idInSection, i.linkType, i.snapLength])).toEqual([
        [0, 0, 0, 1, 0],
        [1, 0, 1, 101, 2000],
        [2, 0, 2, 1, 65535],
      ]);
      expect(capture.interfaces[0]!.name).toBe('vmnic0');
      expect(capture.interfaces[2]!.timestampOffsetSeconds).toBe(-5n);
      expect(summary(capture.packets)).toEqual(expected(records));
      expect(capture.packets.map((p) => p.linkType)).toEqual([1, 101, 1, 1, 1]);
    });
  }

  it('skips unknown, statistics, name-resolution and custom blocks by their length', () => {
    const order = 'little';
    const file = concatBytes([
      encodeSectionHeaderBlock(order),
      encodeBlock(order, 0x00000004, hex('0000 0000')), // name resolution, empty
      encodeInterfaceDescriptionBlock(order, {}),
      encodeBlock(order, 0x12345678, hex('0102030405')), // unknown, padded to 8
      encodeEnhancedPacketBlock(order, 0, {}, { timestampNs: 1_000n, data: hex('01') }),
      encodeBlock(order, 0x00000005, new Uint8Array(12)), // interface statistics
      encodeBlock(order, 0x00000bad, new Uint8Array(0)), // custom block, empty body
      encodeEnhancedPacketBlock(order, 0, {}, { timestampNs: 2_000n, data: hex('0203') }),
      encodeBlock(order, 0x40000bad, new Uint8Array(64)),
    ]);
    const capture = readCapture(file);
    expect(capture.packets.map((p) => [p.index, p.timestampNs, Array.from(p.data)])).toEqual([
      [0, 1_000n, [1]],
      [1, 2_000n, [2, 3]],
    ]);
  });

  it('handles several sections with different byte orders; interface ids restart per section', () => {
    const first = writePcapng(
      [
        { timestampNs: 1_000n, data: hex('11'), interfaceId: 1 },
        { timestampNs: 2_000n, data: hex('12'), interfaceId: 0 },
      ],
      { byteOrder: 'little', interfaces: [{ linkType: 1 }, { linkType: 105 }] },
    );
    const second = writePcapng([{ timestampNs: 3n, data: hex('21'), interfaceId: 0 }], {
      byteOrder: 'big',
      interfaces: [{ linkType: 113, timestampResolution: { base: 10, exponent: 9 } }],
    });
    const third = concatBytes([encodeSectionHeaderBlock('little', 0n)]); // an empty section
    const capture = readCapture(concatBytes([first, second, third]));
    expect(capture.byteOrder).toBe('little');
    expect(capture.interfaces.map((i) => [i.index, i.section, i.idInSection, i.linkType])).toEqual([
      [0, 0, 0, 1],
      [1, 0, 1, 105],
      [2, 1, 0, 113],
    ]);
    expect(capture.packets.map((p) => [p.interfaceId, p.linkType, p.timestampNs])).toEqual([
      [1, 105, 1_000n],
      [0, 1, 2_000n],
      [2, 113, 3n],
    ]);
  });

  it('converts every if_tsresol form to ns (finer than ns and 2^-n are floored)', () => {
    const cases: { resolution: TimestampResolution; ticks: bigint; ns: bigint }[] = [
      { resolution: { base: 10, exponent: 0 }, ticks: 7n, ns: 7_000_000_000n },
      { resolution: { base: 10, exponent: 3 }, ticks: 1_234n, ns: 1_234_000_000n },
      { resolution: { base: 10, exponent: 6 }, ticks: 1_234n, ns: 1_234_000n },
      { resolution: { base: 10, exponent: 9 }, ticks: 1_234n, ns: 1_234n },
      { resolution: { base: 10, exponent: 12 }, ticks: 1_234_999n, ns: 1_234n },
      { resolution: { base: 2, exponent: 0 }, ticks: 3n, ns: 3_000_000_000n },
      { resolution: { base: 2, exponent: 10 }, ticks: 1_536n, ns: 1_500_000_000n },
      { resolution: { base: 2, exponent: 30 }, ticks: 3n, ns: 2n }, // 2.79 ns floored
      { resolution: { base: 2, exponent: 32 }, ticks: 2n ** 63n, ns: 2_147_483_648_000_000_000n },
      { resolution: { base: 10, exponent: 6 }, ticks: 2n ** 64n - 1n, ns: 18_446_744_073_709_551_615_000n },
    ];
    for (const { resolution, ticks, ns } of cases) {
      // Write the ticks verbatim (ns resolution writer, then patch the EPB's timestamp words).
      const order = 'little';
      const epb = encodeEnhancedPacketBlock(order, 0, {}, { timestampNs: 0n, data: new Uint8Array(0) });
      const view = new DataView(epb.buffer);
      view.setUint32(12, Number(ticks >> 32n), true);
      view.setUint32(16, Number(ticks & 0xffffffffn), true);
      const file = concatBytes([
        encodeSectionHeaderBlock(order),
        encodeInterfaceDescriptionBlock(order, { timestampResolution: resolution }),
        epb,
      ]);
      const capture = readCapture(file);
      expect(capture.interfaces[0]!.timestampResolution).toEqual(resolution);
      expect(capture.packets[0]!.timestampNs, `${resolution.base}^-${resolution.exponent}`).toBe(ns);
    }
  });

  it('reads Simple Packet Blocks: interface 0, captured length min(original, snaplen)', () => {
    const order = 'big';
    const file = concatBytes([
      encodeSectionHeaderBlock(order),
      encodeInterfaceDescriptionBlock(order, { snapLength: 4 }),
      encodeEnhancedPacketBlock(order, 0, { snapLength: 4 }, { timestampNs: 5_000n, data: hex('01') }),
      encodeSimplePacketBlock(order, hex('0a0b0c0d'), 1500),
      encodeSimplePacketBlock(order, hex('0e0f'), 2),
    ]);
    const packets = readCapture(file).packets;
    expect(packets.map((p) => [p.capturedLength, p.originalLength, p.hasTimestamp, p.timestampNs])).toEqual([
      [1, 1, true, 5_000n],
      [4, 1500, false, 5_000n],
      [2, 2, false, 5_000n],
    ]);
    expect(Array.from(packets[1]!.data)).toEqual([10, 11, 12, 13]);
  });

  it('reads the obsolete Packet Block (16-bit interface id)', () => {
    const order = 'little';
    const body = new Uint8Array(20 + 4);
    const view = new DataView(body.buffer);
    view.setUint16(0, 1, true); // interface 1
    view.setUint16(2, 0, true); // drops
    view.setUint32(4, 0, true);
    view.setUint32(8, 2_000_000, true); // 2 s in µs
    view.setUint32(12, 3, true);
    view.setUint32(16, 70, true);
    body.set([7, 8, 9], 20);
    const file = concatBytes([
      encodeSectionHeaderBlock(order),
      encodeInterfaceDescriptionBlock(order, {}),
      encodeInterfaceDescriptionBlock(order, { linkType: 9 }),
      encodeBlock(order, 0x00000002, body),
    ]);
    const [packet] = readCapture(file).packets;
    expect(packet).toMatchObject({ interfaceId: 1, linkType: 9, timestampNs: 2_000_000_000n, originalLength: 70 });
    expect(Array.from(packet!.data)).toEqual([7, 8, 9]);
  });
});

describe('CaptureError codes', () => {
  const pcapng = (...blocks: Uint8Array[]) => concatBytes([encodeSectionHeaderBlock('little'), ...blocks]);
  const epb = (interfaceId = 0, data = hex('01')) =>
    encodeEnhancedPacketBlock('little', interfaceId, {}, { timestampNs: 0n, data });

  it('TRUNCATED: empty and short files, records and blocks cut short', () => {
    expectCaptureError(() => readCapture(new Uint8Array(0)), 'TRUNCATED', 0);
    expectCaptureError(() => readCapture(hex('d4c3b2a1 0200')), 'TRUNCATED', 0);
    const pcap = writePcap(samplePackets);
    expectCaptureError(() => readCapture(pcap.subarray(0, 24 + 10)), 'TRUNCATED', 24);
    expectCaptureError(() => readCapture(pcap.subarray(0, 24 + 16 + 3)), 'TRUNCATED', 40);
    const ng = pcapng(encodeInterfaceDescriptionBlock('little', {}), epb());
    expectCaptureError(() => readCapture(ng.subarray(0, ng.length - 1)), 'TRUNCATED', 28 + 20);
    expectCaptureError(() => readCapture(ng.subarray(0, 20)), 'TRUNCATED', 0);
  });

  it('BAD_MAGIC: unknown file magic and a bad byte-order magic', () => {
    expectCaptureError(() => readCapture(hex('00000000 00000000')), 'BAD_MAGIC', 0);
    const shb = encodeSectionHeaderBlock('little');
    shb[8] = 0x00;
    expectCaptureError(() => readCapture(shb), 'BAD_MAGIC', 8);
  });

  it('BAD_VERSION: pcap major 3, pcapng major 2', () => {
    const pcap = writePcap([]);
    pcap[4] = 3;
    expectCaptureError(() => readCapture(pcap), 'BAD_VERSION', 4);
    const ng = encodeSectionHeaderBlock('little');
    ng[12] = 2;
    expectCaptureError(() => readCapture(ng), 'BAD_VERSION', 12);
  });

  it('BAD_BLOCK_LENGTH: zero, unaligned, below minimum, trailer mismatch, data overrun', () => {
    const zero = pcapng(hex('06000000 00000000 00000000'));
    expectCaptureError(() => readCapture(zero), 'BAD_BLOCK_LENGTH', 28 + 4);
    const unaligned = pcapng(hex('06000000 0d000000 00000000 0d000000'));
    expectCaptureError(() => readCapture(unaligned), 'BAD_BLOCK_LENGTH', 32);
    const shortEpb = pcapng(encodeInterfaceDescriptionBlock('little', {}), encodeBlock('little', 6, new Uint8Array(8)));
    expectCaptureError(() => readCapture(shortEpb), 'BAD_BLOCK_LENGTH', 48 + 4);
    const mismatch = pcapng(encodeInterfaceDescriptionBlock('little', {}), epb());
    mismatch[mismatch.length - 4] = 99;
    expectCaptureError(() => readCapture(mismatch), 'BAD_BLOCK_LENGTH', mismatch.length - 4);
    const overrun = pcapng(encodeInterfaceDescriptionBlock('little', {}), epb());
    new DataView(overrun.buffer).setUint32(48 + 20, 9, true); // caplen 9 in a 4-byte data area
    expectCaptureError(() => readCapture(overrun), 'BAD_BLOCK_LENGTH', 48 + 4);
    const badShbLength = encodeSectionHeaderBlock('little');
    new DataView(badShbLength.buffer).setUint32(4, 24, true);
    expectCaptureError(() => readCapture(badShbLength), 'BAD_BLOCK_LENGTH', 4);
  });

  it('BAD_INTERFACE: EPB naming an undescribed interface, SPB without interface 0', () => {
    expectCaptureError(() => readCapture(pcapng(encodeInterfaceDescriptionBlock('little', {}), epb(1))), 'BAD_INTERFACE');
    expectCaptureError(() => readCapture(pcapng(epb(0))), 'BAD_INTERFACE', 28 + 8);
    expectCaptureError(() => readCapture(pcapng(encodeSimplePacketBlock('little', hex('01')))), 'BAD_INTERFACE', 28);
    // Interfaces of an earlier section do not carry over.
    const file = concatBytes([
      writePcapng([{ timestampNs: 0n, data: hex('01') }]),
      encodeSectionHeaderBlock('little'),
      epb(0),
    ]);
    expectCaptureError(() => readCapture(file), 'BAD_INTERFACE');
  });

  it('BAD_OPTION: option running past its block, wrong-size if_tsresol / if_tsoffset', () => {
    const idb = encodeInterfaceDescriptionBlock('little', { name: 'abc' });
    new DataView(idb.buffer).setUint16(16 + 2, 200, true); // if_name claims 200 bytes
    expectCaptureError(() => readCapture(pcapng(idb)), 'BAD_OPTION', 28 + 16);
    const tsresol = encodeInterfaceDescriptionBlock('little', { timestampResolution: { base: 10, exponent: 9 } });
    new DataView(tsresol.buffer).setUint16(16 + 2, 2, true);
    expectCaptureError(() => readCapture(pcapng(tsresol)), 'BAD_OPTION', 28 + 16);
    const tsoffset = encodeInterfaceDescriptionBlock('little', { timestampOffsetSeconds: 1n });
    new DataView(tsoffset.buffer).setUint16(16 + 2, 4, true);
    expectCaptureError(() => readCapture(pcapng(tsoffset)), 'BAD_OPTION', 28 + 16);
  });

  it('CAPLEN_EXCEEDS_SNAPLEN: captured length above max(snaplen, 262144)', () => {
    const pcap = writePcap([{ timestampNs: 0n, data: hex('01') }], { snapLength: 65535 });
    new DataView(pcap.buffer).setUint32(24 + 8, 262145, true);
    expectCaptureError(() => readCapture(pcap), 'CAPLEN_EXCEEDS_SNAPLEN', 32);
    const ng = pcapng(encodeInterfaceDescriptionBlock('little', {}), epb());
    new DataView(ng.buffer).setUint32(48 + 20, 0xffffffff, true);
    expectCaptureError(() => readCapture(ng), 'CAPLEN_EXCEEDS_SNAPLEN', 48 + 20);
  });

  it('streams packets before the error, then keeps throwing the same error', () => {
    const file = writePcap(samplePackets);
    const reader = new CaptureReader(file.subarray(0, file.length - 1));
    expect(reader.readNext()?.index).toBe(0);
    expect(reader.readNext()?.index).toBe(1);
    expect(reader.readNext()?.index).toBe(2);
    const first = expectCaptureError(() => reader.readNext(), 'TRUNCATED');
    expect(() => reader.readNext()).toThrow(first);
    const seen: number[] = [];
    expectCaptureError(() => {
      for (const packet of readPackets(file.subarray(0, file.length - 1))) seen.push(packet.index);
    }, 'TRUNCATED');
    expect(seen).toEqual([0, 1, 2]);
  });

  it('returns null for ever once the end is reached', () => {
    const reader = new CaptureReader(writePcapng([{ timestampNs: 0n, data: hex('01') }]));
    expect(reader.readNext()).not.toBeNull();
    expect(reader.readNext()).toBeNull();
    expect(reader.readNext()).toBeNull();
  });
});

describe('properties: random packet lists survive write → read exactly', () => {
  const packetData = fc.uint8Array({ minLength: 0, maxLength: 300 });
  const extraLength = fc.nat({ max: 70000 });
  const seconds = fc.bigInt({ min: 0n, max: 2n ** 32n - 1n });

  it('classic pcap, µs and ns, both byte orders', () => {
    const arbitrary = fc.record({
      resolution: fc.constantFrom('us' as const, 'ns' as const),
      byteOrder: fc.constantFrom('little' as const, 'big' as const),
      packets: fc.array(
        fc.record({ seconds, fraction: fc.nat({ max: 999_999_999 }), data: packetData, extra: extraLength }),
        { maxLength: 30 },
      ),
    });
    fc.assert(
      fc.property(arbitrary, ({ resolution, byteOrder, packets }) => {
        const records: PacketRecord[] = packets.map((p) => {
          const fraction = resolution === 'us' ? BigInt(p.fraction - (p.fraction % 1000)) : BigInt(p.fraction);
          return {
            timestampNs: p.seconds * 1_000_000_000n + fraction,
            data: p.data,
            originalLength: p.data.length + p.extra,
          };
        });
        const capture = readCapture(writePcap(records, { resolution, byteOrder }));
        expect(capture.format).toBe('pcap');
        expect(summary(capture.packets)).toEqual(expected(records));
      }),
      { numRuns: 200 },
    );
  });

  it('pcapng with random interfaces, resolutions and offsets', () => {
    const resolution = fc.oneof(
      fc.record({ base: fc.constant(10 as const), exponent: fc.integer({ min: 0, max: 15 }) }),
      fc.record({ base: fc.constant(2 as const), exponent: fc.integer({ min: 0, max: 40 }) }),
    );
    const iface = fc.record(
      {
        linkType: fc.integer({ min: 0, max: 0xffff }),
        timestampResolution: resolution,
        timestampOffsetSeconds: fc.bigInt({ min: -(2n ** 40n), max: 2n ** 40n }),
        name: fc.string({ maxLength: 12 }),
      },
      { requiredKeys: ['linkType'] },
    );
    const arbitrary = fc
      .record({
        byteOrder: fc.constantFrom('little' as const, 'big' as const),
        interfaces: fc.array(iface, { minLength: 1, maxLength: 4 }),
      })
      .chain(({ byteOrder, interfaces }) =>
        fc.record({
          byteOrder: fc.constant(byteOrder),
          interfaces: fc.constant(interfaces as PcapngInterface[]),
          packets: fc.array(
            fc.record({
              interfaceId: fc.nat({ max: interfaces.length - 1 }),
              ticks: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
              data: packetData,
              extra: extraLength,
            }),
            { maxLength: 20 },
          ),
        }),
      );
    fc.assert(
      fc.property(arbitrary, ({ byteOrder, interfaces, packets }) => {
        // Pick timestamps the interface represents exactly: ns = what the reader
        // computes for some tick count, so writing it back must give that tick count.
        const records: PacketRecord[] = packets.map((p) => {
          const i = interfaces[p.interfaceId]!;
          const r = i.timestampResolution ?? { base: 10, exponent: 6 };
          const perSecond = BigInt(r.base) ** BigInt(r.exponent);
          let ticks = p.ticks % (perSecond * 2n ** 34n); // keep ns in a sane range
          ticks -= ticks % (perSecond / gcd(perSecond, 1_000_000_000n)); // ticks·10^9 / perSecond exact
          const ns = (ticks * 1_000_000_000n) / perSecond + (i.timestampOffsetSeconds ?? 0n) * 1_000_000_000n;
          return { timestampNs: ns, data: p.data, originalLength: p.data.length + p.extra, interfaceId: p.interfaceId };
        });
        const capture = readCapture(writePcapng(records, { byteOrder, interfaces }));
        expect(capture.byteOrder).toBe(byteOrder);
        expect(capture.interfaces.map((i) => i.linkType)).toEqual(interfaces.map((i) => i.linkType));
        expect(capture.interfaces.map((i) => i.name)).toEqual(interfaces.map((i) => i.name));
        expect(summary(capture.packets)).toEqual(expected(records));
      }),
      { numRuns: 200 },
    );
  });

  it('2^-n resolutions with floor rounding read back never later and less than a tick + 1 ns earlier', () => {
    fc.assert(
      fc.property(
        fc
          .integer({ min: 0, max: 40 })
          .chain((exponent) =>
            fc.tuple(
              fc.constant(exponent),
              // Any time whose tick count fits the 64-bit field.
              fc.bigInt({ min: 0n, max: (2n ** 64n * 1_000_000_000n) / 2n ** BigInt(exponent) - 1n }),
            ),
          ),
        ([exponent, timestampNs]) => {
          const interfaces = [{ timestampResolution: { base: 2 as const, exponent } }];
          const file = writePcapng([{ timestampNs, data: new Uint8Array(0) }], {
            interfaces,
            timestampRounding: 'floor',
          });
          const read = readCapture(file).packets[0]!.timestampNs;
          const tickNs = 1_000_000_000n / 2n ** BigInt(exponent) + 1n;
          expect(read <= timestampNs).toBe(true);
          expect(timestampNs - read <= tickNs).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });
});

function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}
