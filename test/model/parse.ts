/**
 * Reference frame parser: the slow, obviously-correct oracle for the Wasm parser.
 *
 * Owns: the specification of what the classifier extracts from an Ethernet frame.
 * Written for reading, not speed: one step per rule, no tables, no tricks. Every
 * multi-byte field is big-endian (network order). Cost: O(header bytes).
 *
 * The rules (the Wasm parser must agree field by field):
 * 1. Fewer than 14 bytes → { status: 'malformed' }.
 * 2. dstMac = bytes 0..5, srcMac = bytes 6..11, EtherType = u16 at 12.
 * 3. While the EtherType is 0x8100, 0x88a8 or 0x9100: fewer than 4 bytes after the
 *    EtherType field → malformed; else read TCI (id = TCI & 0xfff, pcp = TCI >> 13,
 *    dei = (TCI >> 12) & 1) and the next EtherType; record every tag in `vlans`.
 * 4. EtherType 0x8847/0x8848 (MPLS): read 4-byte entries until one has the
 *    bottom-of-stack bit; if the frame ends first, stop (status stays 'ok', no L3,
 *    nothing truncated). After the stack, the first nibble of the next byte picks
 *    the L3: 4 → IPv4, 6 → IPv6, anything else (or no byte) → none.
 * 5. From here on truncation is not malformed: unread fields stay absent, and
 *    l3Truncated / l4Truncated say an IP / transport header was expected but cut.
 * 6. IPv4: needs 20 bytes, IHL ≥ 5 and IHL·4 bytes, else l3Truncated. Fragment when
 *    MF is set or the offset is non-zero (then no ports). Otherwise, for protocol 6,
 *    17 or 132, the ports are the 4 bytes at IHL·4, or l4Truncated if they are cut.
 * 7. IPv6: needs 40 bytes, else l3Truncated. Walk the next-header chain from byte 6:
 *    0, 43, 60, 135 are (hdrExtLen + 1)·8 bytes long; 44 is 8 bytes and, if its
 *    offset is non-zero or its M flag set, the packet is a fragment (stop, no
 *    ports); 51 is (payloadLen + 2)·4 bytes. At most 8 are followed: a 9th →
 *    extChainTooLong, no ports. A header that does not fit → l4Truncated, stop.
 *    The final next-header value is ipProto; ports as for IPv4.
 * 8. Any other EtherType (ARP, 802.3 length fields, …): no L3 fields.
 *
 * Result fields (ParsedFrame):
 *   status        'ok' (a MalformedFrame has nothing but status: 'malformed')
 *   dstMac/srcMac 'aa:bb:cc:dd:ee:ff', lower case
 *   vlans         every tag, outermost first: { tpid, id, pcp, dei (0|1) }
 *   outerVlan     id of the first tag, or -1;  innerVlan: id of the second, or -1
 *   etherType     the innermost EtherType: after the tags; after an MPLS stack it is
 *                 0x0800 / 0x86dd when rule 4 chose IPv4 / IPv6, else stays 0x8847/0x8848
 *   mplsLabels    20-bit labels read, top first (complete entries only)
 *   l3            'ipv4' | 'ipv6' when such a header was expected (even if cut), else null
 *   ipProto       IPv4 protocol; IPv6 upper-layer next header (for a fragment: the
 *                 fragment header's next header); absent when the IP header was cut,
 *                 or the IPv6 chain was cut or too long
 *   srcIp/dstIp   tshark-style text (dotted quad; compressed lower-case IPv6)
 *   srcIpWords/dstIpWords  the address as four u32 words, big-endian; IPv4 is [addr, 0, 0, 0]
 *   sport/dport   transport ports (TCP, UDP, SCTP), when present
 *   fragment      IPv4 MF/offset or IPv6 fragment header with M/offset
 *   l3Truncated   the IP header was expected but is incomplete
 *   l4Truncated   the IPv6 extension chain or the 4 port bytes are cut
 *   extChainTooLong  IPv6 chain longer than 8 extension headers
 */

import { bytesToMac, formatIpv4, formatIpv6 } from '../../src/frames/build.js';

export interface VlanTag {
  /** 0x8100, 0x88a8 or 0x9100. */
  tpid: number;
  /** 12-bit VLAN id. */
  id: number;
  /** Priority code point, 0..7. */
  pcp: number;
  /** Drop eligible indicator, 0 or 1. */
  dei: number;
}

export interface MalformedFrame {
  status: 'malformed';
}

export interface ParsedFrame {
  status: 'ok';
  dstMac: string;
  srcMac: string;
  vlans: VlanTag[];
  outerVlan: number;
  innerVlan: number;
  etherType: number;
  mplsLabels: number[];
  l3: 'ipv4' | 'ipv6' | null;
  ipProto?: number;
  srcIp?: string;
  dstIp?: string;
  srcIpWords?: number[];
  dstIpWords?: number[];
  sport?: number;
  dport?: number;
  fragment: boolean;
  l3Truncated: boolean;
  l4Truncated: boolean;
  extChainTooLong: boolean;
}

export type FrameParse = MalformedFrame | ParsedFrame;

const ETHERTYPE_IPV4 = 0x0800;
const ETHERTYPE_IPV6 = 0x86dd;
const ETHERTYPE_MPLS_UNICAST = 0x8847;
const ETHERTYPE_MPLS_MULTICAST = 0x8848;
const VLAN_TPIDS = [0x8100, 0x88a8, 0x9100];
const PROTOCOLS_WITH_PORTS = [6, 17, 132]; // TCP, UDP, SCTP
const MAX_IPV6_EXTENSION_HEADERS = 8;

const IPV6_HOP_BY_HOP = 0;
const IPV6_ROUTING = 43;
const IPV6_FRAGMENT = 44;
const IPV6_AUTHENTICATION = 51;
const IPV6_DESTINATION_OPTIONS = 60;
const IPV6_MOBILITY = 135;

/** Parses one Ethernet frame (the captured bytes) by the rules in the file header. */
export function parseFrame(frame: Uint8Array): FrameParse {
  if (frame.length < 14) return { status: 'malformed' };

  const result: ParsedFrame = {
    status: 'ok',
    dstMac: bytesToMac(frame, 0),
    srcMac: bytesToMac(frame, 6),
    vlans: [],
    outerVlan: -1,
    innerVlan: -1,
    etherType: readU16(frame, 12),
    mplsLabels: [],
    l3: null,
    fragment: false,
    l3Truncated: false,
    l4Truncated: false,
    extChainTooLong: false,
  };
  let offset = 14; // first byte after the EtherType field

  // Rule 3: VLAN tags, any depth.
  while (VLAN_TPIDS.includes(result.etherType)) {
    if (frame.length - offset < 4) return { status: 'malformed' };
    const tci = readU16(frame, offset);
    result.vlans.push({ tpid: result.etherType, id: tci & 0xfff, pcp: tci >> 13, dei: (tci >> 12) & 1 });
    result.etherType = readU16(frame, offset + 2);
    offset += 4;
  }
  if (result.vlans.length >= 1) result.outerVlan = result.vlans[0]!.id;
  if (result.vlans.length >= 2) result.innerVlan = result.vlans[1]!.id;

  // Rule 4: MPLS label stack.
  if (result.etherType === ETHERTYPE_MPLS_UNICAST || result.etherType === ETHERTYPE_MPLS_MULTICAST) {
    let bottomOfStack = false;
    while (!bottomOfStack) {
      if (frame.length - offset < 4) return result; // stack cut short: no L3
      const entry = readU32(frame, offset);
      result.mplsLabels.push(entry >>> 12);
      bottomOfStack = ((entry >>> 8) & 1) === 1;
      offset += 4;
    }
    if (offset >= frame.length) return result;
    const version = frame[offset]! >> 4;
    if (version === 4) result.etherType = ETHERTYPE_IPV4;
    else if (version === 6) result.etherType = ETHERTYPE_IPV6;
    else return result;
  }

  if (result.etherType === ETHERTYPE_IPV4) parseIpv4(frame, offset, result);
  else if (result.etherType === ETHERTYPE_IPV6) parseIpv6(frame, offset, result);
  return result;
}

/** Rule 6. `start` is the first byte of the IPv4 header. */
function parseIpv4(frame: Uint8Array, start: number, result: ParsedFrame): void {
  result.l3 = 'ipv4';
  const available = frame.length - start;
  if (available < 20) {
    result.l3Truncated = true;
    return;
  }
  const headerLength = (frame[start]! & 0x0f) * 4;
  if (headerLength < 20 || available < headerLength) {
    result.l3Truncated = true;
    return;
  }
  const src = readU32(frame, start + 12);
  const dst = readU32(frame, start + 16);
  result.ipProto = frame[start + 9]!;
  result.srcIp = formatIpv4(src);
  result.dstIp = formatIpv4(dst);
  result.srcIpWords = [src, 0, 0, 0];
  result.dstIpWords = [dst, 0, 0, 0];

  const flagsAndOffset = readU16(frame, start + 6);
  const moreFragments = (flagsAndOffset >> 13) & 1;
  const fragmentOffset = flagsAndOffset & 0x1fff;
  if (moreFragments === 1 || fragmentOffset !== 0) {
    result.fragment = true;
    return;
  }
  readPorts(frame, start + headerLength, result.ipProto, result);
}

/** Rule 7. `start` is the first byte of the IPv6 header. */
function parseIpv6(frame: Uint8Array, start: number, result: ParsedFrame): void {
  result.l3 = 'ipv6';
  if (frame.length - start < 40) {
    result.l3Truncated = true;
    return;
  }
  result.srcIp = formatIpv6(frame, start + 8);
  result.dstIp = formatIpv6(frame, start + 24);
  result.srcIpWords = [0, 1, 2, 3].map((i) => readU32(frame, start + 8 + 4 * i));
  result.dstIpWords = [0, 1, 2, 3].map((i) => readU32(frame, start + 24 + 4 * i));

  let nextHeader = frame[start + 6]!;
  let offset = start + 40;
  let followed = 0;
  while (isExtensionHeader(nextHeader)) {
    if (followed === MAX_IPV6_EXTENSION_HEADERS) {
      result.extChainTooLong = true;
      return;
    }
    const length = extensionHeaderLength(frame, offset, nextHeader);
    if (length === null || offset + length > frame.length) {
      result.l4Truncated = true;
      return;
    }
    if (nextHeader === IPV6_FRAGMENT) {
      const offsetAndFlags = readU16(frame, offset + 2);
      const fragmentOffset = offsetAndFlags >> 3;
      const moreFragments = offsetAndFlags & 1;
      if (fragmentOffset !== 0 || moreFragments === 1) {
        result.fragment = true;
        result.ipProto = frame[offset]!;
        return;
      }
    }
    nextHeader = frame[offset]!;
    offset += length;
    followed += 1;
  }
  result.ipProto = nextHeader;
  readPorts(frame, offset, nextHeader, result);
}

function isExtensionHeader(nextHeader: number): boolean {
  return (
    nextHeader === IPV6_HOP_BY_HOP ||
    nextHeader === IPV6_ROUTING ||
    nextHeader === IPV6_FRAGMENT ||
    nextHeader === IPV6_AUTHENTICATION ||
    nextHeader === IPV6_DESTINATION_OPTIONS ||
    nextHeader === IPV6_MOBILITY
  );
}

/** Length in bytes of the extension header at `offset`, or null if its length byte is cut. */
function extensionHeaderLength(frame: Uint8Array, offset: number, type: number): number | null {
  if (type === IPV6_FRAGMENT) return 8;
  if (frame.length - offset < 2) return null;
  const lengthField = frame[offset + 1]!;
  if (type === IPV6_AUTHENTICATION) return (lengthField + 2) * 4;
  return (lengthField + 1) * 8;
}

/** Ports for TCP, UDP and SCTP: the first 4 bytes of the transport header. */
function readPorts(frame: Uint8Array, offset: number, protocol: number, result: ParsedFrame): void {
  if (!PROTOCOLS_WITH_PORTS.includes(protocol)) return;
  if (frame.length - offset < 4) {
    result.l4Truncated = true;
    return;
  }
  result.sport = readU16(frame, offset);
  result.dport = readU16(frame, offset + 2);
}

function readU16(bytes: Uint8Array, offset: number): number {
  return (bytes[offset]! << 8) | bytes[offset + 1]!;
}

function readU32(bytes: Uint8Array, offset: number): number {
  return ((bytes[offset]! << 24) | (bytes[offset + 1]! << 16) | (bytes[offset + 2]! << 8) | bytes[offset + 3]!) >>> 0;
}
