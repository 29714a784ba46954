/**
 * The capture reader against real captures and tshark's ground truth.
 *
 * For every capture in ../shared/data/pcaps (skipped with a warning when absent):
 * the file is the one MANIFEST.tsv names (SHA-256), format / link type / snaplen /
 * packet count agree with the manifest; frame count, frame.len (originalLength),
 * frame.cap_len (capturedLength) and eth.src / eth.dst of every frame agree with
 * tshark. tshark's TSV has no time column, so timestamps are checked by (1) an
 * independent minimal decoder written here, which must give the same time for every
 * record, and (2) order: times never go backwards except in the captures listed in
 * KNOWN_BACKWARD_STEPS, which really are so, and there only by the known number of
 * steps, each under a second.
 */

import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { bytesToMac } from '../src/frames/build.js';
import { readCapture } from '../src/pcap/reader.js';
import {
  capturesDir,
  capturesPresent,
  listCaptures,
  loadCapture,
  loadManifest,
  loadTruth,
  warnIfCapturesAbsent,
} from './support/captures.js';

warnIfCapturesAbsent('pcap-truth');

/**
 * Captures whose records are not in time order on disk (found by inspection: the
 * Zeek community-id trace has two frames stamped ~150 µs before their predecessor).
 */
const KNOWN_BACKWARD_STEPS: Record<string, number> = { 'zeek_communityid_tcp.pcap': 2 };

/**
 * Record timestamps decoded without the reader: classic pcap µs/ns records, or
 * pcapng EPBs with the IDB's if_tsresol (10^-n form) — all the real files use.
 */
function independentTimestamps(file: Uint8Array): bigint[] {
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const times: bigint[] = [];
  const magic = view.getUint32(0, true);
  if (magic === 0xa1b2c3d4 || magic === 0xa1b23c4d) {
    const fractionNs = magic === 0xa1b2c3d4 ? 1000n : 1n;
    for (let at = 24; at < file.length; at += 16 + view.getUint32(at + 8, true)) {
      times.push(BigInt(view.getUint32(at, true)) * 1_000_000_000n + BigInt(view.getUint32(at + 4, true)) * fractionNs);
    }
    return times;
  }
  expect(magic, 'the real captures are little-endian pcap or pcapng').toBe(0x0a0d0d0a);
  const nsPerTick: bigint[] = [];
  for (let at = 0; at < file.length; at += view.getUint32(at + 4, true)) {
    const type = view.getUint32(at, true);
    const end = at + view.getUint32(at + 4, true) - 4;
    if (type === 1) {
      let exponent = 6n;
      for (let option = at + 16; option + 4 <= end; ) {
        const code = view.getUint16(option, true);
        const length = view.getUint16(option + 2, true);
        if (code === 0) break;
        if (code === 9) exponent = BigInt(view.getUint8(option + 4));
        option += 4 + Math.ceil(length / 4) * 4;
      }
      expect(exponent <= 9n).toBe(true);
      nsPerTick.push(10n ** (9n - exponent));
    } else if (type === 6) {
      const ticks = (BigInt(view.getUint32(at + 12, true)) << 32n) | BigInt(view.getUint32(at + 16, true));
      times.push(ticks * nsPerTick[view.getUint32(at + 8, true)]!);
    }
    expect(type === 3 || type === 2, 'the real captures have no SPB/OPB').toBe(false);
  }
  return times;
}

describe.skipIf(!capturesPresent)(`reader vs tshark truth (${capturesDir})`, () => {
  const manifest = capturesPresent ? loadManifest() : [];
  const names = capturesPresent ? listCaptures() : [];

  it('has captures to check', () => {
    expect(names.length).toBeGreaterThanOrEqual(20);
    expect(new Set(names.map((name) => (name.endsWith('.pcapng') ? 'pcapng' : 'pcap')))).toEqual(
      new Set(['pcap', 'pcapng']),
    );
  });

  for (const entry of manifest) {
    const name = entry.file;
    it(name, () => {
      const bytes = loadCapture(name);
      expect(createHash('sha256').update(bytes).digest('hex'), 'file differs from MANIFEST.tsv').toBe(entry.sha256);
      expect(bytes.length).toBe(Number(entry.bytes));

      const capture = readCapture(bytes);
      const truth = loadTruth(name);
      expect(capture.format).toBe(entry.format);
      expect(capture.interfaces.length).toBeGreaterThanOrEqual(1);
      for (const iface of capture.interfaces) expect(`${iface.linkType}/ether`).toBe(entry.linktype);
      if (entry.format === 'pcap') expect(String(capture.interfaces[0]!.snapLength)).toBe(entry.snaplen);
      expect(capture.packets.length).toBe(Number(entry.packets));
      expect(capture.packets.length).toBe(truth.length);

      capture.packets.forEach((packet, i) => {
        const row = truth[i]!;
        const where = `${name} frame ${row.frameNumber}`;
        expect(packet.index + 1, where).toBe(row.frameNumber);
        expect(packet.originalLength, `${where} frame.len`).toBe(row.frameLen);
        expect(packet.capturedLength, `${where} frame.cap_len`).toBe(row.capLen);
        expect(packet.data.length, where).toBe(packet.capturedLength);
        if (packet.capturedLength >= 14) {
          expect(bytesToMac(packet.data, 6), `${where} eth.src`).toBe(row.ethSrc[0]);
          expect(bytesToMac(packet.data, 0), `${where} eth.dst`).toBe(row.ethDst[0]);
        } else {
          // Too short for an Ethernet header: tshark shows no Ethernet fields either.
          expect(row.ethSrc, where).toEqual([]);
        }
      });

      const times = capture.packets.map((packet) => packet.timestampNs);
      expect(times, 'timestamps vs an independent decode').toEqual(independentTimestamps(bytes));
      expect(capture.packets.every((packet) => packet.hasTimestamp)).toBe(true);
      let backward = 0;
      for (let i = 1; i < times.length; i++) {
        if (times[i]! < times[i - 1]!) {
          backward++;
          expect(times[i - 1]! - times[i]!, `${name}: step back at frame ${i + 1}`).toBeLessThan(1_000_000_000n);
        }
      }
      expect(backward, `${name}: frames stamped earlier than their predecessor`).toBe(KNOWN_BACKWARD_STEPS[name] ?? 0);
    });
  }
});
