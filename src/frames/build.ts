/**
 * Ethernet frame builder for generated test traffic, and address text helpers.
 *
 * Owns: turning a declarative FrameSpec into the bytes of one Ethernet frame
 * (no FCS): MACs, any number of VLAN tags (802.1Q 0x8100, 802.1ad 0x88a8, old QinQ
 * 0x9100; outermost first), an optional MPLS label stack, then IPv4 (with options
 * and fragment fields), IPv6 (with an extension-header chain), ARP or a raw
 * EtherType, an optional TCP/UDP/SCTP header, a payload, and zero padding up to
 * `length`. Also MAC/IPv4/IPv6 parsing and formatting; the formatting matches
 * tshark's text (lower case; IPv6 compressed as glibc's inet_ntop does, RFC 5952
 * style with the ::a.b.c.d / ::ffff:a.b.c.d forms for embedded IPv4).
 *
 * Conventions: lengths are bytes; IP fragment offsets are the raw 13-bit field
 * (units of 8 bytes). IPv4 total length, IPv6 payload length and UDP length cover
 * everything from their header to the end of the frame, padding included. The IPv4
 * header checksum is computed; TCP/UDP/SCTP checksums are left 0. Cost: O(length).
 * Invalid specs (out-of-range fields, length below what the headers need, two L3
 * kinds at once) throw RangeError or TypeError naming the field.
 */

export type MacAddress = string | ArrayLike<number>;
export type VlanTpid = 0x8100 | 0x88a8 | 0x9100;

export interface VlanTagSpec {
  tpid: VlanTpid;
  /** VLAN id, 0..4095. */
  id: number;
  /** Priority code point, 0..7 (default 0). */
  pcp?: number;
  /** Drop eligible indicator (default false). */
  dei?: boolean;
}

export interface Ipv4Spec {
  src: string;
  dst: string;
  /** Protocol number; default from `l4` (6/17/132), else 253 (RFC 3692 experiment). */
  proto?: number;
  /** Default 64. */
  ttl?: number;
  /** Default 0. */
  identification?: number;
  dontFragment?: boolean;
  moreFragments?: boolean;
  /** Raw 13-bit field, units of 8 bytes (0..8191); default 0. */
  fragmentOffset?: number;
  /** IPv4 options, a multiple of 4 bytes, at most 40. */
  options?: Uint8Array;
}

/** Hop-by-hop (0), routing (43), destination options (60), mobility (135). */
export interface Ipv6GenericExtensionSpec {
  type: 0 | 43 | 60 | 135;
  /** Header length in bytes: a multiple of 8, 8..2048; default 8. */
  lengthBytes?: number;
}

export interface Ipv6FragmentExtensionSpec {
  type: 44;
  /** Raw 13-bit field, units of 8 bytes; default 0. */
  fragmentOffset?: number;
  moreFragments?: boolean;
  identification?: number;
}

export interface Ipv6AuthenticationExtensionSpec {
  type: 51;
  /** Header length in bytes: a multiple of 4, 8..1028; default 24 (12-byte ICV). */
  lengthBytes?: number;
}

export type Ipv6ExtensionSpec = Ipv6GenericExtensionSpec | Ipv6FragmentExtensionSpec | Ipv6AuthenticationExtensionSpec;

export interface Ipv6Spec {
  src: string;
  dst: string;
  /** Upper-layer protocol after the chain; default from `l4`, else 59 (no next header). */
  nextHeader?: number;
  /** Default 64. */
  hopLimit?: number;
  trafficClass?: number;
  flowLabel?: number;
  /** In wire order. */
  extensionHeaders?: Ipv6ExtensionSpec[];
}

export interface ArpSpec {
  /** 1 request (default), 2 reply. */
  operation?: number;
  /** Default: the frame's source MAC. */
  senderMac?: MacAddress;
  senderIp: string;
  /** Default 00:00:00:00:00:00. */
  targetMac?: MacAddress;
  targetIp: string;
}

export interface L4Spec {
  proto: 'tcp' | 'udp' | 'sctp';
  sport: number;
  dport: number;
  /** TCP flag bits (FIN 0x01 … CWR 0x80); default 0x10 (ACK). */
  tcpFlags?: number;
}

export interface FrameSpec {
  dst: MacAddress;
  src: MacAddress;
  /** Outermost first, any depth. */
  vlans?: VlanTagSpec[];
  /** MPLS labels (20-bit), top of stack first; bottom-of-stack set on the last. */
  mpls?: number[];
  /** EtherType announcing the MPLS stack; default 0x8847 (unicast). */
  mplsEtherType?: 0x8847 | 0x8848;
  /** At most one of ipv4 / ipv6 / arp / etherType. */
  ipv4?: Ipv4Spec;
  ipv6?: Ipv6Spec;
  arp?: ArpSpec;
  /** Raw EtherType after the tags (not allowed with mpls); the payload follows it. */
  etherType?: number;
  /** Needs ipv4 or ipv6. */
  l4?: L4Spec;
  /** Bytes after the last header. */
  payload?: Uint8Array;
  /** Total frame length in bytes (no FCS), zero padded; default: what the headers need. */
  length?: number;
}

/** Where each header of a built frame starts; -1 when absent. */
export interface FrameLayout {
  /** Offset of each VLAN tag's TPID, outermost first. */
  vlanOffsets: number[];
  /** Offset of the EtherType field after the tags (12 + 4·tags). */
  etherTypeOffset: number;
  /** Offset of each MPLS label entry. */
  mplsOffsets: number[];
  /** Start of the IPv4/IPv6/ARP header, or of the raw payload after a raw EtherType. */
  l3Offset: number;
  /** End of the IPv4 header (with options) or of the fixed 40-byte IPv6 header. */
  l3HeaderEnd: number;
  /** Offset of each IPv6 extension header, in order. */
  extensionOffsets: number[];
  /** Start of the TCP/UDP/SCTP header. */
  l4Offset: number;
  /** End of the TCP/UDP/SCTP header. */
  l4HeaderEnd: number;
  /** Total frame length. */
  length: number;
}

export interface BuiltFrame {
  bytes: Uint8Array;
  layout: FrameLayout;
}

const ETHERTYPE_IPV4 = 0x0800;
const ETHERTYPE_IPV6 = 0x86dd;
const ETHERTYPE_ARP = 0x0806;
const L4_NUMBERS = { tcp: 6, udp: 17, sctp: 132 } as const;
const L4_HEADER_BYTES = { tcp: 20, udp: 8, sctp: 12 } as const;

/** Builds the frame described by `spec`. */
export function buildFrame(spec: FrameSpec): Uint8Array {
  return buildFrameWithLayout(spec).bytes;
}

/** Builds the frame and reports where each header sits (for truncation tests). */
export function buildFrameWithLayout(spec: FrameSpec): BuiltFrame {
  const dst = macToBytes(spec.dst);
  const src = macToBytes(spec.src);
  const vlans = spec.vlans ?? [];
  const mpls = spec.mpls ?? [];
  const l3Kinds = [spec.ipv4, spec.ipv6, spec.arp, spec.etherType].filter((x) => x !== undefined).length;
  if (l3Kinds > 1) throw new TypeError('FrameSpec: give at most one of ipv4, ipv6, arp, etherType');
  if (mpls.length > 0 && (spec.arp !== undefined || spec.etherType !== undefined)) {
    throw new TypeError('FrameSpec: an MPLS stack carries ipv4, ipv6 or a bare payload, not arp/etherType');
  }
  if (mpls.length === 0 && l3Kinds === 0) {
    throw new TypeError('FrameSpec: needs one of ipv4, ipv6, arp, etherType (or an MPLS stack)');
  }
  if (spec.l4 !== undefined && spec.ipv4 === undefined && spec.ipv6 === undefined) {
    throw new TypeError('FrameSpec: l4 needs ipv4 or ipv6');
  }

  // Pass 1: layout.
  const vlanOffsets = vlans.map((_, i) => 12 + 4 * i);
  const etherTypeOffset = 12 + 4 * vlans.length;
  let at = etherTypeOffset + 2;
  const mplsOffsets = mpls.map((_, i) => at + 4 * i);
  at += 4 * mpls.length;
  const l3Offset = at;
  let l3HeaderEnd = -1;
  const extensionOffsets: number[] = [];
  const extensionLengths: number[] = [];
  if (spec.ipv4 !== undefined) {
    const optionBytes = spec.ipv4.options?.length ?? 0;
    if (optionBytes % 4 !== 0 || optionBytes > 40) {
      throw new RangeError(`ipv4.options: ${optionBytes} bytes, must be a multiple of 4 and at most 40`);
    }
    l3HeaderEnd = at + 20 + optionBytes;
    at = l3HeaderEnd;
  } else if (spec.ipv6 !== undefined) {
    l3HeaderEnd = at + 40;
    at = l3HeaderEnd;
    for (const [i, ext] of (spec.ipv6.extensionHeaders ?? []).entries()) {
      const length = extensionLength(ext, i);
      extensionOffsets.push(at);
      extensionLengths.push(length);
      at += length;
    }
  } else if (spec.arp !== undefined) {
    l3HeaderEnd = at + 28;
    at = l3HeaderEnd;
  }
  let l4Offset = -1;
  let l4HeaderEnd = -1;
  if (spec.l4 !== undefined) {
    l4Offset = at;
    l4HeaderEnd = at + L4_HEADER_BYTES[spec.l4.proto];
    at = l4HeaderEnd;
  }
  const payloadOffset = at;
  const needed = at + (spec.payload?.length ?? 0);
  const length = spec.length ?? needed;
  if (!Number.isInteger(length) || length < needed) {
    throw new RangeError(`FrameSpec.length ${length} is below the ${needed} bytes the headers and payload need`);
  }

  // Pass 2: bytes.
  const bytes = new Uint8Array(length);
  const view = new DataView(bytes.buffer);
  bytes.set(dst, 0);
  bytes.set(src, 6);
  vlans.forEach((tag, i) => {
    const offset = vlanOffsets[i]!;
    if (tag.tpid !== 0x8100 && tag.tpid !== 0x88a8 && tag.tpid !== 0x9100) {
      throw new RangeError(`vlans[${i}].tpid 0x${Number(tag.tpid).toString(16)} is not 0x8100, 0x88a8 or 0x9100`);
    }
    const pcp = tag.pcp ?? 0;
    checkRange(tag.id, 0, 4095, `vlans[${i}].id`);
    checkRange(pcp, 0, 7, `vlans[${i}].pcp`);
    view.setUint16(offset, tag.tpid);
    view.setUint16(offset + 2, (pcp << 13) | ((tag.dei ? 1 : 0) << 12) | tag.id);
  });
  const innerEtherType = etherTypeAfterTags(spec);
  checkRange(innerEtherType, 0, 0xffff, 'etherType');
  view.setUint16(etherTypeOffset, innerEtherType);
  mpls.forEach((label, i) => {
    checkRange(label, 0, 0xfffff, `mpls[${i}]`);
    const bottom = i === mpls.length - 1 ? 1 : 0;
    // label(20) | traffic class(3) = 0 | bottom of stack(1) | TTL(8) = 64
    view.setUint32(mplsOffsets[i]!, ((label << 12) | (bottom << 8) | 64) >>> 0);
  });

  const l4Number = spec.l4 === undefined ? undefined : L4_NUMBERS[spec.l4.proto];
  if (spec.ipv4 !== undefined) {
    writeIpv4(view, l3Offset, l3HeaderEnd, length, spec.ipv4, l4Number);
  } else if (spec.ipv6 !== undefined) {
    writeIpv6(view, l3Offset, length, spec.ipv6, extensionOffsets, extensionLengths, l4Number);
  } else if (spec.arp !== undefined) {
    writeArp(bytes, l3Offset, spec.arp, src);
  }
  if (spec.l4 !== undefined) writeL4(view, l4Offset, length, spec.l4);
  if (spec.payload !== undefined) bytes.set(spec.payload, payloadOffset);

  return {
    bytes,
    layout: {
      vlanOffsets,
      etherTypeOffset,
      mplsOffsets,
      l3Offset,
      l3HeaderEnd,
      extensionOffsets,
      l4Offset,
      l4HeaderEnd,
      length,
    },
  };
}

/** The EtherType written after the VLAN tags. */
function etherTypeAfterTags(spec: FrameSpec): number {
  if ((spec.mpls ?? []).length > 0) return spec.mplsEtherType ?? 0x8847;
  if (spec.ipv4 !== undefined) return ETHERTYPE_IPV4;
  if (spec.ipv6 !== undefined) return ETHERTYPE_IPV6;
  if (spec.arp !== undefined) return ETHERTYPE_ARP;
  return spec.etherType!;
}

function extensionLength(ext: Ipv6ExtensionSpec, index: number): number {
  const what = `ipv6.extensionHeaders[${index}]`;
  switch (ext.type) {
    case 44:
      return 8;
    case 51: {
      const length = ext.lengthBytes ?? 24;
      if (!Number.isInteger(length) || length % 4 !== 0 || length < 8 || length > 1028) {
        throw new RangeError(`${what}.lengthBytes ${length}: AH length must be a multiple of 4 in 8..1028`);
      }
      return length;
    }
    case 0:
    case 43:
    case 60:
    case 135: {
      const length = ext.lengthBytes ?? 8;
      if (!Number.isInteger(length) || length % 8 !== 0 || length < 8 || length > 2048) {
        throw new RangeError(`${what}.lengthBytes ${length}: must be a multiple of 8 in 8..2048`);
      }
      return length;
    }
    default:
      throw new RangeError(`${what}.type ${(ext as { type: number }).type} is not 0, 43, 44, 51, 60 or 135`);
  }
}

function writeIpv4(
  view: DataView,
  at: number,
  headerEnd: number,
  frameLength: number,
  ip: Ipv4Spec,
  l4Number: number | undefined,
): void {
  const headerBytes = headerEnd - at;
  const totalLength = frameLength - at;
  checkRange(totalLength, headerBytes, 0xffff, 'IPv4 total length (frame length - IP offset)');
  const fragmentOffset = ip.fragmentOffset ?? 0;
  checkRange(fragmentOffset, 0, 0x1fff, 'ipv4.fragmentOffset');
  const proto = ip.proto ?? l4Number ?? 253;
  checkRange(proto, 0, 255, 'ipv4.proto');
  const ttl = ip.ttl ?? 64;
  checkRange(ttl, 0, 255, 'ipv4.ttl');
  const identification = ip.identification ?? 0;
  checkRange(identification, 0, 0xffff, 'ipv4.identification');
  view.setUint8(at, 0x40 | (headerBytes / 4));
  view.setUint8(at + 1, 0);
  view.setUint16(at + 2, totalLength);
  view.setUint16(at + 4, identification);
  view.setUint16(at + 6, ((ip.dontFragment ? 1 : 0) << 14) | ((ip.moreFragments ? 1 : 0) << 13) | fragmentOffset);
  view.setUint8(at + 8, ttl);
  view.setUint8(at + 9, proto);
  view.setUint32(at + 12, parseIpv4(ip.src));
  view.setUint32(at + 16, parseIpv4(ip.dst));
  if (ip.options !== undefined) new Uint8Array(view.buffer).set(ip.options, at + 20);
  let sum = 0;
  for (let i = at; i < headerEnd; i += 2) sum += view.getUint16(i);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  view.setUint16(at + 10, ~sum & 0xffff);
}

function writeIpv6(
  view: DataView,
  at: number,
  frameLength: number,
  ip: Ipv6Spec,
  extensionOffsets: number[],
  extensionLengths: number[],
  l4Number: number | undefined,
): void {
  const payloadLength = frameLength - at - 40;
  checkRange(payloadLength, 0, 0xffff, 'IPv6 payload length (frame length - IP offset - 40)');
  const trafficClass = ip.trafficClass ?? 0;
  const flowLabel = ip.flowLabel ?? 0;
  checkRange(trafficClass, 0, 255, 'ipv6.trafficClass');
  checkRange(flowLabel, 0, 0xfffff, 'ipv6.flowLabel');
  const hopLimit = ip.hopLimit ?? 64;
  checkRange(hopLimit, 0, 255, 'ipv6.hopLimit');
  const upper = ip.nextHeader ?? l4Number ?? 59;
  checkRange(upper, 0, 255, 'ipv6.nextHeader');
  const chain = ip.extensionHeaders ?? [];
  view.setUint32(at, ((6 << 28) | (trafficClass << 20) | flowLabel) >>> 0);
  view.setUint16(at + 4, payloadLength);
  view.setUint8(at + 6, chain[0]?.type ?? upper);
  view.setUint8(at + 7, hopLimit);
  const bytes = new Uint8Array(view.buffer);
  bytes.set(parseIpv6(ip.src), at + 8);
  bytes.set(parseIpv6(ip.dst), at + 24);
  chain.forEach((ext, i) => {
    const offset = extensionOffsets[i]!;
    const length = extensionLengths[i]!;
    view.setUint8(offset, chain[i + 1]?.type ?? upper);
    if (ext.type === 44) {
      const fragmentOffset = ext.fragmentOffset ?? 0;
      checkRange(fragmentOffset, 0, 0x1fff, `ipv6.extensionHeaders[${i}].fragmentOffset`);
      const identification = ext.identification ?? 0;
      checkRange(identification, 0, 0xffffffff, `ipv6.extensionHeaders[${i}].identification`);
      view.setUint16(offset + 2, (fragmentOffset << 3) | (ext.moreFragments ? 1 : 0));
      view.setUint32(offset + 4, identification);
    } else if (ext.type === 51) {
      view.setUint8(offset + 1, length / 4 - 2);
    } else {
      // Remaining bytes stay 0: Pad1 options, routing type 0 / mobility type 0.
      view.setUint8(offset + 1, length / 8 - 1);
    }
  });
}

function writeArp(bytes: Uint8Array, at: number, arp: ArpSpec, frameSource: Uint8Array): void {
  const view = new DataView(bytes.buffer);
  const operation = arp.operation ?? 1;
  checkRange(operation, 0, 0xffff, 'arp.operation');
  view.setUint16(at, 1); // hardware: Ethernet
  view.setUint16(at + 2, ETHERTYPE_IPV4);
  view.setUint8(at + 4, 6);
  view.setUint8(at + 5, 4);
  view.setUint16(at + 6, operation);
  bytes.set(arp.senderMac === undefined ? frameSource : macToBytes(arp.senderMac), at + 8);
  view.setUint32(at + 14, parseIpv4(arp.senderIp));
  bytes.set(macToBytes(arp.targetMac ?? [0, 0, 0, 0, 0, 0]), at + 18);
  view.setUint32(at + 24, parseIpv4(arp.targetIp));
}

function writeL4(view: DataView, at: number, frameLength: number, l4: L4Spec): void {
  checkRange(l4.sport, 0, 0xffff, 'l4.sport');
  checkRange(l4.dport, 0, 0xffff, 'l4.dport');
  view.setUint16(at, l4.sport);
  view.setUint16(at + 2, l4.dport);
  if (l4.proto === 'tcp') {
    const flags = l4.tcpFlags ?? 0x10;
    checkRange(flags, 0, 0xff, 'l4.tcpFlags');
    view.setUint8(at + 12, 5 << 4); // data offset: 5 words
    view.setUint8(at + 13, flags);
    view.setUint16(at + 14, 0xffff); // window
  } else if (l4.proto === 'udp') {
    const udpLength = frameLength - at;
    checkRange(udpLength, 8, 0xffff, 'UDP length (frame length - UDP offset)');
    view.setUint16(at + 4, udpLength);
  }
  // SCTP: verification tag and checksum stay 0.
}

function checkRange(value: number, min: number, max: number, what: string): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`${what} = ${value}, must be an integer in ${min}..${max}`);
  }
}

// ---- address text ------------------------------------------------------------

/** 'aa:bb:cc:dd:ee:ff' (or '-' separated, any case) or 6 bytes → 6 bytes. */
export function macToBytes(mac: MacAddress): Uint8Array {
  if (typeof mac === 'string') {
    const match = /^([0-9a-f]{2})([:-])([0-9a-f]{2})\2([0-9a-f]{2})\2([0-9a-f]{2})\2([0-9a-f]{2})\2([0-9a-f]{2})$/i.exec(
      mac,
    );
    if (match === null) throw new TypeError(`MAC address '${mac}' is not six hex pairs separated by ':' or '-'`);
    return Uint8Array.from([1, 3, 4, 5, 6, 7].map((group) => parseInt(match[group]!, 16)));
  }
  if (mac.length !== 6) throw new TypeError(`MAC address has ${mac.length} bytes, expected 6`);
  const bytes = Uint8Array.from(mac);
  for (let i = 0; i < 6; i++) {
    if (bytes[i] !== mac[i]) throw new TypeError(`MAC address byte ${i} (${mac[i]}) is not 0..255`);
  }
  return bytes;
}

/** Six bytes at `offset` → 'aa:bb:cc:dd:ee:ff' (lower case, as tshark prints). */
export function bytesToMac(bytes: ArrayLike<number>, offset = 0): string {
  const parts: string[] = [];
  for (let i = 0; i < 6; i++) parts.push(hex2(bytes[offset + i]!));
  return parts.join(':');
}

/** Dotted quad → u32 (network order value). */
export function parseIpv4(text: string): number {
  const parts = text.split('.');
  if (parts.length !== 4 || !parts.every((part) => /^(0|[1-9][0-9]{0,2})$/.test(part) && Number(part) <= 255)) {
    throw new TypeError(`IPv4 address '${text}' is not a dotted quad`);
  }
  return parts.reduce((value, part) => value * 256 + Number(part), 0);
}

/** u32, or 4 bytes at `offset`, → dotted quad. */
export function formatIpv4(address: number | ArrayLike<number>, offset = 0): string {
  if (typeof address === 'number') {
    return [address >>> 24, (address >>> 16) & 0xff, (address >>> 8) & 0xff, address & 0xff].join('.');
  }
  return [address[offset], address[offset + 1], address[offset + 2], address[offset + 3]].join('.');
}

/** RFC 4291 text (with '::' and a trailing dotted quad allowed; no zone id) → 16 bytes. */
export function parseIpv6(text: string): Uint8Array {
  const fail = (): never => {
    throw new TypeError(`IPv6 address '${text}' is not valid`);
  };
  let body = text;
  const tail: number[] = [];
  if (text.includes('.')) {
    // Trailing dotted quad: the last two words.
    const lastColon = text.lastIndexOf(':');
    if (lastColon < 0) fail();
    const quad = parseIpv4Safe(text.slice(lastColon + 1)) ?? fail();
    tail.push(quad >>> 16, quad & 0xffff);
    const prefix = text.slice(0, lastColon + 1);
    body = prefix.endsWith('::') ? prefix : text.slice(0, lastColon);
  }
  const halves = body.split('::');
  if (halves.length > 2) fail();
  const groups = (part: string): number[] =>
    part === '' ? [] : part.split(':').map((g) => (/^[0-9a-f]{1,4}$/i.test(g) ? parseInt(g, 16) : fail()));
  const head = groups(halves[0]!);
  const rest = halves.length === 2 ? groups(halves[1]!) : [];
  const explicit = head.length + rest.length + tail.length;
  let words: number[];
  if (halves.length === 2) {
    if (explicit > 7) fail();
    words = [...head, ...new Array<number>(8 - explicit).fill(0), ...rest, ...tail];
  } else {
    if (explicit !== 8) fail();
    words = [...head, ...tail];
  }
  const bytes = new Uint8Array(16);
  words.forEach((word, i) => {
    bytes[2 * i] = word >>> 8;
    bytes[2 * i + 1] = word & 0xff;
  });
  return bytes;
}

/**
 * 16 bytes at `offset` → text as tshark prints it (glibc inet_ntop): lower case,
 * no leading zeros, the first longest run of two or more zero groups as '::', and
 * ::a.b.c.d / ::ffff:a.b.c.d for IPv4-compatible and IPv4-mapped addresses.
 */
export function formatIpv6(bytes: ArrayLike<number>, offset = 0): string {
  const words: number[] = [];
  for (let i = 0; i < 8; i++) words.push((bytes[offset + 2 * i]! << 8) | bytes[offset + 2 * i + 1]!);
  let bestStart = -1;
  let bestLength = 0;
  for (let i = 0; i < 8; ) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  if (bestLength < 2) bestStart = -1;
  if (bestStart === 0 && (bestLength === 6 || (bestLength === 5 && words[5] === 0xffff))) {
    return `::${bestLength === 5 ? 'ffff:' : ''}${formatIpv4(bytes, offset + 12)}`;
  }
  if (bestStart === -1) return words.map((w) => w.toString(16)).join(':');
  const left = words.slice(0, bestStart).map((w) => w.toString(16));
  const right = words.slice(bestStart + bestLength).map((w) => w.toString(16));
  return `${left.join(':')}::${right.join(':')}`;
}

function parseIpv4Safe(text: string): number | null {
  try {
    return parseIpv4(text);
  } catch {
    return null;
  }
}

function hex2(byte: number): string {
  return byte.toString(16).padStart(2, '0');
}
