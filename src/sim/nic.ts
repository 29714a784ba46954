// nic.ts — the simulator's model of one physical NIC: a TX ring that drains
// at link speed and reports completions in coalesced batches.
//
// Every packet the scheduler hands to the NIC is appended to one FIFO, in
// release order (the order the engine's own in-flight FIFO has). The first
// `txRingPackets` entries not yet completed hold a hardware descriptor and are
// transmitted back to back: a frame starts when the previous one finished (or
// when it was handed over, if the link was idle) and takes
// (frame bytes + wireOverheadBytes) · 8 / speed seconds. Entries beyond the
// ring wait (still "in flight" for the engine) until completions free
// descriptors. Completions are reported like a NIC with interrupt moderation
// (Intel ITR, ethtool tx-usecs) or a poll-mode driver: at the first tick of a
// periodic timer (multiples of `txCoalesceNs` since time 0) after a frame
// finished, or earlier once `txCoalesceFrames` frames have finished (ethtool
// tx-frames; 0 = timer only); everything finished by then is reported
// together. NICs with the same period report at the same instants, which the
// simulator handles in one step.
//
// Units: times ns (float64: fractional ns are kept so the link rate is exact;
// event times are rounded up to whole ns), sizes bytes, speed bit/s.
// Cost: O(1) amortised per packet; storage grows by doubling, never on a
// steady-state path. The next report time is cached between changes (the
// simulator asks for it at least twice per event).

export interface NicModelParams {
  speedBps: number;
  /** Bytes added per frame on the wire: FCS 4 + preamble 8 + IFG 12 = 24 by default. */
  wireOverheadBytes: number;
  /** Hardware TX descriptors (frames). */
  txRingPackets: number;
  /** Report completions once this many frames finished (ethtool tx-frames); 0 = only by time. */
  txCoalesceFrames: number;
  /** Completion timer period (ns; ethtool tx-usecs). 0 = report every frame as it finishes. */
  txCoalesceNs: number;
  /** The engine's in-flight limit for this NIC (bytes): it releases to the NIC only below it. */
  inFlightLimitBytes: number;
}

export class NicModel {
  readonly params: NicModelParams;
  up: boolean;
  /** Removed from the team (kept down for good). */
  removed = false;
  /** ns per byte on the wire (8e9 / speed). */
  private readonly nsPerByte: number;
  // params copied into own fields: push runs once per packet
  private readonly ringPackets: number;   // frames (txRingPackets)
  private readonly overheadBytes: number; // bytes (wireOverheadBytes)
  // FIFO columns, indexed by (position & mask); positions head <= sched <= tail.
  // Public for reading only: the simulator's completion walk reads them in place
  // (a call per field per packet costs more than the walk itself).
  handles: Uint32Array;
  lengths: Uint32Array;   // frame bytes
  finishes: Float64Array; // ns, valid for [head, sched)
  mask: number;
  /** Oldest entry not yet completed. */
  head = 0;
  /** First entry without a descriptor (not yet scheduled on the wire). */
  private sched = 0;
  /** One past the newest entry with a finish time (entries [head, scheduled) are on the wire). */
  get scheduled(): number { return this.sched; }
  /** One past the newest entry. */
  tail = 0;
  /** When the last scheduled frame leaves the wire (ns). */
  private busyUntilNs = 0;
  /** Frame bytes handed over and not yet completed (the engine's in-flight bytes). */
  inFlightBytes = 0;
  /** nextCompletionNs() as last computed (ns); NaN when the FIFO changed since. */
  private reportNs = NaN;

  constructor(params: NicModelParams, up: boolean) {
    this.params = params;
    this.up = up;
    this.nsPerByte = 8e9 / params.speedBps;
    this.ringPackets = params.txRingPackets;
    this.overheadBytes = params.wireOverheadBytes;
    const size = 1024;
    this.handles = new Uint32Array(size);
    this.lengths = new Uint32Array(size);
    this.finishes = new Float64Array(size);
    this.mask = size - 1;
  }

  /** Frames handed over and not yet completed. */
  get inFlight(): number { return this.tail - this.head; }

  /** Would the engine release another packet to this NIC now? (up and below its in-flight limit) */
  get hasRoom(): boolean { return this.up && this.inFlightBytes < this.params.inFlightLimitBytes; }

  /** Hands a released packet to the NIC at time `nowNs`. */
  push(handle: number, lengthBytes: number, nowNs: number): void {
    if (this.tail - this.head > this.mask) this.grow();
    const i = this.tail & this.mask;
    this.handles[i] = handle;
    this.lengths[i] = lengthBytes;
    this.inFlightBytes += lengthBytes;
    this.reportNs = NaN;
    if (this.sched === this.tail && this.sched - this.head < this.ringPackets) {
      // fast path: a free descriptor and nothing waiting ahead of this frame
      // Math.max, not `busy > nowNs ? busy : nowNs`: V8 merges that ternary's float and
      // tagged operands by boxing the float, a 16-byte heap number per packet
      const finish = Math.max(this.busyUntilNs, nowNs) + (lengthBytes + this.overheadBytes) * this.nsPerByte;
      this.finishes[i] = finish;
      this.busyUntilNs = finish;
      this.sched++;
      this.tail++;
      return;
    }
    this.tail++;
    if (this.sched < this.tail && this.sched - this.head < this.ringPackets) this.scheduleMore(nowNs);
  }

  private scheduleMore(nowNs: number): void {
    const ring = this.ringPackets, ovh = this.overheadBytes;
    let busy = this.busyUntilNs;
    while (this.sched < this.tail && this.sched - this.head < ring) {
      const i = this.sched & this.mask;
      busy = Math.max(busy, nowNs) + (this.lengths[i]! + ovh) * this.nsPerByte; // Math.max: see push
      this.finishes[i] = busy;
      this.sched++;
    }
    this.busyUntilNs = busy;
  }

  /** Time (whole ns) of the next completion report, Infinity when nothing is on the wire. */
  nextCompletionNs(): number {
    const cached = this.reportNs;
    if (cached === cached) return cached; // not NaN: nothing changed since
    return (this.reportNs = this.computeReportNs());
  }

  private computeReportNs(): number {
    if (this.head === this.sched) return Infinity;
    const first = this.finishes[this.head & this.mask]!;
    const period = this.params.txCoalesceNs;
    let t = period > 0 ? Math.ceil(first / period) * period : first;
    const f = this.params.txCoalesceFrames;
    if (f > 0 && this.sched - this.head >= f) {
      const tf = this.finishes[(this.head + f - 1) & this.mask]!;
      if (tf < t) t = tf;
    }
    return Math.ceil(t);
  }

  /** Handle of the entry k positions after the head. */
  handleAt(k: number): number { return this.handles[(this.head + k) & this.mask]!; }

  /** Drops the k oldest entries (they were reported complete; `bytes` their frame bytes) and gives freed descriptors to waiting frames. */
  advance(k: number, bytes: number, nowNs: number): void {
    this.reportNs = NaN;
    this.inFlightBytes -= bytes; // the caller summed them while walking the k entries
    this.head += k;
    if (this.sched < this.tail) this.scheduleMore(nowNs);
  }

  /** Link loss: forgets every entry (the engine re-queues them) and idles the wire. */
  clear(nowNs: number): void {
    this.head = this.sched = this.tail = 0;
    this.inFlightBytes = 0;
    this.reportNs = NaN;
    this.busyUntilNs = nowNs;
  }

  /** Link restored at `nowNs`. */
  restart(nowNs: number): void {
    this.busyUntilNs = nowNs;
  }

  private grow(): void {
    const old = this.mask + 1, size = old * 2;
    const h = new Uint32Array(size), l = new Uint32Array(size), f = new Float64Array(size);
    for (let p = this.head; p < this.tail; p++) {
      const a = p & this.mask, b = p & (size - 1);
      h[b] = this.handles[a]!; l[b] = this.lengths[a]!; f[b] = this.finishes[a]!;
    }
    this.handles = h; this.lengths = l; this.finishes = f; this.mask = size - 1;
    this.reportNs = NaN;
  }
}
