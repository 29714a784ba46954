// histogram.ts — a log-bucket histogram of queue delays (ns) for p50/p99/max.
//
// Buckets: values below 8 ns each have their own bucket; above, every power of
// two [2^e, 2^(e+1)) is split into 8 equal sub-buckets, so a reported
// percentile is within 12.5% of the true value (HdrHistogram's idea with 3
// significant bits). Range 0 .. 2^48 ns (3.2 days); larger values land in the
// last bucket. The exact max, count and sum are kept beside the buckets.
// Cost: O(1) per record (clz32, no allocation), O(buckets) per percentile.

const SUB_BITS = 3;
const SUB = 1 << SUB_BITS;       // sub-buckets per octave
const MAX_EXP = 48;              // values up to 2^48 ns
export const HISTOGRAM_BUCKETS = SUB + (MAX_EXP - SUB_BITS) * SUB;

/** Bucket index of a value (ns, a non-negative number). */
export function bucketOf(v: number): number {
  if (v < SUB) return v < 0 ? 0 : Math.floor(v);
  if (v < 2147483648) {
    // the common case, integer arithmetic only
    const x = v | 0;
    const e = 31 - Math.clz32(x);
    return SUB + (e - SUB_BITS) * SUB + ((x >>> (e - SUB_BITS)) - SUB);
  }
  const e = Math.floor(Math.log2(v));
  if (e >= MAX_EXP) return HISTOGRAM_BUCKETS - 1;
  const sub = Math.min(SUB - 1, Math.floor(v / 2 ** (e - SUB_BITS)) - SUB); // 0..7
  return SUB + (e - SUB_BITS) * SUB + sub;
}

/** Upper bound (exclusive, ns) of bucket i. */
export function bucketUpper(i: number): number {
  if (i < SUB) return i + 1;
  const k = i - SUB;
  const e = SUB_BITS + Math.floor(k / SUB);
  const sub = k % SUB;
  return (SUB + sub + 1) * 2 ** (e - SUB_BITS);
}

export class DelayHistogram {
  readonly buckets = new Float64Array(HISTOGRAM_BUCKETS); // counts per bucket
  count = 0;
  sumNs = 0;
  maxNs = 0;

  record(ns: number): void {
    this.buckets[bucketOf(ns)]!++;
    this.count++;
    this.sumNs += ns;
    if (ns > this.maxNs) this.maxNs = ns;
  }

  /** The q-quantile (0..1) in ns: the upper bound of the bucket holding it (at most the max; exact below 8 ns). 0 when empty. */
  quantile(q: number): number {
    if (this.count === 0) return 0;
    const rank = Math.max(1, Math.ceil(q * this.count));
    let acc = 0;
    for (let i = 0; i < HISTOGRAM_BUCKETS; i++) {
      acc += this.buckets[i]!;
      // exact buckets (below 8 ns) report their value, the others their upper bound (at most the max)
      if (acc >= rank) return i < SUB ? i : Math.min(bucketUpper(i), this.maxNs);
    }
    return this.maxNs;
  }

  get meanNs(): number {
    return this.count ? this.sumNs / this.count : 0;
  }

  /** Adds every count of `other` into this one. O(buckets). */
  merge(other: DelayHistogram): void {
    for (let i = 0; i < HISTOGRAM_BUCKETS; i++) this.buckets[i]! += other.buckets[i]!;
    this.count += other.count;
    this.sumNs += other.sumNs;
    if (other.maxNs > this.maxNs) this.maxNs = other.maxNs;
  }

  reset(): void {
    this.buckets.fill(0); this.count = 0; this.sumNs = 0; this.maxNs = 0;
  }
}
