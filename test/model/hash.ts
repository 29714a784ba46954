/**
 * Reference flow hash: the oracle for the Wasm core's per-frame hash.
 *
 * Owns: turning a parse result of test/model/parse.ts into the u32 flow hash
 * documented in assembly/parse.ts's header, for the three teaming hash modes.
 * Written from that documentation, not from the core's code:
 *   mix(h, x) = y ^ (y >>> 15) with y = (h ^ x) · 0x9e3779b1   (u32 arithmetic)
 *   fin(h)    = MurmurHash3's fmix32 (Appleby 2008)
 *   l2    = fin(seed ⊕ srcMacHi16, srcMacLo32, dstMacHi16, dstMacLo32), folded with mix
 *   l2+3  = the l2 words, then srcIp[0..3], dstIp[0..3] (IPv4 as [addr, 0, 0, 0]),
 *           when an IP header was parsed; else l2
 *   l3+4  = seed, srcIp[0..3], dstIp[0..3], proto, (sport << 16 | dport) when the
 *           ports were parsed; frames without IP fall back to l2
 * "IP header parsed" = the model has the addresses (srcIpWords). `proto` is the
 * model's ipProto; the model has none when an IPv6 extension chain is cut or
 * too long, and the documentation does not say what is mixed then: this oracle
 * mixes 0 (see the report in classify-captures.test.ts). All multiplications
 * use Math.imul so the arithmetic is exactly u32. Cost: O(1) per frame.
 */

import type { FrameParse } from './parse.js';

export type HashMode = 'l2' | 'l2+3' | 'l3+4';
export const HASH_SEED = 0x811c9dc5;

export function mix(h: number, x: number): number {
  const y = Math.imul((h ^ x) >>> 0, 0x9e3779b1) >>> 0;
  return (y ^ (y >>> 15)) >>> 0;
}

export function fin(h: number): number {
  h = (h ^ (h >>> 16)) >>> 0;
  h = Math.imul(h, 0x85ebca6b) >>> 0;
  h = (h ^ (h >>> 13)) >>> 0;
  h = Math.imul(h, 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

/** [hi16, lo32] of 'aa:bb:cc:dd:ee:ff'. */
function macWords(mac: string): [number, number] {
  const b = mac.split(':').map((x) => parseInt(x, 16));
  return [((b[0]! << 8) | b[1]!) >>> 0, ((b[2]! << 24) | (b[3]! << 16) | (b[4]! << 8) | b[5]!) >>> 0];
}

/** The flow hash of a parsed frame; null for a malformed frame (the core computes none). */
export function flowHash(p: FrameParse, mode: HashMode): number | null {
  if (p.status === 'malformed') return null;
  const [srcHi, srcLo] = macWords(p.srcMac);
  const [dstHi, dstLo] = macWords(p.dstMac);
  const l2 = mix(mix(mix(mix(HASH_SEED, srcHi), srcLo), dstHi), dstLo);
  if (mode === 'l2' || !p.srcIpWords || !p.dstIpWords) return fin(l2);
  if (mode === 'l2+3') {
    let h = l2;
    for (const w of p.srcIpWords) h = mix(h, w);
    for (const w of p.dstIpWords) h = mix(h, w);
    return fin(h);
  }
  let h = HASH_SEED;
  for (const w of p.srcIpWords) h = mix(h, w);
  for (const w of p.dstIpWords) h = mix(h, w);
  h = mix(h, p.ipProto ?? 0);
  if (p.sport !== undefined && p.dport !== undefined) h = mix(h, ((p.sport << 16) | p.dport) >>> 0);
  return fin(h);
}
