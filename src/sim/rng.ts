// rng.ts — the simulator's seeded pseudo-random generator: sfc32.
//
// sfc32 is Chris Doty-Humphrey's "Small Fast Counting" generator (PractRand,
// 2010s): 128 bits of state (three 32-bit words a, b, c and a 32-bit counter),
// one output per step:
//     t = a + b + counter;  counter += 1
//     a = b ^ (b >>> 9);    b = c + (c << 3)
//     c = rotl(c, 21) + t;  return t
// all arithmetic mod 2^32. The counter guarantees a period of at least 2^32;
// the expected period is about 2^127. It passes PractRand and BigCrush, and
// every operation is an exact 32-bit integer operation in JavaScript, so the
// same seed gives the same stream bit for bit in Node and every browser.
// Seeding: (a, b, c) = (0, seed_lo, seed_hi), counter = 1, then 12 steps are
// discarded (the warm-up PractRand uses). Written from that description.
//
// Units: none (raw u32, or floats in [0, 1)). Cost: O(1) per draw, no allocation.

export class Rng {
  private a = 0;
  private b = 0;
  private c = 0;
  private counter = 1;

  /** seed: any integer; the low 53 bits are used (two 32-bit words). */
  constructor(seed: number) {
    const s = Math.abs(Math.trunc(seed));
    this.b = s >>> 0;
    this.c = Math.floor(s / 4294967296) >>> 0;
    for (let i = 0; i < 12; i++) this.nextU32();
  }

  /** Next raw 32-bit output. */
  nextU32(): number {
    const t = (((this.a + this.b) | 0) + this.counter) | 0;
    this.counter = (this.counter + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (((this.c << 21) | (this.c >>> 11)) + t) | 0;
    return t >>> 0;
  }

  /** Uniform float in [0, 1) with 32 bits of resolution. */
  next(): number {
    return this.nextU32() / 4294967296;
  }

  /** Uniform integer in [min, max] (inclusive). */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** Exponentially distributed value with the given mean (inverse transform; never 0 or Infinity). */
  exponential(mean: number): number {
    return -Math.log(1 - this.next() * 0.9999999999) * mean;
  }

  /** A new independent generator derived from this one (for per-VM streams). */
  fork(): Rng {
    return new Rng(this.nextU32() * 2097152 + (this.nextU32() & 0x1fffff));
  }
}
