// sources.ts — per-VM traffic sources of the simulator.
//
// A source decides when a VM's frames appear in its host ring (vNIC) and how
// long they are. Kinds:
//   greedy   always backlogged: frames are made on demand whenever the
//            scheduler has queue room (no arrival events at all);
//   cbr      constant bit rate: frame k+1 arrives len_k·8/rate after frame k;
//   poisson  exponential inter-arrival times, mean meanLen·8/rate;
//   onoff    cbr at `rate` during on periods, silent during off periods
//            (durations fixed, or exponential with those means);
//   tcp      closed loop, AIMD (Jacobson 1988, in rate form): sends cbr at its
//            current rate, adds `increase` bit/s per RTT, multiplies the rate
//            by `decrease` on a vm-pause or a `full` status (at most once per
//            RTT) and sends nothing while its VM is paused.
// Every source is active only within [start, stop). Rates are bit/s of frame
// bytes (what the scheduler counts), times ns as numbers (exact integers below
// 2^53 ns = 104 days; fractional ns are kept between arrivals so rates stay
// exact and rounded up only when an event time is produced).
// Cost: O(1) per arrival, no allocation.

import type { Rng } from './rng.js';
import { SizeSampler, type SizeSpec } from './sizes.js';
import type { HostRing } from './hostring.js';

export type SourceSpec =
  | { type: 'greedy'; size: SizeSpec; startNs?: number; stopNs?: number; ringPackets?: number }
  | { type: 'cbr'; rateBps: number; size: SizeSpec; startNs?: number; stopNs?: number; ringPackets?: number }
  | { type: 'poisson'; rateBps: number; size: SizeSpec; startNs?: number; stopNs?: number; ringPackets?: number }
  | {
      type: 'onoff'; rateBps: number; onNs: number; offNs: number; exponential?: boolean;
      size: SizeSpec; startNs?: number; stopNs?: number; ringPackets?: number;
    }
  | {
      type: 'tcp'; initialRateBps: number; maxRateBps: number; minRateBps?: number; increaseBps: number;
      rttNs: number; decrease?: number; size: SizeSpec; startNs?: number; stopNs?: number; ringPackets?: number;
    }
  | { type: 'none' };

/** Default host ring size (frames): a typical vNIC TX ring. */
export const DEFAULT_RING_PACKETS = 4096;

export class Source {
  readonly spec: SourceSpec;
  readonly sizes: SizeSampler;
  /** True for greedy: frames are made on demand by the simulator. */
  readonly greedy: boolean;
  /** True when demand is elastic (greedy, tcp): the ideal allocation treats it as unbounded. */
  readonly elastic: boolean;
  /** Next arrival (ns, fractional allowed), Infinity when none is pending. */
  nextNs = Infinity;
  /** Current sending rate (bit/s) for cbr, onoff and tcp. */
  rateBps = 0;
  /** Frames lost because the host ring was full. */
  hostDrops = 0;
  /** Multiplicative decreases taken (tcp). */
  backoffs = 0;
  private readonly rng: Rng;
  private readonly startNs: number;
  private readonly stopNs: number;
  private paused = false;
  private phaseEndNs = Infinity;   // onoff: end of the current on/off period (ns)
  private lastDecreaseNs = -Infinity; // tcp (ns)
  private lastArrivalNs = 0;          // tcp: for the additive increase (ns)

  constructor(spec: SourceSpec, rng: Rng, nowNs: number) {
    this.spec = spec;
    this.rng = rng;
    this.sizes = new SizeSampler(spec.type === 'none' ? { kind: 'fixed', bytes: 60 } : spec.size);
    this.greedy = spec.type === 'greedy';
    this.elastic = spec.type === 'greedy' || spec.type === 'tcp';
    this.startNs = Math.max(nowNs, spec.type === 'none' ? 0 : spec.startNs ?? 0);
    this.stopNs = spec.type === 'none' ? 0 : spec.stopNs ?? Infinity;
    switch (spec.type) {
      case 'cbr': case 'poisson': this.rateBps = spec.rateBps; this.nextNs = this.startNs; break;
      case 'onoff':
        this.rateBps = spec.rateBps; this.nextNs = this.startNs;
        this.phaseEndNs = this.startNs + this.duration(spec.onNs, spec.exponential);
        break;
      case 'tcp': this.rateBps = spec.initialRateBps; this.nextNs = this.startNs; this.lastArrivalNs = this.startNs; break;
      default: break;
    }
    if (this.nextNs >= this.stopNs) this.nextNs = Infinity;
  }

  /** Whether a greedy source is producing at `nowNs`. */
  activeAt(nowNs: number): boolean {
    return nowNs >= this.startNs && nowNs < this.stopNs;
  }

  /** A frame size for a greedy source's next frame (bytes). */
  drawSize(): number {
    return this.sizes.next(this.rng);
  }

  /** When the simulator must next look at this source (ns): the next arrival, or a greedy source's start. */
  wakeNs(nowNs: number): number {
    if (this.greedy) return this.startNs > nowNs ? this.startNs : Infinity;
    return this.nextNs;
  }

  private duration(meanNs: number, exponential: boolean | undefined): number {
    return exponential ? this.rng.exponential(meanNs) : meanNs;
  }

  /**
   * Puts every frame that arrives at or before `untilNs` into `ring`.
   * Returns the bytes offered (including frames the ring dropped).
   */
  generate(untilNs: number, ring: HostRing): number {
    let offered = 0;
    const s = this.spec;
    while (this.nextNs <= untilNs) {
      const t = this.nextNs;
      const len = this.sizes.next(this.rng);
      offered += len;
      if (!ring.push(len)) this.hostDrops++;
      switch (s.type) {
        case 'cbr': this.nextNs = t + (len * 8e9) / this.rateBps; break;
        case 'poisson': this.nextNs = t + this.rng.exponential((this.sizes.meanBytes * 8e9) / this.rateBps); break;
        case 'onoff': {
          let next = t + (len * 8e9) / this.rateBps;
          if (next >= this.phaseEndNs) {
            // the on period is over: the next frame opens the on period after the off period
            const offEndNs = this.phaseEndNs + this.duration(s.offNs, s.exponential);
            next = offEndNs;
            this.phaseEndNs = offEndNs + this.duration(s.onNs, s.exponential);
          }
          this.nextNs = next;
          break;
        }
        case 'tcp': {
          // additive increase, spread evenly over the RTT
          this.rateBps = Math.min(s.maxRateBps, this.rateBps + (s.increaseBps * (t - this.lastArrivalNs)) / s.rttNs);
          this.lastArrivalNs = t;
          this.nextNs = this.paused ? Infinity : t + (len * 8e9) / this.rateBps;
          break;
        }
        default: this.nextNs = Infinity;
      }
      if (this.nextNs >= this.stopNs) this.nextNs = Infinity;
    }
    return offered;
  }

  /** Congestion signal (vm-pause or a `full` status): tcp backs off, at most once per RTT. */
  congestion(nowNs: number): void {
    const s = this.spec;
    if (s.type !== 'tcp' || nowNs - this.lastDecreaseNs < s.rttNs) return;
    this.lastDecreaseNs = nowNs;
    this.rateBps = Math.max(s.minRateBps ?? 1e6, this.rateBps * (s.decrease ?? 0.5));
    this.backoffs++;
  }

  /** The VM was paused (XOFF): tcp stops sending until resume. */
  pause(nowNs: number): void {
    this.paused = true;
    this.congestion(nowNs);
    if (this.spec.type === 'tcp') this.nextNs = Infinity;
  }

  /** The VM was resumed (XON). */
  resume(nowNs: number): void {
    if (!this.paused) return;
    this.paused = false;
    if (this.spec.type === 'tcp' && nowNs < this.stopNs) {
      this.lastArrivalNs = nowNs;
      this.nextNs = Math.max(nowNs, this.startNs);
    }
  }
}
