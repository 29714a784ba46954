// advice.ts — suspend and migrate advice for the host (DESIGN §5): the engine
// measures, the host decides.
//
// Owns one small state machine per condition (per VM for suspend and
// starvation, per capacity pool for reservations) and the choice of which VMs
// to move. The scheduler calls evaluate() on each poll; it does work at most
// once per evalIntervalNs of the engine clock (due() tells the caller whether
// to take a stats snapshot at all), so it costs nothing between evaluations.
//
// Conditions, checked at each evaluation over the interval since the last one:
//  - suspend (per VM with a limit): the queue reached its high watermark in the
//    interval (paused now, a pause or a `full` refusal happened, or the queue is
//    at the watermark; without a watermark: a `full` refusal or a full queue)
//    while the VM released at least limitBoundFraction of its limit over the
//    interval (its limit binds, not contention). Carries the excess: offered
//    rate − limit (RateTracker EWMA; ≥ 0). A host that honours vm-pause offers
//    only what the VM can send, so the excess seen by the engine is then a
//    lower bound; pass AdvisorVm.demandBps when the host knows the guest's demand.
//  - migrate/capacity (per pool: the team for 'pool' policies, each NIC for
//    'pinned'): Σ reservations of the pool's VMs > the pool's capacity (speed
//    of the up NICs; a down NIC's pool has capacity 0). With per-VM policy
//    overrides (AdvisorVm.pinned) pinned VMs count on their NIC and the others
//    in the team pool at the team's full capacity (an approximation: the two
//    kinds share the NICs).
//  - migrate/starved (per VM): a backlogged VM whose sent rate (EWMA) is below
//    (1 − starveFraction) × its fair share. The fair share is the ideal
//    allocation (src/alloc/ideal.ts, DESIGN §2) over the whole team's up
//    capacity, with measured demand: AdvisorVm.demandBps if given, unbounded
//    for a backlogged VM, else its offered rate; pinned VMs are capped at the
//    largest up NIC's speed. Under 'pinned' policies this finds VMs stuck on a
//    crowded NIC while the team has room.
// A VM is backlogged in an interval when it was paused, refused a packet, or
// had at least backlogPackets queued at the evaluation.
//
// Timing and hysteresis: a condition must hold at every evaluation for its
// window before advice fires (so fire time − onset ∈ [window, window + one eval
// interval)). After firing, the condition is latched: the same advice cannot
// fire again until the condition has cleared — its measure stayed below
// `hysteresis` (0.9) × its trigger for clearNs — so a condition flapping around
// its threshold yields one advice, not a storm. Measures and triggers: queue
// level / high watermark ≥ 1 (suspend), Σ reserved / capacity > 1 (capacity),
// shortfall 1 − rate/fair ≥ starveFraction (starved). A capacity advice also
// fires again, without clearing, when the pool got worse so that the VMs
// already advised no longer cover the deficit. Per VM, advice of one kind is
// at least minIntervalNs apart (a window that completes sooner waits).
//
// Which VMs to move (capacity): candidates are the pool's VMs with a
// reservation, ordered lowest priority first, then fewest shares, then id.
// The set never reaches past the shortest prefix of that order whose
// reservations cover the deficit (so no VM is advised while a lower-ordered
// one could go instead); its last VM is therefore needed, and the others are
// the fewest VMs of the prefix that cover the rest, lowest-ordered first among
// equally small choices. For starvation: the shortest prefix of the pool's VMs
// in the same order after whose removal the pool's ideal allocation gives each
// remaining starved VM at least (1 − starveFraction) × its fair share, pruned
// from its end so no member is redundant. In the team pool ('pool' policies)
// the pool's ideal allocation already is the fair share: starvation there
// means the engine lags its own targets, and the advice carries no VMs.
// Units: time ns (bigint), rates bit/s. Deterministic: output depends only on
// the inputs and the call sequence. Complexity per evaluation: O(V log V)
// plus one ideal allocation per pool with a starving VM and one per removal
// candidate tried (rare). Per VM the bookkeeping is one Map lookup by id and
// objects reused between evaluations, no strings built (16384 VMs: ~45 ms per
// evaluation, from ~170 ms with string-keyed maps rebuilt each time);
// test/model/advisor-ref.ts keeps that plain version as the model it must match.

import { z } from 'zod';
import { parseOrThrow } from './config.js';
import type { StatsSnapshot, VmStats } from './stats.js';
import type { RateTracker } from './rates.js';
import { idealAllocation, type IdealVm } from '../alloc/ideal.js';

/** What the Advisor needs to know about a VM (a ResolvedVm from Scheduler.vmConfig plus id and name fits). */
export interface AdvisorVm {
  id: number; name: string;
  shares: number;
  /** bit/s, 0 = none */
  reservationBps: number;
  /** bit/s, 0 = none */
  limitBps: number;
  /** 0..7, higher is served first */
  priority: number;
  /** packets; 0 = no watermarks */
  highWatermark: number;
  /** packets; the queue size (used as the high-water level when there are no watermarks) */
  queuePackets?: number;
  /** the guest's demand as the host measures it, bit/s; overrides the engine's measure */
  demandBps?: number;
  /** this VM is pinned to one NIC (a per-VM policy override); default: the team's PolicyKind */
  pinned?: boolean;
}

export type PolicyKind = 'pool' | 'pinned';

export interface SuspendAdvice {
  kind: 'suspend';
  vm: number; name: string;
  /** evaluation time at which the advice fired, ns */
  atNs: bigint;
  /** how long the condition has held, ns (≥ suspendWindowNs) */
  durationNs: bigint;
  /** offered − limit, bit/s (≥ 0) */
  excessBps: number;
  offeredBps: number; limitBps: number;
  /** sent rate (EWMA), bit/s */
  sentBps: number;
}

export interface MigrateCandidate {
  vm: number; name: string; priority: number; shares: number;
  /** bit/s */
  reservationBps: number;
  /** the demand used, bit/s (Infinity: backlogged, unbounded) */
  demandBps: number;
}

export interface StarvedVm {
  vm: number; name: string;
  /** sent rate (EWMA), bit/s */
  rateBps: number;
  /** team-wide ideal allocation, bit/s */
  fairShareBps: number;
}

export interface MigrateAdvice {
  kind: 'migrate';
  reason: 'capacity' | 'starved';
  /** the pool: a NIC name for pinned policies, null for the whole team */
  nic: string | null;
  atNs: bigint;
  /** how long the condition has held, ns */
  durationNs: bigint;
  /** the VMs to move elsewhere, in candidate order (see header) */
  vms: MigrateCandidate[];
  /** Σ reservations of the pool's VMs, bit/s */
  reservedBps: number;
  /** the pool's up capacity, bit/s */
  capacityBps: number;
  /** Σ reservations left in the pool after the move, bit/s */
  remainingReservedBps: number;
  /** starved: the VMs below their fair share (empty for capacity) */
  starved: StarvedVm[];
}

export type Advice = SuspendAdvice | MigrateAdvice;

const ns = (min: number, max: number) => z.union([z.number(), z.bigint()]).transform((v, ctx) => {
  const x = Number(v);
  if (!Number.isFinite(x) || x < min || x > max) {
    ctx.addIssue({ code: 'custom', message: `${String(v)} ns out of range: allowed ${min} to ${max} ns`, params: { range: true } });
    return z.NEVER;
  }
  return BigInt(Math.round(x));
});
const frac = (min: number, max: number) => z.number().min(min).max(max);
const HOUR = 3_600e9;

export const advisorSchema = z.strictObject({
  /** evaluate at most this often, ns (default 100 ms) */
  evalIntervalNs: ns(1e6, 60e9).optional(),
  /** suspend window, ns (default 5 s) */
  suspendWindowNs: ns(0, HOUR).optional(),
  /** starvation window, ns (default 10 s) */
  starveWindowNs: ns(0, HOUR).optional(),
  /** capacity window, ns (default 0: the first evaluation after the loss) */
  capacityWindowNs: ns(0, HOUR).optional(),
  /** per VM, minimum time between two advices of one kind, ns (default 60 s) */
  minIntervalNs: ns(0, 24 * HOUR).optional(),
  /** how long a fired condition must stay cleared before it can fire again, ns (default 1 s) */
  clearNs: ns(0, HOUR).optional(),
  /** a condition clears below this fraction of its trigger (default 0.9) */
  hysteresis: frac(0, 1).optional(),
  /** starved when the rate is below (1 − this) × fair share (default 0.1) */
  starveFraction: frac(0.001, 1).optional(),
  /** suspend only when the VM released ≥ this × its limit over the interval (default 0.8) */
  limitBoundFraction: frac(0, 1).optional(),
  /** a VM with at least this many packets queued counts as backlogged (default 8) */
  backlogPackets: z.number().int().min(1).max(1 << 24).optional(),
});
export type AdvisorOptions = z.input<typeof advisorSchema>;

interface Resolved {
  evalIntervalNs: bigint; suspendWindowNs: bigint; starveWindowNs: bigint; capacityWindowNs: bigint;
  minIntervalNs: bigint; clearNs: bigint; hysteresis: number; starveFraction: number; limitBoundFraction: number; backlogPackets: number;
}

/** One condition's state: clear → pending (holding since sinceNs) → fired (latched until cleared for clearNs). */
interface Detector {
  state: 'clear' | 'pending' | 'fired';
  /** ns: when the condition started holding (pending) */
  sinceNs: bigint;
  /** ns: since when the clear measure has held (fired), or null */
  clearSinceNs: bigint | null;
  /** bit/s: capacity advice: Σ reservations of the VMs advised when it fired */
  coveredBps: number;
  /** evaluation generation that last touched it (to forget vanished VMs/pools) */
  seen: number;
}

/**
 * What the advisor remembers of one VM between evaluations, keyed by id (the
 * name told apart: a VM removed and another added under its id starts afresh).
 * Counter baselines from the previous evaluation (prev* < 0: none yet) and the
 * VM's two detectors (null = clear: a clear detector and none behave alike).
 */
interface VmMemo {
  name: string;
  /** `${id}\u0000${name}`, built once per VM: the key of lastAdvised */
  key: string;
  prevPauses: number; prevFull: number; prevReleased: number;
  suspend: Detector | null; starved: Detector | null;
  /** evaluation generation that last saw the VM (to forget vanished VMs) */
  seen: number;
  /** the VM's observation, rewritten at each evaluation */
  obs: Obs | null;
}

/** One VM as an evaluation sees it (level: queue / high watermark; rates bit/s; pool: its pool's key; fair: its fair share, bit/s). */
interface Obs {
  s: VmStats; c: AdvisorVm; m: VmMemo; hitHigh: boolean; level: number; backlogged: boolean;
  intervalReleasedBps: number; demandBps: number; sentBps: number; offeredBps: number; pool: string; fair: number;
}

export class Advisor {
  readonly options: Readonly<Resolved>;
  /** Advice emitted so far, by kind (for the nicteam_advice_total metric). */
  readonly counts = { suspend: 0, migrate: 0 };
  /** ids of the VMs backlogged at the last evaluation (for fairness.ts) */
  backlogged: ReadonlySet<number> = new Set();
  /** per VM id: its fair share at the last evaluation, bit/s (team-wide ideal allocation, for fairness.ts) */
  fairShares: ReadonlyMap<number, number> = new Map();
  private lastEvalNs: bigint | null = null;
  /** lastEvalNs + evalIntervalNs, kept so due() only compares (a bigint subtraction per poll would allocate) */
  private nextEvalNs: bigint | null = null;
  /** the pools' capacity detectors, by `capacity\u0000pool` */
  private readonly detectors = new Map<string, Detector>();
  /** per VM id: baselines and detectors (a number key: no string is built per VM per evaluation) */
  private readonly memo = new Map<number, VmMemo>();
  /** per VM key and kind: time of the last advice naming it, ns */
  private readonly lastAdvised = new Map<string, bigint>();
  private gen = 0;

  constructor(options: AdvisorOptions = {}) {
    const o = parseOrThrow(advisorSchema, options, 'advice');
    this.options = {
      evalIntervalNs: o.evalIntervalNs ?? 100_000_000n, suspendWindowNs: o.suspendWindowNs ?? 5_000_000_000n,
      starveWindowNs: o.starveWindowNs ?? 10_000_000_000n, capacityWindowNs: o.capacityWindowNs ?? 0n,
      minIntervalNs: o.minIntervalNs ?? 60_000_000_000n, clearNs: o.clearNs ?? 1_000_000_000n,
      hysteresis: o.hysteresis ?? 0.9, starveFraction: o.starveFraction ?? 0.1,
      limitBoundFraction: o.limitBoundFraction ?? 0.8, backlogPackets: o.backlogPackets ?? 8,
    };
  }

  /** True when evaluate(nowNs, …) would do work: take a stats snapshot only then. */
  due(nowNs: bigint): boolean {
    return this.lastEvalNs === null || nowNs < this.lastEvalNs || nowNs >= this.nextEvalNs!;
  }

  /**
   * Evaluates every condition on this snapshot (when due; otherwise returns []).
   * `rates` must have been updated with the same snapshot. `vms` lists the
   * configured VMs (those missing from it are ignored).
   */
  evaluate(nowNs: bigint, stats: StatsSnapshot, rates: RateTracker, vms: readonly AdvisorVm[], policy: PolicyKind): Advice[] {
    if (!this.due(nowNs)) return [];
    const o = this.options;
    const first = this.lastEvalNs === null;
    const backwards = !first && nowNs < this.lastEvalNs!;
    const dtNs = first || backwards ? 0 : Number(nowNs - this.lastEvalNs!);
    this.lastEvalNs = nowNs;
    this.nextEvalNs = nowNs + this.options.evalIntervalNs;
    const g = ++this.gen;
    if (backwards) {
      const rewind = (d: Detector | null) => { if (d) { if (d.state === 'pending') d.sinceNs = nowNs; d.clearSinceNs = null; } };
      for (const d of this.detectors.values()) rewind(d);
      for (const m of this.memo.values()) { rewind(m.suspend); rewind(m.starved); }
    }

    // vms usually lists the VMs in the snapshot's order (the scheduler's does): look by position, by id otherwise
    let cfg: Map<number, AdvisorVm> | null = null;
    const cfgOf = (id: number, k: number): AdvisorVm | undefined => {
      const v = vms[k];
      if (v !== undefined && v.id === id) return v;
      if (cfg === null) { cfg = new Map(); for (const u of vms) cfg.set(u.id, u); }
      return cfg.get(id);
    };
    const upSpeeds = stats.nics.filter((n) => n.up).map((n) => n.speedBps);
    const teamCapacity = upSpeeds.reduce((a, b) => a + b, 0);
    const maxNic = upSpeeds.reduce((a, b) => Math.max(a, b), 0);

    // --- per-VM observations over the interval
    const obs: Obs[] = [];
    for (let k = 0; k < stats.vms.length; k++) {
      const s = stats.vms[k]!;
      const c = cfgOf(s.id, k);
      if (!c || c.name !== s.name || s.state === 'removing') continue;
      let m = this.memo.get(s.id);
      if (!m || m.name !== s.name) {
        this.memo.set(s.id, (m = { name: s.name, key: `${s.id}\u0000${s.name}`, prevPauses: -1, prevFull: -1, prevReleased: -1, suspend: null, starved: null, seen: g, obs: null }));
      }
      m.seen = g;
      const pPauses = m.prevPauses, pFull = m.prevFull, pReleased = m.prevReleased;
      m.prevPauses = s.pauses; m.prevFull = s.fullPackets; m.prevReleased = s.releasedBytes;
      const fresh = pPauses < 0 || dtNs === 0 || s.pauses < pPauses || s.fullPackets < pFull || s.releasedBytes < pReleased;
      const paused = !fresh && s.pauses > pPauses;
      const refused = !fresh && s.fullPackets > pFull;
      const high = c.highWatermark > 0 ? c.highWatermark : (c.queuePackets ?? 0);
      const level = high > 0 ? s.queuedPackets / high : 0;
      const hitHigh = s.paused || paused || refused || (high > 0 && s.queuedPackets >= high);
      const backlogged = hitHigh || s.queuedPackets >= o.backlogPackets;
      const r = rates.vm(s.id, s.name);
      const offeredBps = c.demandBps ?? r?.offeredBps ?? 0;
      // one observation object per VM, reused at every evaluation (only this evaluation reads it)
      const x = (m.obs ??= { s, c, m, hitHigh, level, backlogged, intervalReleasedBps: 0, demandBps: 0, sentBps: 0, offeredBps, pool: 'team', fair: 0 });
      x.s = s; x.c = c; x.hitHigh = hitHigh; x.level = hitHigh ? Math.max(1, level) : level; x.backlogged = backlogged;
      x.intervalReleasedBps = fresh ? 0 : ((s.releasedBytes - pReleased) * 8e9) / dtNs;
      x.demandBps = c.demandBps ?? (backlogged ? Infinity : offeredBps);
      x.sentBps = r?.sentBps ?? 0; x.offeredBps = offeredBps; x.pool = 'team'; x.fair = 0;
      obs.push(x);
    }
    for (const [id, m] of this.memo) if (m.seen !== g) this.memo.delete(id);

    const out: Advice[] = [];

    // --- suspend
    for (const x of obs) {
      if (!(x.c.limitBps > 0)) { x.m.suspend = null; continue; }
      const trigger = x.hitHigh && dtNs > 0 && x.intervalReleasedBps >= o.limitBoundFraction * x.c.limitBps;
      const clearMeasure = !x.hitHigh && x.level < o.hysteresis;
      const d = this.stepVm(x.m, 'suspend', nowNs, trigger, clearMeasure, o.suspendWindowNs);
      if (d) {
        out.push({
          kind: 'suspend', vm: x.s.id, name: x.s.name, atNs: nowNs, durationNs: nowNs - d.sinceNs,
          excessBps: Math.max(0, x.offeredBps - x.c.limitBps), offeredBps: x.offeredBps, limitBps: x.c.limitBps, sentBps: x.sentBps,
        });
      }
    }

    // --- pools
    const pools = new Map<string, { nic: string | null; capacity: number; members: Obs[] }>();
    const pinned = (x: Obs) => x.c.pinned ?? policy === 'pinned';
    const poolFor = (key: string, nic: string | null, capacity: number) => {
      let p = pools.get(key);
      if (!p) pools.set(key, (p = { nic, capacity, members: [] }));
      return p;
    };
    for (const n of stats.nics) if (policy === 'pinned') poolFor(`nic\u0000${n.name}`, n.name, n.up ? n.speedBps : 0);
    for (const x of obs) {
      if (!pinned(x)) { poolFor('team', null, teamCapacity).members.push(x); continue; }
      const n = x.s.nic === null ? undefined : stats.nics.find((m) => m.index === x.s.nic);
      // a pinned VM with no NIC it may use: a pool of capacity 0
      (n ? poolFor(`nic\u0000${n.name}`, n.name, n.up ? n.speedBps : 0) : poolFor('unplaced', null, 0)).members.push(x);
    }
    for (const [k, p] of pools) for (const x of p.members) x.pool = k;
    const candidateOf = (x: Obs): MigrateCandidate => ({
      vm: x.s.id, name: x.s.name, priority: x.c.priority, shares: x.c.shares, reservationBps: x.c.reservationBps, demandBps: x.demandBps,
    });
    const order = (a: Obs, b: Obs) => a.c.priority - b.c.priority || a.c.shares - b.c.shares || a.s.id - b.s.id;

    // --- migrate: capacity
    for (const [pk, pool] of pools) {
      const reserved = pool.members.reduce((a, x) => a + x.c.reservationBps, 0);
      if (reserved === 0 && !this.detectors.has(`capacity\u0000${pk}`)) continue;
      const trigger = reserved > pool.capacity;
      const clearMeasure = reserved <= o.hysteresis * pool.capacity;
      const key = `capacity\u0000${pk}`;
      const prior = this.detectors.get(key);
      const deficit = reserved - pool.capacity;
      // worse than what was advised: fire again without waiting for the condition to clear
      if (prior && prior.state === 'fired' && trigger && deficit > prior.coveredBps) { prior.state = 'pending'; prior.clearSinceNs = null; }
      const d = this.step(key, nowNs, trigger, clearMeasure, o.capacityWindowNs);
      if (d) {
        const cands = pool.members.filter((x) => x.c.reservationBps > 0).sort(order);
        const set = capacityRemovalSet(cands.map((x) => x.c.reservationBps), deficit).map((i) => cands[i]!);
        const removed = set.reduce((a, x) => a + x.c.reservationBps, 0);
        d.coveredBps = removed;
        for (const x of set) this.lastAdvised.set(`migrate\u0000${x.m.key}`, nowNs);
        out.push({
          kind: 'migrate', reason: 'capacity', nic: pool.nic, atNs: nowNs, durationNs: nowNs - d.sinceNs,
          vms: set.map(candidateOf), reservedBps: reserved, capacityBps: pool.capacity, remainingReservedBps: reserved - removed, starved: [],
        });
      }
    }

    // --- migrate: starved
    const active = obs.filter((x) => x.demandBps > 0);
    let fair: number[] = [];
    if (active.length > 0 && teamCapacity > 0) {
      const ideal = idealAllocation(teamCapacity, active.map((x) => this.idealVm(x.c, pinned(x) ? Math.min(x.demandBps, maxNic) : x.demandBps)));
      fair = ideal.ratesBps;
    }
    active.forEach((x, i) => { x.fair = fair[i] ?? 0; });
    const backlogged = new Set<number>(), fairShares = new Map<number, number>();
    for (const x of obs) { if (x.backlogged) backlogged.add(x.s.id); fairShares.set(x.s.id, x.fair); }
    this.backlogged = backlogged; this.fairShares = fairShares;
    const firing = new Map<string, { x: Obs; d: Detector; fair: number }[]>();
    for (const x of obs) {
      const f = x.fair;
      const shortfall = f > 0 ? 1 - x.sentBps / f : 0;
      const trigger = x.backlogged && f > 0 && shortfall >= o.starveFraction;
      const clearMeasure = !x.backlogged || shortfall < o.hysteresis * o.starveFraction;
      const d = this.stepVm(x.m, 'starved', nowNs, trigger, clearMeasure, o.starveWindowNs);
      if (!d) continue;
      const pk = x.pool;
      let list = firing.get(pk);
      if (!list) firing.set(pk, (list = []));
      list.push({ x, d, fair: f });
    }
    for (const [pk, list] of firing) {
      const pool = pools.get(pk)!;
      const reserved = pool.members.reduce((a, x) => a + x.c.reservationBps, 0);
      const starvedSet = new Set(list.map((e) => e.x));
      const cands = [...pool.members].sort(order);
      const satisfied = (removed: ReadonlySet<number>): boolean => {
        const rest = cands.filter((_, i) => !removed.has(i));
        const still = rest.filter((x) => starvedSet.has(x));
        if (still.length === 0) return true;
        if (pool.capacity <= 0) return false;
        const r = idealAllocation(pool.capacity, rest.map((x) => this.idealVm(x.c, x.demandBps)));
        return still.every((x) => r.ratesBps[rest.indexOf(x)]! >= (1 - o.starveFraction) * x.fair);
      };
      const set = pool.nic !== null ? prefixRemovalSet(cands.length, satisfied).map((i) => cands[i]!) : [];
      for (const x of set) this.lastAdvised.set(`migrate\u0000${x.m.key}`, nowNs);
      const removed = set.reduce((a, x) => a + x.c.reservationBps, 0);
      out.push({
        kind: 'migrate', reason: 'starved', nic: pool.nic, atNs: nowNs,
        durationNs: list.reduce((a, e) => (nowNs - e.d.sinceNs > a ? nowNs - e.d.sinceNs : a), 0n),
        vms: set.map(candidateOf), reservedBps: reserved, capacityBps: pool.capacity, remainingReservedBps: reserved - removed,
        starved: list.map((e) => ({ vm: e.x.s.id, name: e.x.s.name, rateBps: e.x.sentBps, fairShareBps: e.fair })),
      });
    }

    for (const [k, d] of this.detectors) if (d.seen !== g) this.detectors.delete(k);
    for (const [k, t] of this.lastAdvised) if (nowNs >= t && nowNs - t >= o.minIntervalNs) this.lastAdvised.delete(k);
    for (const a of out) this.counts[a.kind]++;
    return out;
  }

  private idealVm(c: AdvisorVm, demandBps: number): IdealVm {
    return { demandBps, shares: c.shares, reservationBps: c.reservationBps, limitBps: c.limitBps, priority: c.priority };
  }

  /** Advances the pool detector under `key` (made clear if new); returns it when its advice fires now. */
  private step(key: string, nowNs: bigint, trigger: boolean, clearMeasure: boolean, windowNs: bigint): Detector | null {
    let d = this.detectors.get(key);
    if (!d) this.detectors.set(key, (d = newDetector(nowNs)));
    return this.advance(d, nowNs, trigger, clearMeasure, windowNs, null, 'migrate');
  }

  /**
   * Advances a VM's suspend or starved detector; returns it when its advice
   * fires now. A clear detector and none behave alike, so none is made while the
   * condition does not hold and one that returns to clear is dropped: VMs that
   * never trigger cost no object.
   */
  private stepVm(m: VmMemo, which: 'suspend' | 'starved', nowNs: bigint, trigger: boolean, clearMeasure: boolean, windowNs: bigint): Detector | null {
    const cur = m[which];
    if (!trigger && cur === null) return null;
    const d = cur ?? newDetector(nowNs);
    const fired = this.advance(d, nowNs, trigger, clearMeasure, windowNs, m.key, which === 'suspend' ? 'suspend' : 'migrate');
    m[which] = d.state === 'clear' ? null : d;
    return fired;
  }

  /**
   * Advances one detector; returns it when its advice fires now. `vmKey`, when
   * given, is the VM whose per-kind minimum interval gates the firing.
   */
  private advance(d: Detector, nowNs: bigint, trigger: boolean, clearMeasure: boolean, windowNs: bigint,
    vmKey: string | null, kind: 'suspend' | 'migrate'): Detector | null {
    d.seen = this.gen;
    if (d.state === 'fired') {
      if (!clearMeasure) { d.clearSinceNs = null; return null; }
      if (d.clearSinceNs === null) d.clearSinceNs = nowNs;
      if (nowNs - d.clearSinceNs < this.options.clearNs) return null;
      d.state = 'clear'; d.clearSinceNs = null;
    }
    if (!trigger) { d.state = 'clear'; return null; }
    if (d.state === 'clear') { d.state = 'pending'; d.sinceNs = nowNs; }
    if (nowNs - d.sinceNs < windowNs) return null;
    if (vmKey !== null) {
      const t = this.lastAdvised.get(`${kind}\u0000${vmKey}`);
      if (t !== undefined && nowNs >= t && nowNs - t < this.options.minIntervalNs) return null;
    }
    d.state = 'fired'; d.clearSinceNs = null;
    if (vmKey !== null) this.lastAdvised.set(`${kind}\u0000${vmKey}`, nowNs);
    return d;
  }
}

function newDetector(nowNs: bigint): Detector {
  return { state: 'clear', sinceNs: nowNs, clearSinceNs: null, coveredBps: 0, seen: 0 };
}

/**
 * Capacity removal set over reservations listed in candidate order: indices of
 * the VMs to remove so their reservations sum to ≥ deficit. See the header:
 * within the shortest covering prefix, its last VM plus the fewest others that
 * cover the rest, preferring earlier ones. Empty when deficit ≤ 0.
 */
export function capacityRemovalSet(reservations: readonly number[], deficit: number): number[] {
  if (!(deficit > 0)) return [];
  let sum = 0, end = -1;
  for (let i = 0; i < reservations.length; i++) { sum += reservations[i]!; if (sum >= deficit) { end = i; break; } }
  if (end < 0) return reservations.map((_, i) => i); // cannot be covered: everything goes
  const need = deficit - reservations[end]!;
  if (need <= 0) return [end];
  // fewest of 0..end-1 covering `need`: k = how many of the largest are needed
  const sorted = reservations.slice(0, end).sort((a, b) => b - a);
  let k = 0;
  for (let acc = 0; acc < need; k++) acc += sorted[k]!;
  // lexicographically first k-subset (in candidate order) that still covers `need`
  const chosen: number[] = [];
  let got = 0;
  for (let i = 0; i < end && chosen.length < k; i++) {
    const slots = k - chosen.length - 1;
    const best = reservations.slice(i + 1, end).sort((a, b) => b - a).slice(0, slots).reduce((a, b) => a + b, 0);
    if (got + reservations[i]! + best >= need) { chosen.push(i); got += reservations[i]!; }
  }
  return [...chosen, end];
}

/**
 * Generic removal set: the shortest prefix 0..m of n candidates after whose
 * removal `ok` holds, then pruned from its end backwards (a member is dropped
 * when `ok` still holds without it). Empty when ok holds already; all
 * candidates when nothing helps.
 */
export function prefixRemovalSet(n: number, ok: (removed: ReadonlySet<number>) => boolean): number[] {
  const removed = new Set<number>();
  if (ok(removed)) return [];
  let i = 0;
  for (; i < n; i++) { removed.add(i); if (ok(removed)) break; }
  if (i === n) return [...removed];
  for (let j = i - 1; j >= 0; j--) { removed.delete(j); if (!ok(removed)) removed.add(j); }
  return [...removed].sort((a, b) => a - b);
}
