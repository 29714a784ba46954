/**
 * Capture writer: classic pcap (µs or ns) and pcapng (SHB + IDBs + EPBs).
 *
 * Owns: encoding packet lists into capture files, for the project's generated
 * fixtures and for round-trip tests of the reader (src/pcap/reader.ts). Browser-safe;
 * output is a fresh Uint8Array. Cost: O(total bytes), two passes (size, then fill).
 *
 * Besides the two whole-file writers, the pcapng block encoders are exported so
 * tests can assemble unusual files (several sections, mixed byte orders, Simple
 * Packet Blocks, unknown blocks) from parts and concatenate them with concatBytes.
 *
 * Units: timestamps are ns since the Unix epoch (`bigint`); lengths are bytes.
 * A timestamp that the chosen resolution cannot represent exactly is a RangeError
 * unless `timestampRounding: 'floor'` is asked for. Invalid input (captured data
 * longer than the original length or the snaplen, values that do not fit their
 * fields) is a RangeError: the writer never produces a file the reader rejects.
 */

import { MAX_SNAPLEN_BYTES, type ByteOrder, type TimestampResolution } from './reader.js';

/** One packet to write. */
export interface PacketRecord {
  /** Capture time, ns since the Unix epoch. */
  timestampNs: bigint;
  /** Captured bytes. */
  data: Uint8Array;
  /** Length on the wire in bytes; defaults to data.length, must be ≥ data.length. */
  originalLength?: number;
  /** pcapng only: index into the writer's interfaces (default 0). */
  interfaceId?: number;
}

export type TimestampRounding = 'exact' | 'floor';

export interface PcapWriteOptions {
  /** Fraction unit of the record timestamps (magic 0xa1b2c3d4 or 0xa1b23c4d); default 'us'. */
  resolution?: 'us' | 'ns';
  /** Default 'little'. */
  byteOrder?: ByteOrder;
  /** LINKTYPE_* value; default 1 (Ethernet). */
  linkType?: number;
  /** Bytes; default 262144. */
  snapLength?: number;
  /** Default 'exact'. */
  timestampRounding?: TimestampRounding;
}

/** An interface of a pcapng file. */
export interface PcapngInterface {
  /** LINKTYPE_* value (u16); default 1 (Ethernet). */
  linkType?: number;
  /** Bytes; 0 = no limit; default 0. */
  snapLength?: number;
  /** Written as if_tsresol when given; the pcapng default is 10^-6 s. */
  timestampResolution?: TimestampResolution;
  /** Written as if_tsoffset (seconds) when given. */
  timestampOffsetSeconds?: bigint;
  /** Written as if_name when given. */
  name?: string;
}

export interface PcapngWriteOptions {
  /** Default 'little'. */
  byteOrder?: ByteOrder;
  /** Default: one Ethernet interface with µs timestamps. */
  interfaces?: PcapngInterface[];
  /** Default 'exact'. */
  timestampRounding?: TimestampRounding;
}

const NS_PER_SECOND = 1_000_000_000n;
const U32_LIMIT = 0x1_0000_0000;
const U64_LIMIT = 1n << 64n;

/** Writes a classic pcap file. */
export function writePcap(packets: Iterable<PacketRecord>, options: PcapWriteOptions = {}): Uint8Array {
  const nanos = (options.resolution ?? 'us') === 'ns';
  const littleEndian = (options.byteOrder ?? 'little') === 'little';
  const linkType = options.linkType ?? 1;
  const snapLength = options.snapLength ?? 262144;
  const rounding = options.timestampRounding ?? 'exact';
  checkU32(linkType, 'linkType');
  checkU32(snapLength, 'snapLength');
  const list = [...packets];
  let size = 24;
  for (const packet of list) size += 16 + packet.data.length;

  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  view.setUint32(0, nanos ? 0xa1b23c4d : 0xa1b2c3d4, littleEndian);
  view.setUint16(4, 2, littleEndian);
  view.setUint16(6, 4, littleEndian);
  // thiszone and sigfigs stay 0, as every modern writer leaves them.
  view.setUint32(16, snapLength, littleEndian);
  view.setUint32(20, linkType, littleEndian);
  let at = 24;
  list.forEach((packet, index) => {
    const what = `packet ${index}`;
    const originalLength = originalLengthOf(packet, what);
    if (packet.data.length > snapLength) {
      throw new RangeError(`${what}: ${packet.data.length} captured bytes exceed the snaplen ${snapLength}`);
    }
    const ticks = toTicks(packet.timestampNs, nanos ? NANOS : MICROS, 0n, rounding, what);
    const perSecond = nanos ? NS_PER_SECOND : 1_000_000n;
    const seconds = ticks / perSecond;
    if (seconds >= BigInt(U32_LIMIT)) {
      throw new RangeError(`${what}: timestamp ${packet.timestampNs} ns is past the 32-bit seconds field`);
    }
    view.setUint32(at, Number(seconds), littleEndian);
    view.setUint32(at + 4, Number(ticks % perSecond), littleEndian);
    view.setUint32(at + 8, packet.data.length, littleEndian);
    view.setUint32(at + 12, originalLength, littleEndian);
    out.set(packet.data, at + 16);
    at += 16 + packet.data.length;
  });
  return out;
}

/** Writes a pcapng file: one section, its interfaces, one EPB per packet. */
export function writePcapng(packets: Iterable<PacketRecord>, options: PcapngWriteOptions = {}): Uint8Array {
  const byteOrder = options.byteOrder ?? 'little';
  const interfaces = options.interfaces ?? [{}];
  const rounding = options.timestampRounding ?? 'exact';
  const parts: Uint8Array[] = [encodeSectionHeaderBlock(byteOrder)];
  for (const iface of interfaces) parts.push(encodeInterfaceDescriptionBlock(byteOrder, iface));
  let index = 0;
  for (const packet of packets) {
    const interfaceId = packet.interfaceId ?? 0;
    const iface = interfaces[interfaceId];
    if (iface === undefined) {
      throw new RangeError(`packet ${index}: interfaceId ${interfaceId} but ${interfaces.length} interface(s)`);
    }
    parts.push(encodeEnhancedPacketBlock(byteOrder, interfaceId, iface, packet, rounding, `packet ${index}`));
    index++;
  }
  return concatBytes(parts);
}

/**
 * Wraps a block body: type, total length, body padded to 4 bytes, total length.
 */
export function encodeBlock(byteOrder: ByteOrder, type: number, body: Uint8Array): Uint8Array {
  checkU32(type, 'block type');
  const total = 12 + padTo4(body.length);
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  const littleEndian = byteOrder === 'little';
  view.setUint32(0, type, littleEndian);
  view.setUint32(4, total, littleEndian);
  out.set(body, 8);
  view.setUint32(total - 4, total, littleEndian);
  return out;
}

/** Section Header Block, version 1.0; the section length defaults to -1 (unknown). */
export function encodeSectionHeaderBlock(byteOrder: ByteOrder, sectionLength = -1n): Uint8Array {
  const body = new Uint8Array(16);
  const view = new DataView(body.buffer);
  const littleEndian = byteOrder === 'little';
  view.setUint32(0, 0x1a2b3c4d, littleEndian);
  view.setUint16(4, 1, littleEndian);
  view.setUint16(6, 0, littleEndian);
  view.setBigInt64(8, sectionLength, littleEndian);
  return encodeBlock(byteOrder, 0x0a0d0d0a, body);
}

/** Interface Description Block with the options the interface asks for. */
export function encodeInterfaceDescriptionBlock(byteOrder: ByteOrder, iface: PcapngInterface): Uint8Array {
  const littleEndian = byteOrder === 'little';
  const linkType = iface.linkType ?? 1;
  const snapLength = iface.snapLength ?? 0;
  if (!Number.isInteger(linkType) || linkType < 0 || linkType > 0xffff) {
    throw new RangeError(`linkType ${linkType} does not fit the IDB's 16-bit field`);
  }
  checkU32(snapLength, 'snapLength');
  const options: Uint8Array[] = [];
  if (iface.name !== undefined) options.push(encodeOption(byteOrder, 2, new TextEncoder().encode(iface.name)));
  if (iface.timestampResolution !== undefined) {
    options.push(encodeOption(byteOrder, 9, Uint8Array.of(tsresolByte(iface.timestampResolution))));
  }
  if (iface.timestampOffsetSeconds !== undefined) {
    const value = new Uint8Array(8);
    new DataView(value.buffer).setBigInt64(0, iface.timestampOffsetSeconds, littleEndian);
    options.push(encodeOption(byteOrder, 14, value));
  }
  if (options.length > 0) options.push(new Uint8Array(4)); // opt_endofopt
  const fixed = new Uint8Array(8);
  const view = new DataView(fixed.buffer);
  view.setUint16(0, linkType, littleEndian);
  view.setUint32(4, snapLength, littleEndian);
  return encodeBlock(byteOrder, 0x00000001, concatBytes([fixed, ...options]));
}

/** Enhanced Packet Block for `packet` on interface `interfaceId` (described by `iface`). */
export function encodeEnhancedPacketBlock(
  byteOrder: ByteOrder,
  interfaceId: number,
  iface: PcapngInterface,
  packet: PacketRecord,
  rounding: TimestampRounding = 'exact',
  what = 'packet',
): Uint8Array {
  const littleEndian = byteOrder === 'little';
  checkU32(interfaceId, 'interfaceId');
  const originalLength = originalLengthOf(packet, what);
  const snapLength = iface.snapLength ?? 0;
  const ceiling = snapLength !== 0 ? snapLength : MAX_SNAPLEN_BYTES;
  if (packet.data.length > ceiling) {
    throw new RangeError(`${what}: ${packet.data.length} captured bytes exceed the snaplen ${ceiling}`);
  }
  const ticks = toTicks(
    packet.timestampNs,
    iface.timestampResolution ?? MICROS,
    iface.timestampOffsetSeconds ?? 0n,
    rounding,
    what,
  );
  const body = new Uint8Array(20 + padTo4(packet.data.length));
  const view = new DataView(body.buffer);
  view.setUint32(0, interfaceId, littleEndian);
  view.setUint32(4, Number(ticks >> 32n), littleEndian);
  view.setUint32(8, Number(ticks & 0xffffffffn), littleEndian);
  view.setUint32(12, packet.data.length, littleEndian);
  view.setUint32(16, originalLength, littleEndian);
  body.set(packet.data, 20);
  return encodeBlock(byteOrder, 0x00000006, body);
}

/**
 * Simple Packet Block. `data` must already be min(originalLength, snaplen of
 * interface 0) bytes long: readers derive the captured length from those two.
 */
export function encodeSimplePacketBlock(byteOrder: ByteOrder, data: Uint8Array, originalLength = data.length): Uint8Array {
  checkU32(originalLength, 'originalLength');
  const body = new Uint8Array(4 + padTo4(data.length));
  new DataView(body.buffer).setUint32(0, originalLength, byteOrder === 'little');
  body.set(data, 4);
  return encodeBlock(byteOrder, 0x00000003, body);
}

/** Concatenates byte arrays into one new array. */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  let size = 0;
  for (const part of parts) size += part.length;
  const out = new Uint8Array(size);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

const MICROS: TimestampResolution = { base: 10, exponent: 6 };
const NANOS: TimestampResolution = { base: 10, exponent: 9 };

/** The if_tsresol byte: 10^-n as n, 2^-n as 0x80 | n. */
function tsresolByte(resolution: TimestampResolution): number {
  const { base, exponent } = resolution;
  if (!Number.isInteger(exponent) || exponent < 0 || exponent > 127 || (base !== 10 && base !== 2)) {
    throw new RangeError(`timestamp resolution ${base}^-${exponent} cannot be written as if_tsresol`);
  }
  return base === 2 ? 0x80 | exponent : exponent;
}

/**
 * Converts ns since the epoch to ticks of `resolution` after removing the
 * interface's offset; the reader computes ns = floor(ticks · 10^9 / ticksPerSecond).
 */
function toTicks(
  timestampNs: bigint,
  resolution: TimestampResolution,
  offsetSeconds: bigint,
  rounding: TimestampRounding,
  what: string,
): bigint {
  const sinceOffset = timestampNs - offsetSeconds * NS_PER_SECOND;
  const ticksPerSecond = BigInt(resolution.base) ** BigInt(resolution.exponent);
  const scaled = sinceOffset * ticksPerSecond;
  let ticks = scaled / NS_PER_SECOND;
  if (scaled % NS_PER_SECOND !== 0n) {
    if (rounding === 'exact') {
      throw new RangeError(
        `${what}: timestamp ${timestampNs} ns is not a whole number of ${resolution.base}^-${resolution.exponent} s ticks`,
      );
    }
    if (scaled < 0n) ticks -= 1n; // bigint division truncates toward zero; floor instead
  }
  if (ticks < 0n || ticks >= U64_LIMIT) {
    throw new RangeError(`${what}: timestamp ${timestampNs} ns is outside the file's timestamp range`);
  }
  return ticks;
}

function originalLengthOf(packet: PacketRecord, what: string): number {
  const originalLength = packet.originalLength ?? packet.data.length;
  checkU32(originalLength, `${what}: originalLength`);
  if (originalLength < packet.data.length) {
    throw new RangeError(`${what}: originalLength ${originalLength} is below the ${packet.data.length} captured bytes`);
  }
  return originalLength;
}

function encodeOption(byteOrder: ByteOrder, code: number, value: Uint8Array): Uint8Array {
  if (value.length > 0xffff) throw new RangeError(`option ${code} of ${value.length} bytes exceeds 65535`);
  const out = new Uint8Array(4 + padTo4(value.length));
  const view = new DataView(out.buffer);
  view.setUint16(0, code, byteOrder === 'little');
  view.setUint16(2, value.length, byteOrder === 'little');
  out.set(value, 4);
  return out;
}

function checkU32(value: number, what: string): void {
  if (!Number.isInteger(value) || value < 0 || value >= U32_LIMIT) {
    throw new RangeError(`${what} ${value} is not an unsigned 32-bit integer`);
  }
}

function padTo4(length: number): number {
  return length + ((4 - (length % 4)) % 4);
}
