// series.ts — a growable array of per-interval sums (bytes per interval).
//
// Indexed by interval number; reads beyond the end are 0. Storage doubles when
// a later interval is touched, so adding is O(1) amortised with no allocation
// on the steady path. Units are the caller's (bytes here).

export class IntervalSums {
  private data = new Float64Array(64);

  add(interval: number, v: number): void {
    if (interval >= this.data.length) {
      let size = this.data.length * 2;
      while (size <= interval) size *= 2;
      const d = new Float64Array(size);
      d.set(this.data);
      this.data = d;
    }
    this.data[interval]! += v;
  }

  get(interval: number): number {
    return interval < this.data.length ? this.data[interval]! : 0;
  }
}
