// pair.ts — drives the Wasm scheduler and the TypeScript model side by side.
//
// Every operation is applied to both; the results are returned in one
// normalized shape so tests can require them to be identical. Used by the
// differential, conservation and determinism tests.

import { createScheduler, type Scheduler } from '../../src/index.js';
import { resolveCapacity, resolveVm, vmSchema, vmUpdateSchema, type ResolvedVm } from '../../src/api/config.js';
import type { SchedulerEvents, EventName } from '../../src/api/events.js';
import { ModelEngine, EV, NIL, POLICY, type RawEvent } from '../model/engine.js';

export type Norm = (string | number | boolean | null | Norm[])[];

export interface PairOptions {
  nics: { speed: number; inFlightBytes?: number; up?: boolean }[];
  policy: keyof typeof POLICY;
  hash?: 'l2' | 'l2+3' | 'l3+4';
  flowletGapUs?: number;
  flowletSlots?: number;
  failback?: boolean;
  maxVms?: number;
  queuePackets?: number;
  poolPackets?: number;
  batchSize?: number;
  eventCapacity?: number;
  mtu?: number;
  wasm?: Uint8Array;
}

export class Pair {
  private wasmEvents: Norm[] = [];
  private constructor(readonly sched: Scheduler, readonly model: ModelEngine, private readonly cap: ReturnType<typeof resolveCapacity>) {}

  static async create(o: PairOptions): Promise<Pair> {
    const capacity = {
      maxVms: o.maxVms ?? 16, queuePackets: o.queuePackets ?? 64, batchSize: o.batchSize ?? 64,
      ...(o.poolPackets ? { poolPackets: o.poolPackets } : {}), ...(o.eventCapacity ? { eventCapacity: o.eventCapacity } : {}),
      ...(o.mtu ? { mtu: o.mtu } : {}), ...(o.flowletSlots ? { flowletSlots: o.flowletSlots } : {}), maxNics: o.nics.length,
    };
    const sched = await createScheduler({
      nics: o.nics.map((n, i) => ({ name: `nic${i}`, speed: n.speed, ...(n.inFlightBytes ? { inFlightBytes: n.inFlightBytes } : {}), ...(n.up === false ? { up: false } : {}) })),
      teaming: { policy: o.policy, failback: o.failback ?? true, ...(o.flowletGapUs ? { flowletGapUs: o.flowletGapUs } : {}) },
      capacity,
      clock: () => 0n,
    }, o.wasm ? { wasm: o.wasm } : undefined);
    const cap = resolveCapacity(capacity, o.nics.length);
    const model = new ModelEngine({ maxVms: cap.maxVms, maxNics: cap.maxNics, poolPackets: cap.poolPackets, batchSize: cap.batchSize, eventCapacity: cap.eventCapacity, mtu: cap.mtu, flowletSlots: cap.flowletSlots }, POLICY[o.policy], o.failback ?? true, BigInt(Math.round((o.flowletGapUs ?? 500) * 1000)));
    o.nics.forEach((n, i) => model.nicSet(i, n.speed, sched.stats().nics[i]!.inFlightLimitBytes, n.up !== false));
    const p = new Pair(sched, model, cap);
    sched.onAny((t, e) => { const n = normPublic(sched, t, e); if (n) p.wasmEvents.push(n); });
    return p;
  }

  /**
   * The scheduler scales reservations that no longer fit (DESIGN §2 rule 1) by
   * re-staging VMs at the end of a call; the model is given the same effective
   * configs in the same order (VM id) so both stay in lockstep.
   */
  private syncReservations(now: bigint): void {
    // The scheduler drains the ring before it rescales (after the call that changed
    // capacity) and after every update of the rescale, dropping the capacity
    // re-checks those updates raise: so do the same with the model's ring.
    const drained = this.model.events.splice(0);
    for (const id of this.sched.vmIds) {
      const eff = this.sched._effectiveReservation(id);
      const m = this.model.vms[id]!;
      if (m.resBps === BigInt(eff)) continue;
      this.model.updateVm(id, { ...(this.sched.vmConfig(id) as ResolvedVm), reservationBps: eff }, now);
      drained.push(...this.model.events.splice(0).filter((e) => e.type !== EV.CAPACITY));
    }
    this.model.events.push(...drained);
  }

  takeEvents(): { wasm: Norm[]; model: Norm[] } {
    const w = this.wasmEvents; this.wasmEvents = [];
    return { wasm: w, model: normRaw(this.model.takeEvents()) };
  }

  private named = 0;
  addVm(cfg0: Record<string, unknown>, now: bigint): { wasm: number; model: number } {
    const cfg = { name: `vm-${this.named++}`, ...cfg0 };
    let resolved = resolveVm(vmSchema.parse(cfg), this.cap);
    let wasm: number;
    try {
      wasm = this.sched.addVm(cfg as never, now);
      resolved = this.sched.vmConfig(wasm) as ResolvedVm; // with NIC order and MAC hash filled in
    } catch (e) {
      if ((e as { code?: string }).code !== 'CAPACITY') throw e;
      wasm = -3; // every slot taken (removed VMs still have packets in flight)
    }
    const r = { wasm, model: this.model.addVm(resolved, now) };
    this.syncReservations(this.engineClock());
    this.model.endCall();
    return r;
  }

  updateVm(id: number, changes: Record<string, unknown>, now: bigint): void {
    const base = this.sched.vmConfig(id) as ResolvedVm;
    const resolved = resolveVm(vmUpdateSchema.parse(changes), this.cap, base);
    const override = this.sched._effectiveOverride(id);
    this.sched.updateVm(id, changes as never, now);
    this.model.updateVm(id, { ...resolved, reservationBps: override ?? resolved.reservationBps }, now);
    this.syncReservations(this.engineClock());
    this.model.endCall();
  }

  removeVm(id: number): { wasm: number[]; model: number[] } {
    const w = this.sched.removeVm(id);
    const m = this.model.removeVm(id);
    this.syncReservations(this.engineClock());
    this.model.endCall();
    return { wasm: [...w.handles], model: m.map((p) => p.handle) };
  }

  /** the engine's clock, at which the scheduler rescales reservations (Scheduler.rescaleReservations) */
  private engineClock(): bigint { return this.sched._core.clock(); }
  enqueue(vms: number[], lens: number[], handles: number[], hashes: number[], now: bigint): { wasm: number[]; model: number[] } {
    const r = this.sched.enqueue(vms, lens, handles, hashes, now);
    // the API splits a long batch into calls of batchSize; the model's event ring follows the same calls
    const model: number[] = [];
    for (let i = 0; i < vms.length; i += this.cap.batchSize) {
      model.push(...this.model.enqueue(vms.slice(i, i + this.cap.batchSize), lens.slice(i, i + this.cap.batchSize), handles.slice(i, i + this.cap.batchSize), hashes.slice(i, i + this.cap.batchSize), now));
      this.model.endCall();
    }
    return { wasm: [...r.statuses.subarray(0, r.count)], model };
  }

  poll(now: bigint): { wasm: number[][]; model: number[][]; wakeWasm: bigint | null; wakeModel: bigint | null } {
    const r = this.sched.poll(now);
    const w: number[][] = [];
    for (let i = 0; i < r.count; i++) w.push([r.handles[i]!, r.nics[i]!, r.vms[i]!, r.lengths[i]!]);
    const m = this.model.poll(now, this.cap.batchSize).map((d) => [d.handle, d.nic, d.vm, d.len]);
    this.model.endCall();
    return { wasm: w, model: m, wakeWasm: this.sched._engineWake, wakeModel: this.model.nextWake };
  }

  completed(nic: number, count: number): { wasm: number; model: number } {
    const r = { wasm: this.sched.completed(nic, count), model: this.model.completed(nic, count) };
    this.model.endCall();
    return r;
  }

  vmMove(vm: number, nic: number, now: bigint): { wasm: number; model: number } {
    const r = { wasm: this.sched._core.vmMove(vm, nic, now), model: this.model.vmMove(vm, nic, now) };
    (this.sched as unknown as { drainEvents(): void }).drainEvents();
    this.model.endCall();
    return r;
  }

  setLink(nic: number, up: boolean, now: bigint): void {
    this.sched.setLink(nic, up, now);
    this.model.setLink(nic, up, now);
    this.syncReservations(this.engineClock());
    this.model.endCall();
  }

  /** Counters of both sides in one comparable shape. */
  counters(): { wasm: unknown; model: unknown } {
    const s = this.sched.stats();
    const wasm = {
      vms: s.vms.map((v) => [v.id, v.queuedPackets, v.inFlightPackets, v.acceptedPackets, v.acceptedBytes, v.releasedPackets, v.releasedBytes,
        v.sentPackets, v.sentBytes, v.fullPackets, v.returnedPackets, v.resteeredPackets, v.pauses, v.reservationBytes, v.delayHistogram, v.delayMaxNs]),
      nics: s.nics.map((n) => [n.index, n.up, n.inFlightPackets, n.inFlightBytes, n.sentPackets, n.sentBytes, n.releasedPackets, n.failovers, n.resteeredPackets, n.pinnedVms, n.reservedBps, n.badCompletions]),
      team: [s.team.malformed, s.team.unknownVm, s.team.badLength, s.team.polls, s.team.resteered, s.team.failovers, s.team.badCompletions, s.team.clockBackwards, s.team.poolFree],
    };
    const m = this.model;
    const model = {
      vms: s.vms.map((v) => { const x = m.vms[v.id]!; return [v.id, x.queue.length, x.inflight, x.st.acceptedPackets, x.st.acceptedBytes, x.st.releasedPackets, x.st.releasedBytes,
        x.st.sentPackets, x.st.sentBytes, x.st.fullPackets, x.st.returnedPackets, x.st.resteeredPackets, x.st.pauses, x.st.reservationBytes, x.st.delayHist, x.st.delayMax * 1024]; }),
      nics: s.nics.map((n) => { const x = m.nics[n.index]!; return [n.index, x.up, x.fifo.length, Number(x.ifBytes), x.sentPackets, x.sentBytes, x.releasedPackets, x.failovers, x.resteered, x.pinned, Number(x.resSum), x.badCompletions]; }),
      team: [m.team.malformed, m.team.unknownVm, m.team.badLength, m.team.polls, m.team.resteered, m.team.failovers, m.team.badCompletions, m.team.clockBackwards, m.poolFree],
    };
    return { wasm, model };
  }
}

const idx = (name: string | null) => (name === null ? null : Number(name.replace('nic', '')));

export function normPublic(_s: Scheduler, t: EventName, e: SchedulerEvents[EventName]): Norm | null {
  switch (t) {
    case 'link': { const x = e as SchedulerEvents['link']; return ['link', idx(x.nic), x.up]; }
    case 'failover': { const x = e as SchedulerEvents['failover']; return ['failover', idx(x.nic), x.moves.map((m) => [m.vm, idx(m.from), idx(m.to)]), x.resteered]; }
    case 'failback': { const x = e as SchedulerEvents['failback']; return ['failback', idx(x.nic), x.moves.map((m) => [m.vm, idx(m.from), idx(m.to)])]; }
    case 'team-down': return ['team-down'];
    case 'team-up': return ['team-up'];
    case 'vm-pause': case 'vm-resume': { const x = e as SchedulerEvents['vm-pause']; return [t, x.vm, x.queuedPackets, x.queuedBytes]; }
    case 'returned': { const x = e as SchedulerEvents['returned']; return ['returned', x.vm, x.handle, x.length, idx(x.nic)]; }
    case 'capacity': { const x = e as SchedulerEvents['capacity']; return ['capacity', idx(x.nic), x.reservedBps, x.availableBps]; }
    case 'events-lost': return ['events-lost', (e as SchedulerEvents['events-lost']).count];
    default: return null; // notify is derived from moves
  }
}

export function normRaw(events: RawEvent[]): Norm[] {
  const out: Norm[] = [];
  let moves: Norm[] = [];
  const n = (i: number) => (i === NIL ? null : i);
  for (const e of events) {
    switch (e.type) {
      case EV.LINK: out.push(['link', e.a, e.b === 1]); break;
      case EV.MOVED: moves.push([e.a, n(e.b), n(e.c)]); break;
      case EV.FAILOVER: out.push(['failover', e.a, moves, e.c]); moves = []; break;
      case EV.FAILBACK: out.push(['failback', e.a, moves]); moves = []; break;
      case EV.TEAM_DOWN: out.push(['team-down']); break;
      case EV.TEAM_UP: out.push(['team-up']); break;
      case EV.PAUSE: out.push(['vm-pause', e.a, e.b, e.x]); break;
      case EV.RESUME: out.push(['vm-resume', e.a, e.b, e.x]); break;
      case EV.RETURNED: out.push(['returned', e.a, e.b, e.x, e.c]); break;
      case EV.CAPACITY: out.push(['capacity', n(e.a), e.x, e.y]); break;
      case 0: out.push(['events-lost', e.a]); break;
    }
  }
  return out;
}
