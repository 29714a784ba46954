/**
 * Test support: the shared real captures and their tshark ground truth.
 *
 * Owns: locating ../shared/data/pcaps relative to the repository, listing the
 * captures named in MANIFEST.tsv, loading a capture's bytes, and parsing its
 * FILE.tshark.tsv into typed rows. The folder is optional: when it is absent,
 * `capturesPresent` is false and suites skip with `skipMessage`. Captures are read
 * in place, never copied into the project.
 *
 * The TSV comes from `tshark -T fields -E occurrence=a -E aggregator=,`: a field that
 * occurs several times in a frame (inner headers of tunnels, ICMP errors, stacked
 * VLAN tags, encapsulated Ethernet) is comma-joined in order of appearance, so every
 * field below is an array in that order; an absent field is an empty array.
 */

import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (this file lives in test/support/). */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Absolute path of the shared captures folder. */
export const capturesDir = path.resolve(repoRoot, '../shared/data/pcaps');

/** True when the captures folder and its manifest exist. */
export const capturesPresent = existsSync(path.join(capturesDir, 'MANIFEST.tsv'));

/** Why capture-based suites are skipped. */
export const skipMessage =
  `real captures not found at ${capturesDir} (expected MANIFEST.tsv there); ` + 'skipping the tests that need them';

/** Logs skipMessage once per calling suite when the captures are absent. */
export function warnIfCapturesAbsent(suite: string): void {
  if (!capturesPresent) console.warn(`[${suite}] ${skipMessage}`);
}

/** One row of MANIFEST.tsv, by column name. */
export type ManifestEntry = Record<string, string> & { file: string };

/** All rows of MANIFEST.tsv. */
export function loadManifest(): ManifestEntry[] {
  const [header, ...rows] = readLines(path.join(capturesDir, 'MANIFEST.tsv'));
  const columns = header!.split('\t');
  return rows.map((row) => {
    const cells = row.split('\t');
    const entry: Record<string, string> = {};
    columns.forEach((column, i) => {
      entry[column] = cells[i] ?? '';
    });
    return entry as ManifestEntry;
  });
}

/** File names of the captures, in manifest order. */
export function listCaptures(): string[] {
  return loadManifest().map((entry) => entry.file);
}

/** The bytes of one capture. */
export function loadCapture(name: string): Uint8Array {
  const buffer = readFileSync(path.join(capturesDir, name));
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}

/** One frame of tshark's output. Ports, ids and protocol numbers are numbers. */
export interface TruthRow {
  frameNumber: number;
  /** frame.len: bytes on the wire. */
  frameLen: number;
  /** frame.cap_len: bytes captured. */
  capLen: number;
  /** eth.src / eth.dst, lower case; several when Ethernet is encapsulated. */
  ethSrc: string[];
  ethDst: string[];
  /** eth.type values. */
  ethType: number[];
  /** ieee8021ad.id: ids of 0x88a8 tags. */
  adIds: number[];
  /** vlan.id / vlan.priority / vlan.dei: 802.1Q (0x8100) tags. */
  vlanIds: number[];
  vlanPriorities: number[];
  vlanDeis: number[];
  ipSrc: string[];
  ipDst: string[];
  ipProto: number[];
  ipv6Src: string[];
  ipv6Dst: string[];
  /** ipv6.nxt: the fixed IPv6 header's next-header field. */
  ipv6Nxt: number[];
  tcpSrcPort: number[];
  tcpDstPort: number[];
  udpSrcPort: number[];
  udpDstPort: number[];
  arpOpcode: number[];
  arpSrcHwMac: string[];
  arpSrcProtoIpv4: string[];
}

const TRUTH_COLUMNS = [
  'frame.number',
  'frame.len',
  'frame.cap_len',
  'eth.src',
  'eth.dst',
  'eth.type',
  'ieee8021ad.id',
  'vlan.id',
  'vlan.priority',
  'vlan.dei',
  'ip.src',
  'ip.dst',
  'ip.proto',
  'ipv6.src',
  'ipv6.dst',
  'ipv6.nxt',
  'tcp.srcport',
  'tcp.dstport',
  'udp.srcport',
  'udp.dstport',
  'arp.opcode',
  'arp.src.hw_mac',
  'arp.src.proto_ipv4',
] as const;

/** Parses FILE.tshark.tsv of capture `name`; throws if its header is not the expected one. */
export function loadTruth(name: string): TruthRow[] {
  const file = path.join(capturesDir, `${name}.tshark.tsv`);
  const [header, ...rows] = readLines(file);
  if (header !== TRUTH_COLUMNS.join('\t')) {
    throw new Error(`${file}: unexpected header ${JSON.stringify(header)}`);
  }
  return rows.map((row, line) => {
    const cells = row.split('\t');
    const get = (column: (typeof TRUTH_COLUMNS)[number]): string => cells[TRUTH_COLUMNS.indexOf(column)] ?? '';
    const text = (column: (typeof TRUTH_COLUMNS)[number]): string[] => {
      const cell = get(column);
      return cell === '' ? [] : cell.split(',');
    };
    const numbers = (column: (typeof TRUTH_COLUMNS)[number]): number[] =>
      text(column).map((value) => {
        const parsed = Number(value); // accepts decimal and 0x-prefixed hex
        if (!Number.isFinite(parsed)) throw new Error(`${file}:${line + 2}: ${column} '${value}' is not a number`);
        return parsed;
      });
    const single = (column: (typeof TRUTH_COLUMNS)[number]): number => {
      const values = numbers(column);
      if (values.length !== 1) throw new Error(`${file}:${line + 2}: expected one ${column}, got '${get(column)}'`);
      return values[0]!;
    };
    return {
      frameNumber: single('frame.number'),
      frameLen: single('frame.len'),
      capLen: single('frame.cap_len'),
      ethSrc: text('eth.src'),
      ethDst: text('eth.dst'),
      ethType: numbers('eth.type'),
      adIds: numbers('ieee8021ad.id'),
      vlanIds: numbers('vlan.id'),
      vlanPriorities: numbers('vlan.priority'),
      vlanDeis: numbers('vlan.dei'),
      ipSrc: text('ip.src'),
      ipDst: text('ip.dst'),
      ipProto: numbers('ip.proto'),
      ipv6Src: text('ipv6.src'),
      ipv6Dst: text('ipv6.dst'),
      ipv6Nxt: numbers('ipv6.nxt'),
      tcpSrcPort: numbers('tcp.srcport'),
      tcpDstPort: numbers('tcp.dstport'),
      udpSrcPort: numbers('udp.srcport'),
      udpDstPort: numbers('udp.dstport'),
      arpOpcode: numbers('arp.opcode'),
      arpSrcHwMac: text('arp.src.hw_mac'),
      arpSrcProtoIpv4: text('arp.src.proto_ipv4'),
    };
  });
}

function readLines(file: string): string[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .map((line) => line.replace(/\r$/, ''))
    .filter((line) => line !== '');
}
