/**
 * Capture reader: classic pcap (libpcap) and pcapng files held in memory.
 *
 * Owns: turning the bytes of a capture file into packet records. Browser-safe
 * (no Node imports); the input is a Uint8Array and every packet's `data` is a
 * subarray view into it (no copies). Cost: O(file size), one pass, constant
 * state per interface.
 *
 * Formats (references: draft-ietf-opsawg-pcap and draft-ietf-opsawg-pcapng):
 * - classic pcap, both byte orders; magic 0xa1b2c3d4 (µs fractions), 0xa1b23c4d
 *   (ns fractions) and 0xa1b2cd34 (Kuznetzov's "modified" pcap, 8 extra bytes per
 *   record header). The link type is the low 26 bits of the header's network field
 *   (libpcap's LT_LINKTYPE); the thiszone/sigfigs fields are ignored, as libpcap does.
 * - pcapng: Section Header (either byte order; section length may be -1 and is
 *   otherwise not trusted), Interface Description (link type, snaplen, if_name,
 *   if_tsresol in both the 10^-n and 2^-n forms, if_tsoffset), Enhanced Packet,
 *   Simple Packet (interface 0 of the section; captured length = min(original
 *   length, snaplen)), and the obsolete Packet Block. Several interfaces and several
 *   sections are supported; every other block type is skipped by its length.
 *
 * Units: timestamps are nanoseconds since the Unix epoch as `bigint` (exact for
 * any 64-bit pcapng timestamp; resolutions finer than 1 ns and 2^-n resolutions are
 * floored to whole ns). Lengths and offsets are bytes.
 *
 * Interface numbering: `CapturedPacket.interfaceId` indexes `interfaces` of the
 * whole file (all sections, in file order). pcapng's per-section interface id is
 * kept as `CaptureInterface.idInSection`. A classic pcap file has one interface.
 *
 * Tolerances (as libpcap and Wireshark): a captured length above the snaplen is
 * accepted up to MAX_SNAPLEN_BYTES (real files do this: a 9999-byte snaplen file
 * holding a 10014-byte record); a captured length above the original length is
 * accepted; microsecond fields of 10^6 or more are not normalised away (they are
 * added as they are). A Simple Packet Block has no timestamp: it repeats the
 * previous packet's timestamp (0 for the first) and sets `hasTimestamp: false`.
 *
 * Errors: anything malformed or truncated throws CaptureError with a stable `code`
 * and the `byteOffset` of the offending header, block or field. Codes:
 * - 'TRUNCATED'              the file ends inside a header, record or block
 * - 'BAD_MAGIC'              unknown file magic, or a pcapng byte-order magic that
 *                            is neither 0x1A2B3C4D nor its byte swap
 * - 'BAD_VERSION'            classic pcap major version other than 2, or pcapng
 *                            major version other than 1
 * - 'BAD_BLOCK_LENGTH'       pcapng block length below its type's minimum, not a
 *                            multiple of 4, trailer copy differing, or the block too
 *                            short for the packet data it announces
 * - 'BAD_INTERFACE'          a packet names an interface the section has not
 *                            described (a Simple Packet Block needs interface 0)
 * - 'BAD_OPTION'             a pcapng option runs past its block, or if_tsresol /
 *                            if_tsoffset has the wrong size
 * - 'CAPLEN_EXCEEDS_SNAPLEN' a captured length above max(snaplen, MAX_SNAPLEN_BYTES)
 * Once a reader has thrown, every later read throws the same error. No other
 * exception type escapes (bounds are checked before every DataView access), and each
 * step consumes at least 12 bytes, so reading always terminates.
 */

/** Stable error codes of CaptureError; see the file header for their meaning. */
export type CaptureErrorCode =
  | 'TRUNCATED'
  | 'BAD_MAGIC'
  | 'BAD_VERSION'
  | 'BAD_BLOCK_LENGTH'
  | 'BAD_INTERFACE'
  | 'BAD_OPTION'
  | 'CAPLEN_EXCEEDS_SNAPLEN';

/** A malformed or truncated capture file. */
export class CaptureError extends Error {
  /** Stable machine-readable reason. */
  readonly code: CaptureErrorCode;
  /** Offset in the file (bytes) of the header, block or field at fault. */
  readonly byteOffset: number;

  constructor(code: CaptureErrorCode, byteOffset: number, detail: string) {
    super(`${code} at byte offset ${byteOffset}: ${detail}`);
    this.name = 'CaptureError';
    this.code = code;
    this.byteOffset = byteOffset;
  }
}

export type CaptureFormat = 'pcap' | 'pcapng';
export type ByteOrder = 'little' | 'big';

/** Timestamp unit of an interface: one tick is base^-exponent seconds. */
export interface TimestampResolution {
  base: 10 | 2;
  exponent: number;
}

/** One capture interface (the single pseudo-interface of a classic pcap file). */
export interface CaptureInterface {
  /** Position in the file's interface list; what CapturedPacket.interfaceId refers to. */
  index: number;
  /** pcapng section number, 0-based (always 0 for classic pcap). */
  section: number;
  /** pcapng interface id within its section (always 0 for classic pcap). */
  idInSection: number;
  /** LINKTYPE_* value (1 = Ethernet). */
  linkType: number;
  /** Snapshot length in bytes; 0 means "no limit" (pcapng). */
  snapLength: number;
  /** Tick of the raw timestamps (µs unless if_tsresol or the ns pcap magic say otherwise). */
  timestampResolution: TimestampResolution;
  /** if_tsoffset: seconds added to every raw timestamp of this interface. */
  timestampOffsetSeconds: bigint;
  /** if_name, when the IDB carries one. */
  name?: string;
}

/** One packet record. */
export interface CapturedPacket {
  /** 0-based position among the packets of the file (tshark's frame.number − 1). */
  index: number;
  /** Capture time, ns since the Unix epoch. */
  timestampNs: bigint;
  /** False only for pcapng Simple Packet Blocks, which carry no time (see header). */
  hasTimestamp: boolean;
  /** Index into the file's interface list (not the pcapng per-section id). */
  interfaceId: number;
  /** LINKTYPE_* of the interface. */
  linkType: number;
  /** Bytes present in the file (= data.length). */
  capturedLength: number;
  /** Bytes the frame had on the wire. */
  originalLength: number;
  /** The captured bytes: a view into the input, not a copy. */
  data: Uint8Array;
}

/** A whole capture file, decoded. */
export interface Capture {
  format: CaptureFormat;
  /** Byte order of the file header (of the first section, for pcapng). */
  byteOrder: ByteOrder;
  interfaces: CaptureInterface[];
  packets: CapturedPacket[];
}

/**
 * Largest captured length accepted beyond the snaplen: libpcap's MAXIMUM_SNAPLEN,
 * also Wireshark's limit for Ethernet.
 */
export const MAX_SNAPLEN_BYTES = 262144;

const PCAP_FILE_HEADER_BYTES = 24;
const PCAP_RECORD_HEADER_BYTES = 16;
const PCAP_MODIFIED_RECORD_HEADER_BYTES = 24;
const PCAP_MAGIC_MICROS = 0xa1b2c3d4;
const PCAP_MAGIC_NANOS = 0xa1b23c4d;
const PCAP_MAGIC_MODIFIED = 0xa1b2cd34;
/** libpcap's LT_LINKTYPE mask: the upper bits carry FCS information. */
const PCAP_LINKTYPE_MASK = 0x03ffffff;

const BLOCK_SECTION_HEADER = 0x0a0d0d0a;
const BLOCK_INTERFACE_DESCRIPTION = 0x00000001;
const BLOCK_OBSOLETE_PACKET = 0x00000002;
const BLOCK_SIMPLE_PACKET = 0x00000003;
const BLOCK_ENHANCED_PACKET = 0x00000006;
const BYTE_ORDER_MAGIC = 0x1a2b3c4d;
const BYTE_ORDER_MAGIC_SWAPPED = 0x4d3c2b1a;

/** Smallest legal total length of each block type (header, fixed fields, trailer). */
const MIN_BLOCK_BYTES = 12;
const MIN_SHB_BYTES = 28;
const MIN_IDB_BYTES = 20;
const MIN_SPB_BYTES = 16;
const MIN_EPB_BYTES = 32;
const MIN_OPB_BYTES = 32;

const OPT_END_OF_OPTIONS = 0;
const OPT_IF_NAME = 2;
const OPT_IF_TSRESOL = 9;
const OPT_IF_TSOFFSET = 14;

const NS_PER_SECOND = 1_000_000_000n;
const MICROSECONDS: TimestampResolution = { base: 10, exponent: 6 };
const NANOSECONDS: TimestampResolution = { base: 10, exponent: 9 };

/** Per-interface timestamp conversion, precomputed when the interface is read. */
interface TimestampScale {
  /** ns = ticks * multiplier / divisor + offsetNs (integer division floors). */
  multiplier: bigint;
  divisor: bigint;
  offsetNs: bigint;
}

/** Identifies the format from the first four bytes, or null if unknown. */
export function detectCaptureFormat(bytes: Uint8Array): CaptureFormat | null {
  if (bytes.length < 4) return null;
  const be = ((bytes[0]! << 24) | (bytes[1]! << 16) | (bytes[2]! << 8) | bytes[3]!) >>> 0;
  if (be === BLOCK_SECTION_HEADER) return 'pcapng';
  const le = swap32(be);
  for (const magic of [PCAP_MAGIC_MICROS, PCAP_MAGIC_NANOS, PCAP_MAGIC_MODIFIED]) {
    if (be === magic || le === magic) return 'pcap';
  }
  return null;
}

/**
 * Streaming reader. The constructor checks the file header; `readNext()` decodes
 * one packet at a time (null at the end); iterating yields every remaining packet.
 * `interfaces` grows as pcapng Interface Description Blocks are met.
 */
export class CaptureReader implements Iterable<CapturedPacket> {
  readonly format: CaptureFormat;
  /** Byte order of the file header (first section for pcapng). */
  readonly byteOrder: ByteOrder;

  private readonly bytes: Uint8Array;
  private readonly view: DataView;
  /** Offset of the next record or block to decode. */
  private offset: number;
  /** Byte order of the current section (pcapng sections may differ). */
  private littleEndian: boolean;
  private packetCount = 0;
  private lastTimestampNs = 0n;
  private failure: CaptureError | null = null;

  private readonly allInterfaces: CaptureInterface[] = [];
  private readonly scales: TimestampScale[] = [];
  /** pcapng: global interface indices of the current section, by idInSection. */
  private sectionInterfaces: number[] = [];
  private sectionCount = 0;

  /** Classic pcap: bytes per record header (16, or 24 for the modified format). */
  private recordHeaderBytes = PCAP_RECORD_HEADER_BYTES;

  constructor(bytes: Uint8Array) {
    this.bytes = bytes;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.offset = 0;
    this.need(0, 4, 'file magic');
    const format = detectCaptureFormat(bytes);
    if (format === null) {
      const magic = this.view.getUint32(0, false).toString(16).padStart(8, '0');
      throw new CaptureError('BAD_MAGIC', 0, `unknown capture file magic 0x${magic}`);
    }
    this.format = format;
    if (format === 'pcap') {
      this.littleEndian = this.readPcapFileHeader();
    } else {
      // The first block must be a Section Header; reading it fixes the byte order.
      this.littleEndian = true;
      this.readSectionHeader(0);
    }
    this.byteOrder = this.littleEndian ? 'little' : 'big';
  }

  /** Interfaces described so far (all of them once reading has finished). */
  get interfaces(): readonly CaptureInterface[] {
    return this.allInterfaces;
  }

  /** Decodes the next packet, or returns null at the end of the file. */
  readNext(): CapturedPacket | null {
    if (this.failure !== null) throw this.failure;
    try {
      return this.format === 'pcap' ? this.nextPcapRecord() : this.nextPcapngPacket();
    } catch (error) {
      if (error instanceof CaptureError) this.failure = error;
      throw error;
    }
  }

  *[Symbol.iterator](): Iterator<CapturedPacket> {
    for (let packet = this.readNext(); packet !== null; packet = this.readNext()) {
      yield packet;
    }
  }

  // ---- bounds-checked access -------------------------------------------------

  /** Throws TRUNCATED unless `length` bytes are available at `at`. */
  private need(at: number, length: number, what: string): void {
    if (at + length > this.bytes.length) {
      const have = Math.max(0, this.bytes.length - at);
      throw new CaptureError('TRUNCATED', at, `${what} needs ${length} bytes, the file has ${have} left`);
    }
  }

  // Callers check bounds with need() or against a validated block end first.
  private u16(at: number): number {
    return this.view.getUint16(at, this.littleEndian);
  }

  private u32(at: number): number {
    return this.view.getUint32(at, this.littleEndian);
  }

  /** pcapng 64-bit timestamp: upper 32 bits first, each word in section order. */
  private ticks64(at: number): bigint {
    return (BigInt(this.u32(at)) << 32n) | BigInt(this.u32(at + 4));
  }

  // ---- interfaces ------------------------------------------------------------

  private addInterface(iface: Omit<CaptureInterface, 'index'>): number {
    const index = this.allInterfaces.length;
    this.allInterfaces.push({ index, ...iface });
    this.scales.push(timestampScale(iface.timestampResolution, iface.timestampOffsetSeconds));
    return index;
  }

  private makePacket(
    interfaceIndex: number,
    timestampNs: bigint,
    hasTimestamp: boolean,
    dataStart: number,
    capturedLength: number,
    originalLength: number,
  ): CapturedPacket {
    this.lastTimestampNs = timestampNs;
    return {
      index: this.packetCount++,
      timestampNs,
      hasTimestamp,
      interfaceId: interfaceIndex,
      linkType: this.allInterfaces[interfaceIndex]!.linkType,
      capturedLength,
      originalLength,
      data: this.bytes.subarray(dataStart, dataStart + capturedLength),
    };
  }

  private checkCapturedLength(at: number, capturedLength: number, interfaceIndex: number): void {
    const snapLength = this.allInterfaces[interfaceIndex]!.snapLength;
    const ceiling = Math.max(snapLength, MAX_SNAPLEN_BYTES);
    if (capturedLength > ceiling) {
      throw new CaptureError(
        'CAPLEN_EXCEEDS_SNAPLEN',
        at,
        `captured length ${capturedLength} exceeds max(snaplen ${snapLength}, ${MAX_SNAPLEN_BYTES})`,
      );
    }
  }

  // ---- classic pcap ----------------------------------------------------------

  /** Reads the 24-byte file header; returns whether the file is little-endian. */
  private readPcapFileHeader(): boolean {
    this.need(0, PCAP_FILE_HEADER_BYTES, 'pcap file header');
    const asBigEndian = this.view.getUint32(0, false);
    const littleEndian = !(
      asBigEndian === PCAP_MAGIC_MICROS ||
      asBigEndian === PCAP_MAGIC_NANOS ||
      asBigEndian === PCAP_MAGIC_MODIFIED
    );
    this.littleEndian = littleEndian;
    const magic = this.u32(0);
    const major = this.u16(4);
    if (major !== 2) {
      throw new CaptureError('BAD_VERSION', 4, `pcap major version ${major}, expected 2`);
    }
    if (magic === PCAP_MAGIC_MODIFIED) this.recordHeaderBytes = PCAP_MODIFIED_RECORD_HEADER_BYTES;
    this.addInterface({
      section: 0,
      idInSection: 0,
      linkType: this.u32(20) & PCAP_LINKTYPE_MASK,
      snapLength: this.u32(16),
      timestampResolution: magic === PCAP_MAGIC_NANOS ? NANOSECONDS : MICROSECONDS,
      timestampOffsetSeconds: 0n,
    });
    this.offset = PCAP_FILE_HEADER_BYTES;
    return littleEndian;
  }

  private nextPcapRecord(): CapturedPacket | null {
    const at = this.offset;
    if (at === this.bytes.length) return null;
    this.need(at, this.recordHeaderBytes, 'pcap record header');
    const seconds = BigInt(this.u32(at));
    const fraction = BigInt(this.u32(at + 4));
    const capturedLength = this.u32(at + 8);
    const originalLength = this.u32(at + 12);
    this.checkCapturedLength(at + 8, capturedLength, 0);
    const dataStart = at + this.recordHeaderBytes;
    this.need(dataStart, capturedLength, `packet data of record ${this.packetCount}`);
    const scale = this.scales[0]!;
    // ns = seconds·10^9 + fraction·(10^9 / ticks per second); the divisor is 1 here.
    const timestampNs = seconds * NS_PER_SECOND + fraction * scale.multiplier;
    this.offset = dataStart + capturedLength;
    return this.makePacket(0, timestampNs, true, dataStart, capturedLength, originalLength);
  }

  // ---- pcapng ----------------------------------------------------------------

  private nextPcapngPacket(): CapturedPacket | null {
    while (this.offset < this.bytes.length) {
      const at = this.offset;
      this.need(at, 8, 'pcapng block header');
      const type = this.u32(at);
      if (type === BLOCK_SECTION_HEADER) {
        this.readSectionHeader(at);
        continue;
      }
      const end = this.blockEnd(at, MIN_BLOCK_BYTES);
      this.offset = end;
      switch (type) {
        case BLOCK_INTERFACE_DESCRIPTION:
          this.readInterfaceDescription(at, end);
          break;
        case BLOCK_ENHANCED_PACKET:
          return this.readEnhancedPacket(at, end);
        case BLOCK_SIMPLE_PACKET:
          return this.readSimplePacket(at, end);
        case BLOCK_OBSOLETE_PACKET:
          return this.readObsoletePacket(at, end);
        default:
          break; // statistics, name resolution, custom, unknown: skipped by length
      }
    }
    return null;
  }

  /**
   * Validates the total length of the block at `at` (in the current byte order)
   * and its trailing copy; returns the offset just past the block.
   */
  private blockEnd(at: number, minimum: number): number {
    const length = this.u32(at + 4);
    if (length < minimum || length % 4 !== 0) {
      throw new CaptureError(
        'BAD_BLOCK_LENGTH',
        at + 4,
        `block type 0x${this.u32(at).toString(16)} has total length ${length} (minimum ${minimum}, multiple of 4)`,
      );
    }
    this.need(at, length, `block of ${length} bytes`);
    const trailer = this.u32(at + length - 4);
    if (trailer !== length) {
      throw new CaptureError(
        'BAD_BLOCK_LENGTH',
        at + length - 4,
        `trailing block length ${trailer} differs from leading ${length}`,
      );
    }
    return at + length;
  }

  /** Section Header Block at `at`: sets the byte order, starts a new interface list. */
  private readSectionHeader(at: number): void {
    this.need(at, 12, 'section header block');
    const magic = this.view.getUint32(at + 8, true);
    if (magic === BYTE_ORDER_MAGIC) this.littleEndian = true;
    else if (magic === BYTE_ORDER_MAGIC_SWAPPED) this.littleEndian = false;
    else {
      throw new CaptureError('BAD_MAGIC', at + 8, `byte-order magic 0x${magic.toString(16)} is not 0x1a2b3c4d`);
    }
    const end = this.blockEnd(at, MIN_SHB_BYTES);
    const major = this.u16(at + 12);
    if (major !== 1) {
      throw new CaptureError('BAD_VERSION', at + 12, `pcapng major version ${major}, expected 1`);
    }
    // The section length (at + 16) is advisory and often -1; it is not trusted.
    this.sectionInterfaces = [];
    this.sectionCount++;
    this.offset = end;
  }

  private readInterfaceDescription(at: number, end: number): void {
    if (end - at < MIN_IDB_BYTES) {
      throw new CaptureError('BAD_BLOCK_LENGTH', at + 4, `interface description block of ${end - at} bytes`);
    }
    const linkType = this.u16(at + 8);
    const snapLength = this.u32(at + 12);
    let timestampResolution = MICROSECONDS;
    let timestampOffsetSeconds = 0n;
    let name: string | undefined;
    this.forEachOption(at + 16, end - 4, (code, valueAt, valueLength) => {
      if (code === OPT_IF_TSRESOL) {
        if (valueLength !== 1) {
          throw new CaptureError('BAD_OPTION', valueAt - 4, `if_tsresol of ${valueLength} bytes, expected 1`);
        }
        const raw = this.bytes[valueAt]!;
        timestampResolution = raw & 0x80 ? { base: 2, exponent: raw & 0x7f } : { base: 10, exponent: raw };
      } else if (code === OPT_IF_TSOFFSET) {
        if (valueLength !== 8) {
          throw new CaptureError('BAD_OPTION', valueAt - 4, `if_tsoffset of ${valueLength} bytes, expected 8`);
        }
        timestampOffsetSeconds = this.view.getBigInt64(valueAt, this.littleEndian);
      } else if (code === OPT_IF_NAME) {
        name = new TextDecoder().decode(this.bytes.subarray(valueAt, valueAt + valueLength)).replace(/\0+$/, '');
      }
    });
    const index = this.addInterface({
      section: this.sectionCount - 1,
      idInSection: this.sectionInterfaces.length,
      linkType,
      snapLength,
      timestampResolution,
      timestampOffsetSeconds,
      ...(name === undefined ? {} : { name }),
    });
    this.sectionInterfaces.push(index);
  }

  /** Walks the options in [start, end); stops at opt_endofopt. */
  private forEachOption(
    start: number,
    end: number,
    visit: (code: number, valueAt: number, valueLength: number) => void,
  ): void {
    let at = start;
    while (at < end) {
      if (end - at < 4) {
        throw new CaptureError('BAD_OPTION', at, `${end - at} stray bytes where an option header was expected`);
      }
      const code = this.u16(at);
      const valueLength = this.u16(at + 2);
      if (code === OPT_END_OF_OPTIONS) return;
      const valueAt = at + 4;
      if (valueAt + valueLength > end) {
        throw new CaptureError('BAD_OPTION', at, `option ${code} of ${valueLength} bytes runs past its block`);
      }
      visit(code, valueAt, valueLength);
      at = valueAt + padTo4(valueLength);
    }
  }

  /** Maps a per-section interface id to the global index, or throws BAD_INTERFACE. */
  private interfaceIndex(at: number, idInSection: number): number {
    const index = this.sectionInterfaces[idInSection];
    if (index === undefined) {
      throw new CaptureError(
        'BAD_INTERFACE',
        at,
        `packet names interface ${idInSection}, the section describes ${this.sectionInterfaces.length}`,
      );
    }
    return index;
  }

  /**
   * Shared tail of EPB and OPB: fixed fields at +12 (timestamp high, low, captured
   * length, original length), data at +28.
   */
  private readTimestampedPacket(at: number, end: number, interfaceIndex: number): CapturedPacket {
    const capturedLength = this.u32(at + 20);
    const originalLength = this.u32(at + 24);
    this.checkCapturedLength(at + 20, capturedLength, interfaceIndex);
    const dataStart = at + 28;
    if (dataStart + padTo4(capturedLength) > end - 4) {
      throw new CaptureError(
        'BAD_BLOCK_LENGTH',
        at + 4,
        `block of ${end - at} bytes cannot hold ${capturedLength} captured bytes`,
      );
    }
    const scale = this.scales[interfaceIndex]!;
    const timestampNs = (this.ticks64(at + 12) * scale.multiplier) / scale.divisor + scale.offsetNs;
    return this.makePacket(interfaceIndex, timestampNs, true, dataStart, capturedLength, originalLength);
  }

  private readEnhancedPacket(at: number, end: number): CapturedPacket {
    if (end - at < MIN_EPB_BYTES) {
      throw new CaptureError('BAD_BLOCK_LENGTH', at + 4, `enhanced packet block of ${end - at} bytes`);
    }
    return this.readTimestampedPacket(at, end, this.interfaceIndex(at + 8, this.u32(at + 8)));
  }

  private readObsoletePacket(at: number, end: number): CapturedPacket {
    if (end - at < MIN_OPB_BYTES) {
      throw new CaptureError('BAD_BLOCK_LENGTH', at + 4, `packet block of ${end - at} bytes`);
    }
    return this.readTimestampedPacket(at, end, this.interfaceIndex(at + 8, this.u16(at + 8)));
  }

  private readSimplePacket(at: number, end: number): CapturedPacket {
    if (end - at < MIN_SPB_BYTES) {
      throw new CaptureError('BAD_BLOCK_LENGTH', at + 4, `simple packet block of ${end - at} bytes`);
    }
    const interfaceIndex = this.interfaceIndex(at, 0);
    const originalLength = this.u32(at + 8);
    const snapLength = this.allInterfaces[interfaceIndex]!.snapLength;
    const capturedLength = snapLength !== 0 ? Math.min(originalLength, snapLength) : originalLength;
    const dataStart = at + 12;
    if (dataStart + capturedLength > end - 4) {
      throw new CaptureError(
        'BAD_BLOCK_LENGTH',
        at + 4,
        `simple packet block of ${end - at} bytes cannot hold ${capturedLength} captured bytes`,
      );
    }
    return this.makePacket(interfaceIndex, this.lastTimestampNs, false, dataStart, capturedLength, originalLength);
  }
}

/** Yields every packet of a pcap or pcapng file; throws CaptureError when malformed. */
export function* readPackets(bytes: Uint8Array): Generator<CapturedPacket, void, undefined> {
  yield* new CaptureReader(bytes);
}

/** Decodes a whole pcap or pcapng file; throws CaptureError when malformed. */
export function readCapture(bytes: Uint8Array): Capture {
  const reader = new CaptureReader(bytes);
  const packets = [...reader];
  return { format: reader.format, byteOrder: reader.byteOrder, interfaces: [...reader.interfaces], packets };
}

function timestampScale(resolution: TimestampResolution, offsetSeconds: bigint): TimestampScale {
  const offsetNs = offsetSeconds * NS_PER_SECOND;
  if (resolution.base === 2) {
    return { multiplier: NS_PER_SECOND, divisor: 2n ** BigInt(resolution.exponent), offsetNs };
  }
  const exponent = resolution.exponent;
  return exponent <= 9
    ? { multiplier: 10n ** BigInt(9 - exponent), divisor: 1n, offsetNs }
    : { multiplier: 1n, divisor: 10n ** BigInt(exponent - 9), offsetNs };
}

/** Rounds a length up to a multiple of 4 (arithmetic, not bitwise: lengths reach 2^32). */
function padTo4(length: number): number {
  return length + ((4 - (length % 4)) % 4);
}

function swap32(value: number): number {
  return (
    (((value & 0xff) << 24) | ((value & 0xff00) << 8) | ((value >>> 8) & 0xff00) | ((value >>> 24) & 0xff)) >>> 0
  );
}
