// advisor-ref.ts — the reference advisor: the first, plainly written
// Advisor (string-keyed maps rebuilt at every evaluation), kept as the model
// that src/api/advice.ts's faster bookkeeping (per-VM state by id, objects
// reused between evaluations) must match decision for decision
// (test/advice-state.test.ts). Options, types and removal sets are shared with
// src/api/advice.ts; only the per-evaluation bookkeeping is independent.
import { advisorSchema, capacityRemovalSet, prefixRemovalSet, type Advice, type AdvisorOptions, type AdvisorVm, type MigrateCandidate, type PolicyKind } from '../../src/api/advice.js';
import { parseOrThrow } from '../../src/api/config.js';
import type { StatsSnapshot, VmStats } from '../../src/api/stats.js';
import type { RateTracker } from '../../src/api/rates.js';
import { idealAllocation, type IdealVm } from '../../src/alloc/ideal.js';

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

/** Counter baselines per VM, from the previous evaluation. */
interface Prev { pauses: number; fullPackets: number; releasedBytes: number }

export class RefAdvisor {
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
  private readonly detectors = new Map<string, Detector>();
  private readonly prev = new Map<string, Prev>();
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
    if (backwards) for (const d of this.detectors.values()) { if (d.state === 'pending') d.sinceNs = nowNs; d.clearSinceNs = null; }

    const cfg = new Map<number, AdvisorVm>();
    for (const v of vms) cfg.set(v.id, v);
    const upSpeeds = stats.nics.filter((n) => n.up).map((n) => n.speedBps);
    const teamCapacity = upSpeeds.reduce((a, b) => a + b, 0);
    const maxNic = upSpeeds.reduce((a, b) => Math.max(a, b), 0);

    // --- per-VM observations over the interval
    interface Obs { s: VmStats; c: AdvisorVm; key: string; hitHigh: boolean; level: number; backlogged: boolean; intervalReleasedBps: number; demandBps: number; sentBps: number; offeredBps: number }
    const obs: Obs[] = [];
    for (const s of stats.vms) {
      const c = cfg.get(s.id);
      if (!c || c.name !== s.name || s.state === 'removing') continue;
      const key = `${s.id}\u0000${s.name}`;
      const p = this.prev.get(key);
      this.prev.set(key, { pauses: s.pauses, fullPackets: s.fullPackets, releasedBytes: s.releasedBytes });
      const fresh = !p || dtNs === 0 || s.pauses < p.pauses || s.fullPackets < p.fullPackets || s.releasedBytes < p.releasedBytes;
      const paused = !fresh && s.pauses > p!.pauses;
      const refused = !fresh && s.fullPackets > p!.fullPackets;
      const high = c.highWatermark > 0 ? c.highWatermark : (c.queuePackets ?? 0);
      const level = high > 0 ? s.queuedPackets / high : 0;
      const hitHigh = s.paused || paused || refused || (high > 0 && s.queuedPackets >= high);
      const backlogged = hitHigh || s.queuedPackets >= o.backlogPackets;
      const r = rates.vm(s.id, s.name);
      const offeredBps = c.demandBps ?? r?.offeredBps ?? 0;
      obs.push({
        s, c, key, hitHigh, level: hitHigh ? Math.max(1, level) : level, backlogged,
        intervalReleasedBps: fresh ? 0 : ((s.releasedBytes - p!.releasedBytes) * 8e9) / dtNs,
        demandBps: c.demandBps ?? (backlogged ? Infinity : offeredBps),
        sentBps: r?.sentBps ?? 0, offeredBps,
      });
    }
    const live = new Set(obs.map((x) => x.key));
    for (const k of this.prev.keys()) if (!live.has(k)) this.prev.delete(k);

    const out: Advice[] = [];

    // --- suspend
    for (const x of obs) {
      if (!(x.c.limitBps > 0)) continue;
      const trigger = x.hitHigh && dtNs > 0 && x.intervalReleasedBps >= o.limitBoundFraction * x.c.limitBps;
      const clearMeasure = !x.hitHigh && x.level < o.hysteresis;
      const d = this.step(`suspend\u0000${x.key}`, g, nowNs, trigger, clearMeasure, o.suspendWindowNs, [x.key], 'suspend');
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
    const poolOf = new Map<string, string>();
    for (const [k, p] of pools) for (const x of p.members) poolOf.set(x.key, k);
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
      const d = this.step(key, g, nowNs, trigger, clearMeasure, o.capacityWindowNs, [], 'migrate');
      if (d) {
        const cands = pool.members.filter((x) => x.c.reservationBps > 0).sort(order);
        const set = capacityRemovalSet(cands.map((x) => x.c.reservationBps), deficit).map((i) => cands[i]!);
        const removed = set.reduce((a, x) => a + x.c.reservationBps, 0);
        d.coveredBps = removed;
        for (const x of set) this.lastAdvised.set(`migrate\u0000${x.key}`, nowNs);
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
    const fairOf = new Map<string, number>();
    active.forEach((x, i) => fairOf.set(x.key, fair[i] ?? 0));
    this.backlogged = new Set(obs.filter((x) => x.backlogged).map((x) => x.s.id));
    this.fairShares = new Map(obs.map((x) => [x.s.id, fairOf.get(x.key) ?? 0]));
    const firing = new Map<string, { x: Obs; d: Detector; fair: number }[]>();
    for (const x of obs) {
      const f = fairOf.get(x.key) ?? 0;
      const shortfall = f > 0 ? 1 - x.sentBps / f : 0;
      const trigger = x.backlogged && f > 0 && shortfall >= o.starveFraction;
      const clearMeasure = !x.backlogged || shortfall < o.hysteresis * o.starveFraction;
      const d = this.step(`starved\u0000${x.key}`, g, nowNs, trigger, clearMeasure, o.starveWindowNs, [x.key], 'migrate');
      if (!d) continue;
      const pk = poolOf.get(x.key) ?? 'team';
      let list = firing.get(pk);
      if (!list) firing.set(pk, (list = []));
      list.push({ x, d, fair: f });
    }
    for (const [pk, list] of firing) {
      const pool = pools.get(pk)!;
      const reserved = pool.members.reduce((a, x) => a + x.c.reservationBps, 0);
      const starvedKeys = new Set(list.map((e) => e.x.key));
      const cands = [...pool.members].sort(order);
      const satisfied = (removed: ReadonlySet<number>): boolean => {
        const rest = cands.filter((_, i) => !removed.has(i));
        const still = rest.filter((x) => starvedKeys.has(x.key));
        if (still.length === 0) return true;
        if (pool.capacity <= 0) return false;
        const r = idealAllocation(pool.capacity, rest.map((x) => this.idealVm(x.c, x.demandBps)));
        return still.every((x) => r.ratesBps[rest.indexOf(x)]! >= (1 - o.starveFraction) * (fairOf.get(x.key) ?? 0));
      };
      const set = pool.nic !== null ? prefixRemovalSet(cands.length, satisfied).map((i) => cands[i]!) : [];
      for (const x of set) this.lastAdvised.set(`migrate\u0000${x.key}`, nowNs);
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

  /**
   * Advances one detector; returns it when its advice fires now. `vmKeys`
   * are the VMs whose per-kind minimum interval gates the firing.
   */
  private step(key: string, g: number, nowNs: bigint, trigger: boolean, clearMeasure: boolean, windowNs: bigint,
    vmKeys: string[], kind: 'suspend' | 'migrate'): Detector | null {
    let d = this.detectors.get(key);
    if (!d) this.detectors.set(key, (d = { state: 'clear', sinceNs: nowNs, clearSinceNs: null, coveredBps: 0, seen: g }));
    d.seen = g;
    if (d.state === 'fired') {
      if (!clearMeasure) { d.clearSinceNs = null; return null; }
      if (d.clearSinceNs === null) d.clearSinceNs = nowNs;
      if (nowNs - d.clearSinceNs < this.options.clearNs) return null;
      d.state = 'clear'; d.clearSinceNs = null;
    }
    if (!trigger) { d.state = 'clear'; return null; }
    if (d.state === 'clear') { d.state = 'pending'; d.sinceNs = nowNs; }
    if (nowNs - d.sinceNs < windowNs) return null;
    for (const k of vmKeys) {
      const t = this.lastAdvised.get(`${kind}\u0000${k}`);
      if (t !== undefined && nowNs >= t && nowNs - t < this.options.minIntervalNs) return null;
    }
    d.state = 'fired'; d.clearSinceNs = null;
    for (const k of vmKeys) this.lastAdvised.set(`${kind}\u0000${k}`, nowNs);
    return d;
  }
}
