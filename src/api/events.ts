// events.ts — the typed events a scheduler emits, and a tiny emitter.
//
// Events are decoded from the Wasm event ring after each call into the core
// and delivered synchronously, in ring order, after the batch is complete (never
// in the middle of one). A listener that throws does not disturb the engine:
// the error is rethrown asynchronously (queueMicrotask) so it still surfaces.

import type { Advice } from './advice.js';

export interface VmMove { vm: number; name: string | undefined; from: string | null; to: string | null }

export interface SchedulerEvents {
  /** The host reported a link change. */
  link: { nic: string; up: boolean };
  /** A NIC went down: pinned VMs moved, in-flight packets were re-queued at the head of their VMs' queues. */
  failover: { nic: string; moves: VmMove[]; resteered: number };
  /** A NIC came back: VMs moved (back) onto it or onto any up NIC. */
  failback: { nic: string; moves: VmMove[] };
  /** A VM's MACs now leave through another NIC: send RARP / gratuitous ARP for them. */
  notify: { vm: number; name: string | undefined; macs: string[]; nic: string };
  /** Every NIC is down: packets queue up to their VMs' limits. */
  'team-down': Record<string, never>;
  /** The first NIC came back after team-down. */
  'team-up': Record<string, never>;
  /**
   * Stop pulling from this VM's vNIC: its queue reached its high watermark
   * (reason 'watermark'), or it just moved NIC and teaming.pauseOnFailoverMs is set
   * (reason 'failover', while the physical switches relearn its MACs).
   */
  'vm-pause': { vm: number; name: string | undefined; queuedPackets: number; queuedBytes: number; reason: 'watermark' | 'failover' };
  /** Pull again: the queue fell to its low watermark, or the failover pause ended (queued fields -1 then). */
  'vm-resume': { vm: number; name: string | undefined; queuedPackets: number; queuedBytes: number; reason: 'watermark' | 'failover' };
  /** load-based policy: a VM moved off a NIC that stayed above the utilization threshold for the window. */
  rebalance: { vm: number; name: string | undefined; from: string; to: string; fromUtilization: number; toUtilization: number; vmRateBps: number };
  /** A packet of a removed VM came back from a failed NIC: the host owns it again. */
  returned: { vm: number; handle: number; length: number; nic: string };
  /** Reservations no longer fit the capacity that is up (team-wide when nic is null). */
  capacity: { nic: string | null; reservedBps: number; availableBps: number };
  /** Advice for the host: suspend a VM persistently over its limit, or migrate VMs when reservations do not fit or a VM starves. */
  advice: Advice;
  /** The event ring overflowed: this many events were lost (the ring size is capacity.eventCapacity). */
  'events-lost': { count: number };
}

export type EventName = keyof SchedulerEvents;
export type Listener<K extends EventName> = (e: SchedulerEvents[K]) => void;

export class Emitter {
  private readonly map = new Map<EventName, Set<(e: unknown) => void>>();

  on<K extends EventName>(type: K, fn: Listener<K>): () => void {
    let set = this.map.get(type);
    if (!set) this.map.set(type, (set = new Set()));
    set.add(fn as (e: unknown) => void);
    return () => this.off(type, fn);
  }

  off<K extends EventName>(type: K, fn: Listener<K>): void {
    this.map.get(type)?.delete(fn as (e: unknown) => void);
  }

  has(type: EventName): boolean {
    return (this.map.get(type)?.size ?? 0) > 0;
  }

  emit<K extends EventName>(type: K, e: SchedulerEvents[K]): void {
    const set = this.map.get(type);
    if (set) for (const fn of [...set]) {
      try { fn(e); } catch (err) { queueMicrotask(() => { throw err; }); }
    }
    const all = this.map.get('*' as EventName);
    if (all) for (const fn of [...all]) {
      try { (fn as (t: string, e: unknown) => void)(type, e); } catch (err) { queueMicrotask(() => { throw err; }); }
    }
  }

  /** Listens to every event: fn(type, event). */
  onAny(fn: (type: EventName, e: SchedulerEvents[EventName]) => void): () => void {
    let set = this.map.get('*' as EventName);
    if (!set) this.map.set('*' as EventName, (set = new Set()));
    set.add(fn as (e: unknown) => void);
    return () => set!.delete(fn as (e: unknown) => void);
  }
}
