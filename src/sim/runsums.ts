// runsums.ts — per-VM sums (frames, bytes) over a run of packets, applied to
// the VM records once per run instead of once per packet.
//
// The simulator's per-packet loops (a NIC's completions, a batch the engine
// took whole) add each packet here by VM record index; afterwards the caller
// walks `touched` (each record once, in first-touch order), applies
// `packets[r]` / `bytes[r]` to its counters and calls clear(). Every value is
// a whole number far below 2^53, so one sum per run equals the per-packet
// additions exactly.
//
// Units: frames, bytes. Cost: O(1) per packet, O(records touched) per run; no
// allocation except when a VM record is added (columns grow by doubling).

export class RunSums {
  /** Frames per VM record in this run. */
  packets = new Float64Array(16);
  /** Bytes per VM record in this run. */
  bytes = new Float64Array(16);
  /** Record indices with a non-zero sum, in first-touch order: [0, count). */
  touched = new Uint32Array(16);
  count = 0;

  /** Makes room for record indices below `records`. */
  ensure(records: number): void {
    if (records <= this.packets.length) return;
    let size = this.packets.length;
    while (size < records) size *= 2;
    const p = new Float64Array(size), b = new Float64Array(size), t = new Uint32Array(size);
    p.set(this.packets); b.set(this.bytes); t.set(this.touched);
    this.packets = p; this.bytes = b; this.touched = t;
  }

  /** Adds `frames` frames of `bytes` bytes in all to record `rec`. */
  add(rec: number, frames: number, bytes: number): void {
    if (this.packets[rec] === 0) this.touched[this.count++] = rec;
    this.packets[rec]! += frames;
    this.bytes[rec]! += bytes;
  }

  /** Zeroes the sums of the touched records. */
  clear(): void {
    const t = this.touched, p = this.packets, b = this.bytes;
    for (let k = 0; k < this.count; k++) { const r = t[k]!; p[r] = 0; b[r] = 0; }
    this.count = 0;
  }
}
