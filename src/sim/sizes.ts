// sizes.ts — packet size distributions of the simulator's traffic sources.
//
// Sizes are frame bytes as a host hands them to the scheduler: Ethernet header
// and payload, no FCS (the NIC model adds FCS, preamble and IFG as wire
// overhead). Kinds:
//   fixed    every frame `bytes` long;
//   uniform  integer uniform in [min, max];
//   imix     the "simple IMIX" of 7 : 4 : 1 frames of 64, 594 and 1518 bytes on
//            the wire, i.e. 60, 590 and 1514 frame bytes without FCS;
//   mix      any weighted list of sizes.
// Cost: O(1) per draw (mix: O(entries), a handful), no allocation.

import type { Rng } from './rng.js';

export type SizeSpec =
  | { kind: 'fixed'; bytes: number }
  | { kind: 'uniform'; minBytes: number; maxBytes: number }
  | { kind: 'imix' }
  | { kind: 'mix'; entries: { bytes: number; weight: number }[] };

export const IMIX_ENTRIES = [
  { bytes: 60, weight: 7 },
  { bytes: 590, weight: 4 },
  { bytes: 1514, weight: 1 },
] as const;

/** Draws frame sizes; `meanBytes` is the distribution's mean (bytes). */
export class SizeSampler {
  readonly meanBytes: number;
  readonly maxBytes: number;
  private readonly fixed: number;      // bytes, or 0 when not fixed
  private readonly min: number;        // bytes (uniform)
  private readonly span: number;       // bytes (uniform: max - min + 1), 0 otherwise
  private readonly sizes: Float64Array;   // bytes (mix)
  private readonly cumulative: Float64Array; // cumulative weight, normalised to 1 (mix)

  constructor(spec: SizeSpec) {
    this.fixed = 0; this.min = 0; this.span = 0;
    this.sizes = new Float64Array(0); this.cumulative = new Float64Array(0);
    switch (spec.kind) {
      case 'fixed':
        this.fixed = spec.bytes; this.meanBytes = spec.bytes; this.maxBytes = spec.bytes;
        break;
      case 'uniform':
        this.min = spec.minBytes; this.span = spec.maxBytes - spec.minBytes + 1;
        this.meanBytes = (spec.minBytes + spec.maxBytes) / 2; this.maxBytes = spec.maxBytes;
        break;
      default: {
        const entries = spec.kind === 'imix' ? IMIX_ENTRIES : spec.entries;
        const total = entries.reduce((s, e) => s + e.weight, 0);
        this.sizes = Float64Array.from(entries, (e) => e.bytes);
        let acc = 0;
        this.cumulative = Float64Array.from(entries, (e) => (acc += e.weight / total));
        this.cumulative[this.cumulative.length - 1] = 1;
        this.meanBytes = entries.reduce((s, e) => s + (e.bytes * e.weight) / total, 0);
        this.maxBytes = Math.max(...entries.map((e) => e.bytes));
      }
    }
  }

  /** Next frame size in bytes. */
  next(rng: Rng): number {
    if (this.fixed) return this.fixed;
    if (this.span) return this.min + Math.floor(rng.next() * this.span);
    const u = rng.next();
    const c = this.cumulative;
    for (let i = 0; i < c.length; i++) if (u < c[i]!) return this.sizes[i]!;
    return this.sizes[c.length - 1]!;
  }
}
