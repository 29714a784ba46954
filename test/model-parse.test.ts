/**
 * The reference frame parser (test/model/parse.ts) against its specification and
 * against tshark.
 *
 * 1. Hand-made frames for each rule's edge (the spec's boundaries, written out).
 * 2. Generated frames from src/frames/build.ts for every combination of
 *    encapsulation (untagged, 802.1Q, QinQ 88a8+8100, triple tag, MPLS, VLAN+MPLS),
 *    L3 (IPv4 with options/fragments, IPv6 with extension chains up to and past 8,
 *    ARP, raw EtherTypes) and L4 (TCP, UDP, SCTP, none), each cut at every length.
 *    The expected result is derived from the FrameSpec and the builder's layout
 *    (where each header starts), not from the bytes: a second, structural reading
 *    of the same rules. A fast-check property does the same for random specs.
 * 3. Every frame of every real capture vs tshark's truth: MACs, VLAN ids (0x88a8 →
 *    ieee8021ad.id, 0x8100/0x9100 → vlan.id) with priority and DEI, IPv4/IPv6
 *    addresses and protocol, TCP/UDP ports vs the first occurrence. Frames where
 *    the two legitimately differ are excluded by narrow, named, counted rules
 *    (TRUTH_EXCLUSIONS below); anything else is a failure, and the test asserts
 *    that the large majority of frames compare in full.
 */

import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  buildFrame,
  buildFrameWithLayout,
  bytesToMac,
  formatIpv4,
  formatIpv6,
  macToBytes,
  parseIpv4,
  parseIpv6,
  type FrameLayout,
  type FrameSpec,
  type Ipv4Spec,
  type Ipv6ExtensionSpec,
  type Ipv6Spec,
  type L4Spec,
  type VlanTagSpec,
} from '../src/frames/build.js';
import { readCapture } from '../src/pcap/reader.js';
import { parseFrame, type FrameParse, type ParsedFrame } from './model/parse.js';
import {
  capturesDir,
  capturesPresent,
  listCaptures,
  loadCapture,
  loadTruth,
  warnIfCapturesAbsent,
  type TruthRow,
} from './support/captures.js';

warnIfCapturesAbsent('model-parse');

const MAC_A = '02:00:00:00:00:0a';
const MAC_B = '02:00:00:00:00:0b';
const PORT_PROTOCOLS = new Set([6, 17, 132]);
const L4_NUMBER = { tcp: 6, udp: 17, sctp: 132 } as const;

function words(bytes: Uint8Array): number[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return [0, 4, 8, 12].map((at) => view.getUint32(at, false));
}

/** A ParsedFrame with every flag false and no L3, to spread expectations over. */
function okFrame(fields: Partial<ParsedFrame>): ParsedFrame {
  return {
    status: 'ok',
    dstMac: MAC_B,
    srcMac: MAC_A,
    vlans: [],
    outerVlan: -1,
    innerVlan: -1,
    etherType: 0x0800,
    mplsLabels: [],
    l3: null,
    fragment: false,
    l3Truncated: false,
    l4Truncated: false,
    extChainTooLong: false,
    ...fields,
  };
}

// ---- 1. hand-made frames ----------------------------------------------------------

describe('model parser: the rules, edge by edge', () => {
  const base = { dst: MAC_B, src: MAC_A } as const;
  const udp4: FrameSpec = {
    ...base,
    ipv4: { src: '192.0.2.1', dst: '198.51.100.2' },
    l4: { proto: 'udp', sport: 5353, dport: 53 },
  };
  const ipv4Fields = {
    l3: 'ipv4' as const,
    ipProto: 17,
    srcIp: '192.0.2.1',
    dstIp: '198.51.100.2',
    srcIpWords: [0xc0000201, 0, 0, 0],
    dstIpWords: [0xc6336402, 0, 0, 0],
  };

  it('rule 1: fewer than 14 bytes is malformed; 14 bytes is ok', () => {
    const frame = buildFrame(udp4);
    expect(parseFrame(frame.subarray(0, 0))).toStrictEqual({ status: 'malformed' });
    expect(parseFrame(frame.subarray(0, 13))).toStrictEqual({ status: 'malformed' });
    expect(parseFrame(frame.subarray(0, 14))).toStrictEqual(okFrame({ l3: 'ipv4', l3Truncated: true }));
  });

  it('rule 2+6: a whole UDP/IPv4 frame', () => {
    expect(parseFrame(buildFrame({ ...udp4, length: 60 }))).toStrictEqual(
      okFrame({ ...ipv4Fields, sport: 5353, dport: 53 }),
    );
  });

  it('rule 3: tags need 4 bytes after their TPID or the frame is malformed', () => {
    const tagged = buildFrame({ ...udp4, vlans: [{ tpid: 0x8100, id: 0xabc, pcp: 6, dei: true }] });
    expect(parseFrame(tagged.subarray(0, 17))).toStrictEqual({ status: 'malformed' });
    const tag = { tpid: 0x8100, id: 0xabc, pcp: 6, dei: 1 };
    expect(parseFrame(tagged.subarray(0, 18))).toStrictEqual(
      okFrame({ vlans: [tag], outerVlan: 0xabc, l3: 'ipv4', l3Truncated: true }),
    );
    const tci = (tagged[14]! << 8) | tagged[15]!;
    expect(tci).toBe((6 << 13) | (1 << 12) | 0xabc);
  });

  it('rule 3: any depth; outer and inner are the first two tags', () => {
    const vlans: VlanTagSpec[] = [
      { tpid: 0x88a8, id: 10 },
      { tpid: 0x8100, id: 20 },
      { tpid: 0x9100, id: 30 },
      { tpid: 0x8100, id: 40, pcp: 1 },
      { tpid: 0x88a8, id: 50 },
    ];
    const parsed = parseFrame(buildFrame({ ...udp4, vlans }));
    expect(parsed).toMatchObject({ status: 'ok', outerVlan: 10, innerVlan: 20, etherType: 0x0800, sport: 5353 });
    expect(parsed.status === 'ok' && parsed.vlans.map((v) => [v.tpid, v.id, v.pcp])).toEqual([
      [0x88a8, 10, 0],
      [0x8100, 20, 0],
      [0x9100, 30, 0],
      [0x8100, 40, 1],
      [0x88a8, 50, 0],
    ]);
  });

  it('rule 4: MPLS picks L3 by the first nibble after the bottom of stack', () => {
    const ipv4 = parseFrame(buildFrame({ ...udp4, mpls: [100, 200] }));
    expect(ipv4).toStrictEqual(
      okFrame({ ...ipv4Fields, etherType: 0x0800, mplsLabels: [100, 200], sport: 5353, dport: 53 }),
    );
    const bare = buildFrame({ ...base, mpls: [7], payload: Uint8Array.of(0x00, 0x45) });
    expect(parseFrame(bare)).toStrictEqual(okFrame({ etherType: 0x8847, mplsLabels: [7] }));
    // Bottom of stack, then the frame ends: no L3, nothing truncated.
    expect(parseFrame(bare.subarray(0, 18))).toStrictEqual(okFrame({ etherType: 0x8847, mplsLabels: [7] }));
    // A stack without bottom-of-stack that runs into the end of the frame.
    const endless = buildFrame({ ...base, mpls: [1, 2, 3] });
    endless[14 + 4 * 2 + 2] &= 0xfe; // clear S on the last entry
    expect(parseFrame(endless)).toStrictEqual(okFrame({ etherType: 0x8847, mplsLabels: [1, 2, 3] }));
    const ipv6 = parseFrame(buildFrame({ ...base, mpls: [5], mplsEtherType: 0x8848, ipv6: { src: '::1', dst: '::2' } }));
    expect(ipv6).toMatchObject({ l3: 'ipv6', etherType: 0x86dd, mplsLabels: [5], ipProto: 59 });
  });

  it('rule 6: IHL below 5 or beyond the frame is l3Truncated with no fields; version is not checked', () => {
    const frame = buildFrame({ ...udp4, length: 80 });
    const ihl4 = frame.slice();
    ihl4[14] = 0x44;
    expect(parseFrame(ihl4)).toStrictEqual(okFrame({ l3: 'ipv4', l3Truncated: true }));
    const ihl15 = frame.slice(0, 14 + 59);
    ihl15[14] = 0x4f;
    expect(parseFrame(ihl15)).toStrictEqual(okFrame({ l3: 'ipv4', l3Truncated: true }));
    const version6 = frame.slice();
    version6[14] = 0x65;
    expect(parseFrame(version6)).toMatchObject({ l3: 'ipv4', sport: 5353 });
  });

  it('rule 6: options move the ports; fragments have no ports', () => {
    const options = Uint8Array.of(0x94, 0x04, 0, 0, 1, 1, 1, 0); // router alert, NOP×3, EOL
    expect(parseFrame(buildFrame({ ...udp4, ipv4: { ...udp4.ipv4!, options } }))).toMatchObject({
      sport: 5353,
      dport: 53,
    });
    for (const fragment of [{ moreFragments: true }, { fragmentOffset: 1 }, { fragmentOffset: 8191 }]) {
      const parsed = parseFrame(buildFrame({ ...udp4, ipv4: { ...udp4.ipv4!, ...fragment } }));
      expect(parsed).toStrictEqual(okFrame({ ...ipv4Fields, fragment: true }));
    }
    const dontFragment = parseFrame(buildFrame({ ...udp4, ipv4: { ...udp4.ipv4!, dontFragment: true } }));
    expect(dontFragment).toMatchObject({ fragment: false, sport: 5353 });
  });

  it('rule 6: ports need exactly 4 bytes; 3 is l4Truncated; other protocols have none', () => {
    const tcp = buildFrame({ ...udp4, l4: { proto: 'tcp', sport: 1, dport: 2 } });
    expect(parseFrame(tcp.subarray(0, 34 + 4))).toStrictEqual(
      okFrame({ ...ipv4Fields, ipProto: 6, sport: 1, dport: 2 }),
    );
    expect(parseFrame(tcp.subarray(0, 34 + 3))).toStrictEqual(okFrame({ ...ipv4Fields, ipProto: 6, l4Truncated: true }));
    const sctp = parseFrame(buildFrame({ ...udp4, l4: { proto: 'sctp', sport: 2905, dport: 2906 } }));
    expect(sctp).toMatchObject({ ipProto: 132, sport: 2905, dport: 2906 });
    const icmp = parseFrame(buildFrame({ ...base, ipv4: { ...udp4.ipv4!, proto: 1 }, length: 60 }));
    expect(icmp).toStrictEqual(okFrame({ ...ipv4Fields, ipProto: 1 }));
  });

  const v6: Ipv6Spec = { src: '2001:db8::1', dst: 'fe80::1:2' };
  const ipv6Fields = {
    etherType: 0x86dd,
    l3: 'ipv6' as const,
    srcIp: '2001:db8::1',
    dstIp: 'fe80::1:2',
    srcIpWords: [0x20010db8, 0, 0, 1],
    dstIpWords: [0xfe800000, 0, 0, 0x00010002],
  };
  const udp: L4Spec = { proto: 'udp', sport: 546, dport: 547 };

  it('rule 7: 40 bytes needed; extension headers of every kind are skipped', () => {
    const plain = buildFrame({ ...base, ipv6: v6, l4: udp });
    expect(parseFrame(plain.subarray(0, 14 + 39))).toStrictEqual(
      okFrame({ etherType: 0x86dd, l3: 'ipv6', l3Truncated: true }),
    );
    expect(parseFrame(plain)).toStrictEqual(okFrame({ ...ipv6Fields, ipProto: 17, sport: 546, dport: 547 }));
    const chain: Ipv6ExtensionSpec[] = [
      { type: 0, lengthBytes: 16 },
      { type: 43, lengthBytes: 24 },
      { type: 44 }, // atomic fragment: offset 0, M clear → keep going
      { type: 51, lengthBytes: 12 },
      { type: 135, lengthBytes: 8 },
      { type: 60, lengthBytes: 2048 },
    ];
    const parsed = parseFrame(buildFrame({ ...base, ipv6: { ...v6, extensionHeaders: chain }, l4: udp }));
    expect(parsed).toStrictEqual(okFrame({ ...ipv6Fields, ipProto: 17, sport: 546, dport: 547 }));
  });

  it('rule 7: 8 extension headers are followed, a 9th is too long (no ports, no ipProto)', () => {
    const eight: Ipv6ExtensionSpec[] = new Array(8).fill({ type: 60 });
    expect(parseFrame(buildFrame({ ...base, ipv6: { ...v6, extensionHeaders: eight }, l4: udp }))).toStrictEqual(
      okFrame({ ...ipv6Fields, ipProto: 17, sport: 546, dport: 547 }),
    );
    const nine: Ipv6ExtensionSpec[] = [...eight, { type: 44 }];
    expect(parseFrame(buildFrame({ ...base, ipv6: { ...v6, extensionHeaders: nine }, l4: udp }))).toStrictEqual(
      okFrame({ ...ipv6Fields, extChainTooLong: true }),
    );
  });

  it('rule 7: a cut extension header is l4Truncated (even its length byte), ipProto absent', () => {
    const frame = buildFrame({ ...base, ipv6: { ...v6, extensionHeaders: [{ type: 0, lengthBytes: 16 }] }, l4: udp });
    const expected = okFrame({ ...ipv6Fields, l4Truncated: true });
    expect(parseFrame(frame.subarray(0, 54))).toStrictEqual(expected);
    expect(parseFrame(frame.subarray(0, 55))).toStrictEqual(expected);
    expect(parseFrame(frame.subarray(0, 54 + 15))).toStrictEqual(expected);
    expect(parseFrame(frame.subarray(0, 54 + 16))).toStrictEqual(okFrame({ ...ipv6Fields, ipProto: 17, l4Truncated: true }));
    expect(parseFrame(frame.subarray(0, 54 + 20))).toMatchObject({ sport: 546, dport: 547, l4Truncated: false });
  });

  it('rule 7: a fragment header with M or an offset stops the walk; ipProto is its next header', () => {
    for (const fragment of [{ moreFragments: true }, { fragmentOffset: 100 }]) {
      const parsed = parseFrame(
        buildFrame({ ...base, ipv6: { ...v6, extensionHeaders: [{ type: 0 }, { type: 44, ...fragment }] }, l4: udp }),
      );
      expect(parsed).toStrictEqual(okFrame({ ...ipv6Fields, ipProto: 17, fragment: true }));
    }
  });

  it('rule 8: ARP, LLDP and 802.3 length fields have no L3', () => {
    const arp = parseFrame(buildFrame({ ...base, arp: { senderIp: '10.0.0.1', targetIp: '10.0.0.2' } }));
    expect(arp).toStrictEqual(okFrame({ etherType: 0x0806 }));
    expect(parseFrame(buildFrame({ ...base, etherType: 0x88cc, length: 60 }))).toStrictEqual(okFrame({ etherType: 0x88cc }));
    expect(parseFrame(buildFrame({ ...base, etherType: 0x0026, length: 60 }))).toStrictEqual(okFrame({ etherType: 0x26 }));
  });
});

// ---- 2. generated frames ----------------------------------------------------------

/** The parse the rules predict for the first `n` bytes of the frame built from `spec`. */
function expectedParse(spec: FrameSpec, layout: FrameLayout, n: number): FrameParse {
  if (n < 14) return { status: 'malformed' };
  const tags = spec.vlans ?? [];
  for (const at of layout.vlanOffsets) if (n < at + 6) return { status: 'malformed' };
  const l4Number = spec.l4 === undefined ? undefined : L4_NUMBER[spec.l4.proto];
  const result: ParsedFrame = okFrame({
    dstMac: bytesToMac(macToBytes(spec.dst)),
    srcMac: bytesToMac(macToBytes(spec.src)),
    vlans: tags.map((t) => ({ tpid: t.tpid, id: t.id, pcp: t.pcp ?? 0, dei: t.dei ? 1 : 0 })),
    outerVlan: tags[0]?.id ?? -1,
    innerVlan: tags[1]?.id ?? -1,
    etherType:
      (spec.mpls ?? []).length > 0
        ? (spec.mplsEtherType ?? 0x8847)
        : spec.ipv4
          ? 0x0800
          : spec.ipv6
            ? 0x86dd
            : spec.arp
              ? 0x0806
              : spec.etherType!,
  });

  const labels = spec.mpls ?? [];
  if (labels.length > 0) {
    for (const [i, label] of labels.entries()) {
      if (n < layout.mplsOffsets[i]! + 4) return result;
      result.mplsLabels.push(label);
    }
    if (n <= layout.l3Offset) return result;
    if (spec.ipv4) result.etherType = 0x0800;
    else if (spec.ipv6) result.etherType = 0x86dd;
    else return result; // generated bare payloads never start with nibble 4 or 6
  }

  const ports = (protocol: number) => {
    if (!PORT_PROTOCOLS.has(protocol)) return;
    if (n < layout.l4Offset + 4) result.l4Truncated = true;
    else {
      result.sport = spec.l4!.sport;
      result.dport = spec.l4!.dport;
    }
  };

  if (spec.ipv4) {
    result.l3 = 'ipv4';
    if (n < layout.l3HeaderEnd) {
      result.l3Truncated = true;
      return result;
    }
    const ip = spec.ipv4;
    result.ipProto = ip.proto ?? l4Number ?? 253;
    result.srcIp = ip.src;
    result.dstIp = ip.dst;
    result.srcIpWords = [parseIpv4(ip.src), 0, 0, 0];
    result.dstIpWords = [parseIpv4(ip.dst), 0, 0, 0];
    if (ip.moreFragments || (ip.fragmentOffset ?? 0) !== 0) {
      result.fragment = true;
      return result;
    }
    ports(result.ipProto);
  } else if (spec.ipv6) {
    result.l3 = 'ipv6';
    if (n < layout.l3HeaderEnd) {
      result.l3Truncated = true;
      return result;
    }
    const ip = spec.ipv6;
    result.srcIp = ip.src;
    result.dstIp = ip.dst;
    result.srcIpWords = words(parseIpv6(ip.src));
    result.dstIpWords = words(parseIpv6(ip.dst));
    const chain = ip.extensionHeaders ?? [];
    const upper = ip.nextHeader ?? l4Number ?? 59;
    for (const [i, ext] of chain.entries()) {
      if (i === 8) {
        result.extChainTooLong = true;
        return result;
      }
      const at = layout.extensionOffsets[i]!;
      const length = ext.type === 44 ? 8 : (ext.lengthBytes ?? (ext.type === 51 ? 24 : 8));
      if (n < at + length) {
        result.l4Truncated = true;
        return result;
      }
      if (ext.type === 44 && ((ext.fragmentOffset ?? 0) !== 0 || ext.moreFragments)) {
        result.fragment = true;
        result.ipProto = chain[i + 1]?.type ?? upper;
        return result;
      }
    }
    result.ipProto = upper;
    ports(upper);
  }
  return result;
}

/** Parses every prefix of the built frame; returns the first mismatches. */
function mismatchesAtEveryLength(spec: FrameSpec, label: string): string[] {
  const { bytes, layout } = buildFrameWithLayout(spec);
  const problems: string[] = [];
  for (let n = 0; n <= bytes.length; n++) {
    const actual = parseFrame(bytes.subarray(0, n));
    const wanted = expectedParse(spec, layout, n);
    if (!isDeepStrictEqual(actual, wanted)) {
      problems.push(`${label} cut at ${n}: got ${show(actual)}, expected ${show(wanted)}`);
      if (problems.length >= 3) break;
    }
  }
  return problems;
}

function show(value: unknown): string {
  return JSON.stringify(value);
}

interface Encapsulation {
  name: string;
  vlans?: VlanTagSpec[];
  mpls?: number[];
  mplsEtherType?: 0x8847 | 0x8848;
}

const ENCAPSULATIONS: Encapsulation[] = [
  { name: 'untagged' },
  { name: '802.1Q', vlans: [{ tpid: 0x8100, id: 100, pcp: 3 }] },
  {
    name: 'QinQ 88a8+8100',
    vlans: [
      { tpid: 0x88a8, id: 200, pcp: 5, dei: true },
      { tpid: 0x8100, id: 4095 },
    ],
  },
  {
    name: 'triple tag',
    vlans: [
      { tpid: 0x88a8, id: 1 },
      { tpid: 0x9100, id: 2, pcp: 7 },
      { tpid: 0x8100, id: 0, dei: true },
    ],
  },
  { name: 'MPLS', mpls: [16] },
  { name: 'MPLS ×3 multicast', mpls: [0xfffff, 0, 300], mplsEtherType: 0x8848 },
  { name: '802.1Q + MPLS ×2', vlans: [{ tpid: 0x8100, id: 7 }], mpls: [42, 43] },
];

interface L3Variant {
  name: string;
  ipv4?: Ipv4Spec;
  ipv6?: Omit<Ipv6Spec, 'nextHeader'>;
  arp?: FrameSpec['arp'];
  etherType?: number;
  payload?: Uint8Array;
}

const V4 = { src: '10.1.2.3', dst: '172.16.254.1' };
const V6 = { src: '2001:db8:0:1::a', dst: 'ff02::1:ff00:a' };
const ext = (...types: Ipv6ExtensionSpec[]) => ({ ...V6, extensionHeaders: types });

const IP_VARIANTS: L3Variant[] = [
  { name: 'IPv4', ipv4: V4 },
  { name: 'IPv4 + 8 option bytes', ipv4: { ...V4, options: Uint8Array.of(7, 7, 4, 0, 0, 0, 0, 1) } },
  { name: 'IPv4 DF', ipv4: { ...V4, dontFragment: true } },
  { name: 'IPv4 first fragment', ipv4: { ...V4, moreFragments: true } },
  { name: 'IPv4 middle fragment', ipv4: { ...V4, moreFragments: true, fragmentOffset: 185 } },
  { name: 'IPv4 last fragment', ipv4: { ...V4, fragmentOffset: 370 } },
  { name: 'IPv6', ipv6: V6 },
  { name: 'IPv6 hop-by-hop', ipv6: ext({ type: 0 }) },
  {
    name: 'IPv6 HBH+routing+dstopts',
    ipv6: ext({ type: 0, lengthBytes: 16 }, { type: 43, lengthBytes: 24 }, { type: 60 }),
  },
  { name: 'IPv6 AH', ipv6: ext({ type: 51 }) },
  { name: 'IPv6 AH minimal + mobility', ipv6: ext({ type: 51, lengthBytes: 8 }, { type: 135, lengthBytes: 16 }) },
  { name: 'IPv6 atomic fragment', ipv6: ext({ type: 44 }) },
  { name: 'IPv6 first fragment', ipv6: ext({ type: 0 }, { type: 44, moreFragments: true, identification: 9 }) },
  { name: 'IPv6 later fragment', ipv6: ext({ type: 44, fragmentOffset: 100 }) },
  { name: 'IPv6 8 extension headers', ipv6: ext(...new Array<Ipv6ExtensionSpec>(8).fill({ type: 60 })) },
  {
    name: 'IPv6 9 extension headers',
    ipv6: ext({ type: 0 }, ...new Array<Ipv6ExtensionSpec>(7).fill({ type: 43 }), { type: 44 }),
  },
];

const OTHER_VARIANTS: L3Variant[] = [
  { name: 'ARP', arp: { operation: 2, senderIp: '10.0.0.1', targetIp: '10.0.0.2' } },
  { name: 'LLDP', etherType: 0x88cc, payload: Uint8Array.of(2, 7, 4) },
  { name: '802.3 length', etherType: 0x0040, payload: Uint8Array.of(0xaa, 0xaa, 3) },
];

const MPLS_BARE: L3Variant[] = [{ name: 'bare payload', payload: Uint8Array.of(0x00, 0x45, 0x60) }];

const L4_VARIANTS: (L4Spec | null)[] = [
  { proto: 'tcp', sport: 443, dport: 50000, tcpFlags: 0x12 },
  { proto: 'udp', sport: 4789, dport: 4789 },
  { proto: 'sctp', sport: 36412, dport: 36412 },
  null,
];

function combinations(): { label: string; spec: FrameSpec }[] {
  const out: { label: string; spec: FrameSpec }[] = [];
  for (const encapsulation of ENCAPSULATIONS) {
    const isMpls = (encapsulation.mpls ?? []).length > 0;
    const l3s = [...IP_VARIANTS, ...(isMpls ? MPLS_BARE : OTHER_VARIANTS)];
    for (const l3 of l3s) {
      const isIp = l3.ipv4 !== undefined || l3.ipv6 !== undefined;
      for (const l4 of isIp ? L4_VARIANTS : [null]) {
        const spec: FrameSpec = { dst: MAC_B, src: MAC_A };
        if (encapsulation.vlans) spec.vlans = encapsulation.vlans;
        if (encapsulation.mpls) spec.mpls = encapsulation.mpls;
        if (encapsulation.mplsEtherType) spec.mplsEtherType = encapsulation.mplsEtherType;
        if (l3.ipv4) spec.ipv4 = l4 ? l3.ipv4 : { ...l3.ipv4, proto: 1 };
        if (l3.ipv6) spec.ipv6 = l4 ? l3.ipv6 : { ...l3.ipv6, nextHeader: 58 };
        if (l3.arp) spec.arp = l3.arp;
        if (l3.etherType !== undefined) spec.etherType = l3.etherType;
        if (l3.payload) spec.payload = l3.payload;
        if (l4) spec.l4 = l4;
        out.push({ label: `${encapsulation.name} / ${l3.name} / ${l4?.proto ?? 'no L4'}`, spec });
      }
    }
  }
  return out;
}

describe('model parser: generated frames, every combination, every truncation', () => {
  const all = combinations();

  it('covers the combinations', () => {
    expect(all.length).toBeGreaterThan(400);
  });

  for (const encapsulation of ENCAPSULATIONS) {
    it(`${encapsulation.name}: every L3/L4 combination at every length, padded and not`, () => {
      const problems: string[] = [];
      let frames = 0;
      for (const { label, spec } of all) {
        if (!label.startsWith(`${encapsulation.name} /`)) continue;
        frames++;
        problems.push(...mismatchesAtEveryLength(spec, label));
        const { layout } = buildFrameWithLayout(spec);
        problems.push(...mismatchesAtEveryLength({ ...spec, length: layout.length + 23 }, `${label} +23 padding`));
      }
      expect(frames).toBeGreaterThan(30);
      expect(problems).toEqual([]);
    });
  }
});

// ---- property: random specs -------------------------------------------------------

const macArb = fc.uint8Array({ minLength: 6, maxLength: 6 });
const vlanArb: fc.Arbitrary<VlanTagSpec> = fc.record({
  tpid: fc.constantFrom(0x8100 as const, 0x88a8 as const, 0x9100 as const),
  id: fc.integer({ min: 0, max: 4095 }),
  pcp: fc.integer({ min: 0, max: 7 }),
  dei: fc.boolean(),
});
const ipv4TextArb = fc.integer({ min: 0, max: 0xffffffff }).map((value) => formatIpv4(value));
const ipv6TextArb = fc
  .array(fc.constantFrom(0, 0, 0, 1, 0xffff, 0x2001, 0xdb8, 0xfe80, 0xabcd), { minLength: 8, maxLength: 8 })
  .map((groups) => formatIpv6(Uint8Array.from(groups.flatMap((g) => [g >> 8, g & 0xff]))));
const extArb: fc.Arbitrary<Ipv6ExtensionSpec> = fc.oneof(
  fc.record({
    type: fc.constantFrom(0 as const, 43 as const, 60 as const, 135 as const),
    lengthBytes: fc.integer({ min: 1, max: 6 }).map((k) => 8 * k),
  }),
  fc.record({
    type: fc.constant(44 as const),
    fragmentOffset: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 8191 })),
    moreFragments: fc.boolean(),
  }),
  fc.record({ type: fc.constant(51 as const), lengthBytes: fc.integer({ min: 2, max: 12 }).map((k) => 4 * k) }),
);
const l4Arb: fc.Arbitrary<L4Spec | null> = fc.option(
  fc.record({
    proto: fc.constantFrom('tcp' as const, 'udp' as const, 'sctp' as const),
    sport: fc.integer({ min: 0, max: 0xffff }),
    dport: fc.integer({ min: 0, max: 0xffff }),
  }),
);
const l3Arb = fc.oneof(
  fc.record({
    kind: fc.constant('ipv4' as const),
    src: ipv4TextArb,
    dst: ipv4TextArb,
    optionWords: fc.integer({ min: 0, max: 10 }),
    moreFragments: fc.boolean(),
    fragmentOffset: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 8191 })),
    otherProto: fc.constantFrom(1, 2, 47, 50, 253),
  }),
  fc.record({
    kind: fc.constant('ipv6' as const),
    src: ipv6TextArb,
    dst: ipv6TextArb,
    chain: fc.array(extArb, { maxLength: 10 }),
    otherProto: fc.constantFrom(58, 59, 1, 4, 41),
  }),
  fc.record({ kind: fc.constant('other' as const), etherType: fc.constantFrom(0x0806, 0x88cc, 0x0042, 0x8864) }),
);

const specArb: fc.Arbitrary<FrameSpec> = fc
  .record({
    dst: macArb,
    src: macArb,
    vlans: fc.array(vlanArb, { maxLength: 4 }),
    mpls: fc.array(fc.integer({ min: 0, max: 0xfffff }), { maxLength: 3 }),
    l3: l3Arb,
    l4: l4Arb,
    padding: fc.integer({ min: 0, max: 40 }),
  })
  .map(({ dst, src, vlans, mpls, l3, l4, padding }) => {
    const spec: FrameSpec = { dst, src, vlans };
    if (mpls.length > 0 && l3.kind !== 'other') spec.mpls = mpls;
    if (l3.kind === 'ipv4') {
      spec.ipv4 = {
        src: l3.src,
        dst: l3.dst,
        options: new Uint8Array(4 * l3.optionWords).fill(1),
        moreFragments: l3.moreFragments,
        fragmentOffset: l3.fragmentOffset,
      };
      if (l4) spec.l4 = l4;
      else spec.ipv4.proto = l3.otherProto;
    } else if (l3.kind === 'ipv6') {
      spec.ipv6 = { src: l3.src, dst: l3.dst, extensionHeaders: l3.chain };
      if (l4) spec.l4 = l4;
      else spec.ipv6.nextHeader = l3.otherProto;
    } else {
      spec.etherType = l3.etherType;
    }
    const { layout } = buildFrameWithLayout(spec);
    spec.length = layout.length + padding;
    return spec;
  });

describe('model parser: random frame specs', () => {
  it('agrees with the rules for random specs cut at random lengths', () => {
    fc.assert(
      fc.property(specArb, fc.double({ min: 0, max: 1, noNaN: true }), (spec, fraction) => {
        const { bytes, layout } = buildFrameWithLayout(spec);
        const n = Math.floor(fraction * (bytes.length + 1)) % (bytes.length + 1);
        for (const length of [bytes.length, n]) {
          expect(parseFrame(bytes.subarray(0, length))).toStrictEqual(expectedParse(spec, layout, length));
        }
      }),
      { numRuns: 1500 },
    );
  });
});

// ---- address text -----------------------------------------------------------------

describe('address text as tshark prints it', () => {
  it('formats IPv6 like glibc inet_ntop (RFC 5952 compression, embedded IPv4 forms)', () => {
    const cases: [string, string][] = [
      ['0000:0000:0000:0000:0000:0000:0000:0000', '::'],
      ['0000:0000:0000:0000:0000:0000:0000:0001', '::1'],
      ['2001:0db8:0000:0000:0001:0000:0000:0001', '2001:db8::1:0:0:1'], // first of equal runs
      ['2001:0db8:0000:0001:0001:0001:0001:0001', '2001:db8:0:1:1:1:1:1'], // one zero group stays
      ['fe80:0000:0000:0000:c50d:519f:96a4:e108', 'fe80::c50d:519f:96a4:e108'],
      ['ff02:0000:0000:0000:0000:0001:ffd3:fbc2', 'ff02::1:ffd3:fbc2'],
      ['0000:0000:0000:0000:0000:ffff:0102:0304', '::ffff:1.2.3.4'],
      ['0000:0000:0000:0000:0000:0000:0102:0304', '::1.2.3.4'],
      ['0001:0000:0000:0000:0000:0000:0000:0000', '1::'],
      ['2001:0DB8:AAAA:BBBB:CCCC:DDDD:EEEE:0001', '2001:db8:aaaa:bbbb:cccc:dddd:eeee:1'],
    ];
    for (const [full, text] of cases) {
      const bytes = Uint8Array.from(full.split(':').flatMap((g) => [parseInt(g, 16) >> 8, parseInt(g, 16) & 0xff]));
      expect(formatIpv6(bytes), full).toBe(text);
      expect(Array.from(parseIpv6(text)), text).toEqual(Array.from(bytes));
    }
  });

  it('round-trips MACs and IPv4 and rejects malformed text', () => {
    expect(bytesToMac(macToBytes('AA-bb-0C-dd-ee-0F'))).toBe('aa:bb:0c:dd:ee:0f');
    expect(formatIpv4(parseIpv4('192.168.0.255'))).toBe('192.168.0.255');
    expect(() => macToBytes('aa:bb:cc:dd:ee')).toThrow(TypeError);
    expect(() => macToBytes([1, 2, 3, 4, 5, 256])).toThrow(TypeError);
    expect(() => parseIpv4('1.2.3.256')).toThrow(TypeError);
    expect(() => parseIpv4('01.2.3.4')).toThrow(TypeError);
    for (const bad of ['1::2::3', ':::', '1:2:3', '12345::', '::g', '1.2.3.4']) {
      expect(() => parseIpv6(bad), bad).toThrow(TypeError);
    }
  });

  it('property: formatIpv6 output parses back to the same bytes', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(0, 0, 0, 1, 0xffff, 0xabc), { minLength: 8, maxLength: 8 }),
        (groups) => {
          const bytes = Uint8Array.from(groups.flatMap((g) => [g >> 8, g & 0xff]));
          const text = formatIpv6(bytes);
          expect(Array.from(parseIpv6(text))).toEqual(Array.from(bytes));
          expect(text).toBe(text.toLowerCase());
          expect(text.split('::').length).toBeLessThanOrEqual(2);
        },
      ),
      { numRuns: 500 },
    );
  });
});

// ---- 3. real captures vs tshark -----------------------------------------------------

/**
 * Legitimate differences between the spec and tshark. Each is a narrow predicate
 * over one frame; a frame that differs and matches none of them is a failure.
 */
const TRUTH_EXCLUSIONS = {
  /** tshark decodes IP inside PPPoE (0x8864) etc.; rule 8 stops at those EtherTypes. */
  encapsulationNotInSpec: 'IP inside an EtherType the spec does not follow (e.g. PPPoE session 0x8864)',
  /** MPLS pseudowires carrying Ethernet (EoMPLS): tshark decodes the inner Ethernet, its VLANs and IP. */
  ethernetOverMpls: 'Ethernet inside MPLS (pseudowire): inner VLAN/IP seen by tshark only; our tags are a prefix',
  /** IPv6-in-IPv4 (proto 41) and IPv4/IPv6-in-IPv6: tshark lists the tunnelled header and its ports. */
  tunnelledIp: 'IP tunnelled in IP (proto 4/41): tshark shows the inner header and its ports',
  /** ICMP / ICMPv6 errors quote the offending packet; tshark shows that packet's ports. */
  icmpQuotedPorts: 'ports of the packet quoted inside an ICMP/ICMPv6 error',
  /** tshark reassembles IPv4 fragments and shows the ports on the last one (offset ≠ 0 there). */
  reassembledFragment: 'non-first IPv4 fragment where tshark shows ports of the reassembled datagram',
  /** ipv6.nxt is the fixed header's value; ours is the end of the extension chain. */
  ipv6ExtensionChain: 'ipv6.nxt names an extension header; ipProto is the upper layer after the chain',
} as const;
type ExclusionReason = keyof typeof TRUTH_EXCLUSIONS;

interface TruthComparison {
  frames: number;
  /** Frames whose every field compared with no exclusion applied. */
  fullyCompared: number;
  ipv4Compared: number;
  ipv6Compared: number;
  portsCompared: number;
  vlanFramesCompared: number;
  exclusions: Record<ExclusionReason, number>;
  problems: string[];
}

const EXTENSION_TYPES = new Set([0, 43, 44, 51, 60, 135]);

function firstOrUndefined<T>(values: T[]): T | undefined {
  return values[0];
}

function sameList(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((value, i) => value === b[i]);
}

function isPrefix(prefix: readonly number[], list: readonly number[]): boolean {
  return prefix.length <= list.length && prefix.every((value, i) => value === list[i]);
}

/** IPv4 fragment offset field of the frame's IP header (at the L3 offset the model reached). */
function ipv4FragmentOffset(data: Uint8Array, parsed: ParsedFrame): number {
  const l3 = 14 + 4 * parsed.vlans.length + 4 * parsed.mplsLabels.length;
  return ((data[l3 + 6]! << 8) | data[l3 + 7]!) & 0x1fff;
}

function compareWithTruth(name: string, data: Uint8Array, row: TruthRow, into: TruthComparison): void {
  const where = `${name} frame ${row.frameNumber}`;
  const problem = (text: string) => into.problems.push(`${where}: ${text}`);
  const reasons = new Set<ExclusionReason>(); // a frame counts once per reason
  const exclude = (reason: ExclusionReason) => reasons.add(reason);
  into.frames++;

  const parsed = parseFrame(data);
  if (parsed.status === 'malformed') {
    // Only frames too short for Ethernet; tshark then shows no Ethernet either.
    if (data.length >= 14) problem(`malformed at ${data.length} bytes`);
    if (row.ethSrc.length !== 0) problem('tshark decoded Ethernet in a frame we call malformed');
    return;
  }

  // Ethernet.
  if (parsed.srcMac !== row.ethSrc[0]) problem(`srcMac ${parsed.srcMac} vs eth.src ${row.ethSrc[0]}`);
  if (parsed.dstMac !== row.ethDst[0]) problem(`dstMac ${parsed.dstMac} vs eth.dst ${row.ethDst[0]}`);
  const innerEthernet = row.ethSrc.length > 1;

  // VLANs: 0x88a8 → ieee8021ad.id; 0x8100 and 0x9100 → vlan.* (Wireshark's 802.1Q dissector).
  const adTags = parsed.vlans.filter((tag) => tag.tpid === 0x88a8);
  const qTags = parsed.vlans.filter((tag) => tag.tpid !== 0x88a8);
  const columns: [number[], number[]][] = [
    [adTags.map((t) => t.id), row.adIds],
    [qTags.map((t) => t.id), row.vlanIds],
    [qTags.map((t) => t.pcp), row.vlanPriorities],
    [qTags.map((t) => t.dei), row.vlanDeis],
  ];
  if (innerEthernet && parsed.mplsLabels.length > 0 && parsed.l3 === null) {
    exclude('ethernetOverMpls');
    if (!columns.every(([ours, theirs]) => isPrefix(ours, theirs))) problem(`VLANs not a prefix: ${show(columns)}`);
  } else {
    if (!columns.every(([ours, theirs]) => sameList(ours, theirs))) problem(`VLANs differ: ${show(columns)}`);
    if (parsed.vlans.length > 0) into.vlanFramesCompared++;
  }

  // IPv4 and IPv6 addresses and protocol.
  const weFound = {
    ipv4: parsed.l3 === 'ipv4' && parsed.srcIp !== undefined,
    ipv6: parsed.l3 === 'ipv6' && parsed.srcIp !== undefined,
  };
  const tsharkHas = { ipv4: row.ipSrc.length > 0, ipv6: row.ipv6Src.length > 0 };
  if (weFound.ipv4) {
    if (parsed.srcIp !== row.ipSrc[0] || parsed.dstIp !== row.ipDst[0] || parsed.ipProto !== row.ipProto[0]) {
      problem(
        `IPv4 ${parsed.srcIp} > ${parsed.dstIp} proto ${parsed.ipProto} vs ${row.ipSrc} > ${row.ipDst} ${row.ipProto}`,
      );
    } else into.ipv4Compared++;
  }
  if (weFound.ipv6) {
    if (parsed.srcIp !== row.ipv6Src[0] || parsed.dstIp !== row.ipv6Dst[0]) {
      problem(`IPv6 ${parsed.srcIp} > ${parsed.dstIp} vs ${row.ipv6Src} > ${row.ipv6Dst}`);
    } else into.ipv6Compared++;
    const nxt = firstOrUndefined(row.ipv6Nxt);
    if (nxt !== undefined && EXTENSION_TYPES.has(nxt)) {
      exclude('ipv6ExtensionChain');
      if (parsed.ipProto === undefined || EXTENSION_TYPES.has(parsed.ipProto)) {
        problem(`extension chain not walked: ipProto ${parsed.ipProto}`);
      }
    } else if (parsed.ipProto !== nxt) problem(`ipProto ${parsed.ipProto} vs ipv6.nxt ${nxt}`);
  }
  const tunnelled = parsed.ipProto === 4 || parsed.ipProto === 41;
  for (const family of ['ipv4', 'ipv6'] as const) {
    if (!tsharkHas[family] || weFound[family]) continue;
    if (parsed.l3 === null && innerEthernet && parsed.mplsLabels.length > 0) exclude('ethernetOverMpls');
    else if (parsed.l3 === null && parsed.mplsLabels.length === 0) exclude('encapsulationNotInSpec');
    else if ((weFound.ipv4 || weFound.ipv6) && tunnelled) exclude('tunnelledIp');
    else problem(`tshark has ${family} (${family === 'ipv4' ? row.ipSrc : row.ipv6Src}), we found l3=${parsed.l3}`);
  }
  if (!tsharkHas.ipv4 && weFound.ipv4) problem('we found IPv4, tshark did not');
  if (!tsharkHas.ipv6 && weFound.ipv6) problem('we found IPv6, tshark did not');

  // Ports: the first TCP/UDP occurrence is the outermost transport header.
  const tsharkTcp = row.tcpSrcPort.length > 0;
  const tsharkUdp = row.udpSrcPort.length > 0;
  if (parsed.sport !== undefined) {
    const [src, dst] =
      parsed.ipProto === 6
        ? [row.tcpSrcPort, row.tcpDstPort]
        : parsed.ipProto === 17
          ? [row.udpSrcPort, row.udpDstPort]
          : [[], []];
    if (parsed.ipProto === 132) problem('SCTP ports: the truth has no SCTP columns (none expected in these captures)');
    else if (parsed.sport !== src[0] || parsed.dport !== dst[0]) {
      problem(`ports ${parsed.sport} > ${parsed.dport} (proto ${parsed.ipProto}) vs ${src} > ${dst}`);
    } else into.portsCompared++;
  } else if (tsharkTcp || tsharkUdp) {
    if (parsed.l3 === null) {
      // IP we do not reach: explained above by the same frame's IP exclusion.
      if (!reasons.has('ethernetOverMpls') && !reasons.has('encapsulationNotInSpec')) {
        problem('tshark has ports behind an L3 we do not reach, without an IP exclusion');
      }
    } else if (tunnelled) exclude('tunnelledIp');
    else if (parsed.ipProto === 1 || parsed.ipProto === 58) exclude('icmpQuotedPorts');
    else if (parsed.fragment && parsed.l3 === 'ipv4' && ipv4FragmentOffset(data, parsed) !== 0) {
      exclude('reassembledFragment');
    } else problem(`tshark has ports (tcp ${row.tcpSrcPort} udp ${row.udpSrcPort}), we have none: ${show(parsed)}`);
  }

  for (const reason of reasons) into.exclusions[reason]++;
  if (reasons.size === 0) into.fullyCompared++;
}

const comparisonCache = new Map<string, TruthComparison>();

function emptyComparison(): TruthComparison {
  const exclusions = {} as Record<ExclusionReason, number>;
  for (const reason of Object.keys(TRUTH_EXCLUSIONS) as ExclusionReason[]) exclusions[reason] = 0;
  return {
    frames: 0,
    fullyCompared: 0,
    ipv4Compared: 0,
    ipv6Compared: 0,
    portsCompared: 0,
    vlanFramesCompared: 0,
    exclusions,
    problems: [],
  };
}

function addComparisons(sum: TruthComparison, r: TruthComparison): TruthComparison {
  const exclusions = { ...sum.exclusions };
  for (const reason of Object.keys(exclusions) as ExclusionReason[]) exclusions[reason] += r.exclusions[reason];
  return {
    frames: sum.frames + r.frames,
    fullyCompared: sum.fullyCompared + r.fullyCompared,
    ipv4Compared: sum.ipv4Compared + r.ipv4Compared,
    ipv6Compared: sum.ipv6Compared + r.ipv6Compared,
    portsCompared: sum.portsCompared + r.portsCompared,
    vlanFramesCompared: sum.vlanFramesCompared + r.vlanFramesCompared,
    exclusions,
    problems: [...sum.problems, ...r.problems],
  };
}

function compareCapture(name: string): TruthComparison {
  const cached = comparisonCache.get(name);
  if (cached) return cached;
  const result = emptyComparison();
  const capture = readCapture(loadCapture(name));
  const truth = loadTruth(name);
  expect(capture.packets.length).toBe(truth.length);
  capture.packets.forEach((packet, i) => compareWithTruth(name, packet.data, truth[i]!, result));
  comparisonCache.set(name, result);
  return result;
}

describe.skipIf(!capturesPresent)(`model parser vs tshark truth (${capturesDir})`, () => {
  const names = capturesPresent ? listCaptures() : [];

  for (const name of names) {
    it(name, () => {
      const result = compareCapture(name);
      expect(result.problems.slice(0, 10)).toEqual([]);
    });
  }

  it('compares the large majority of frames in full, and every exclusion is narrow', () => {
    const total = names.map(compareCapture).reduce(addComparisons, emptyComparison());
    console.info(
      `model vs tshark: ${total.fullyCompared}/${total.frames} frames compared in full; ` +
        `IPv4 ${total.ipv4Compared}, IPv6 ${total.ipv6Compared}, ports ${total.portsCompared}, ` +
        `tagged ${total.vlanFramesCompared}; exclusions ${show(total.exclusions)}`,
    );
    expect(total.problems).toEqual([]);
    expect(total.frames).toBeGreaterThan(15000);
    expect(total.fullyCompared / total.frames).toBeGreaterThan(0.98);
    expect(total.ipv4Compared).toBeGreaterThan(14000);
    expect(total.ipv6Compared).toBeGreaterThan(300);
    expect(total.portsCompared).toBeGreaterThan(13000);
    expect(total.vlanFramesCompared).toBeGreaterThan(250);
    // Each exclusion stays a small, explained set (counts as of the manifest's captures).
    const excludedFrames = Object.values(total.exclusions).reduce((a, b) => a + b, 0);
    expect(excludedFrames).toBeLessThan(0.02 * total.frames);
    for (const [reason, count] of Object.entries(total.exclusions)) {
      expect(count, `${reason}: ${TRUTH_EXCLUSIONS[reason as ExclusionReason]}`).toBeLessThan(100);
    }
  });
});
