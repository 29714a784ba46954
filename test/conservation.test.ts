// conservation.test.ts — DESIGN §4: nothing disappears without a counter.
// Random operation sequences (enqueue to unknown VMs and with bad lengths,
// polls, completions with wrong counts, link flaps, VM removal) are applied to
// the public API while the test keeps its own ledger of every handle the
// engine accepted. After EVERY call:
//   - per VM: accepted = sent + queued + in flight + returned + dropped
//     (packets, and bytes with in-flight bytes from the ledger), and each
//     counter equals the ledger's;
//   - per call: statuses match the counters they feed (accepted, full,
//     unknown-vm, malformed);
//   - per NIC: in-flight packets/bytes equal the ledger's FIFO for that NIC;
//   - the slot pool: free = pool − queued (live VMs) − in flight (all NICs).
// At the end the team is drained; every accepted handle must then have been
// completed exactly once or handed back (removeVm / `returned`) exactly once.
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { createScheduler, type Scheduler } from '../src/index.js';

const seen = { full: 0, unknown: 0, malformed: 0, removedQueued: 0, returnedEvents: 0, resteered: 0, refusedCompletions: 0, completed: 0 };

type HState = { state: 'queued' | 'inflight' | 'done' | 'returned'; vm: number; len: number; nic: number };

class Ledger {
  handles = new Map<number, HState>();
  fifo: number[][];
  up: boolean[];
  live = new Map<number, { accepted: number; acceptedBytes: number; sent: number; sentBytes: number; returned: number; returnedBytes: number }>();
  returnedEvents: { vm: number; handle: number; length: number; nic: string }[] = [];
  constructor(readonly s: Scheduler, nics: number) {
    this.fifo = Array.from({ length: nics }, () => []);
    this.up = Array.from({ length: nics }, () => true);
    s.on('returned', (e) => this.returnedEvents.push(e));
  }
  counters(vm: number) { return this.live.get(vm); }

  check(label: string): void {
    const st = this.s.stats();
    const byVm = new Map<number, { q: number; qb: number; f: number; fb: number }>();
    for (const h of this.handles.values()) {
      const c = byVm.get(h.vm) ?? { q: 0, qb: 0, f: 0, fb: 0 };
      if (h.state === 'queued') { c.q++; c.qb += h.len; }
      if (h.state === 'inflight') { c.f++; c.fb += h.len; }
      byVm.set(h.vm, c);
    }
    expect(st.vms.map((v) => v.id).sort((a, b) => a - b), label).toEqual([...this.live.keys()].sort((a, b) => a - b));
    for (const v of st.vms) {
      const led = this.live.get(v.id)!, c = byVm.get(v.id) ?? { q: 0, qb: 0, f: 0, fb: 0 };
      const at = `${label}: vm ${v.id}`;
      expect(v.acceptedPackets, at).toBe(v.sentPackets + v.queuedPackets + v.inFlightPackets + v.returnedPackets + v.droppedPackets);
      expect(v.acceptedBytes, at).toBe(v.sentBytes + v.queuedBytes + c.fb + v.returnedBytes);
      expect([v.acceptedPackets, v.acceptedBytes, v.sentPackets, v.sentBytes, v.returnedPackets, v.returnedBytes, v.queuedPackets, v.queuedBytes, v.inFlightPackets, v.droppedPackets], at)
        .toEqual([led.accepted, led.acceptedBytes, led.sent, led.sentBytes, led.returned, led.returnedBytes, c.q, c.qb, c.f, 0]);
    }
    let inFlight = 0;
    for (const n of st.nics) {
      const f = this.fifo[n.index]!;
      expect([n.inFlightPackets, n.inFlightBytes], `${label}: nic ${n.index}`).toEqual([f.length, f.reduce((s, h) => s + this.handles.get(h)!.len, 0)]);
      inFlight += f.length;
    }
    const queued = st.vms.reduce((s, v) => s + v.queuedPackets, 0);
    expect(st.team.poolFree, `${label}: pool`).toBe(st.team.poolPackets - queued - inFlight);
  }
}

const op = fc.oneof(
  { weight: 3, arbitrary: fc.record({ k: fc.constant('add' as const), queuePackets: fc.integer({ min: 1, max: 24 }), limit: fc.option(fc.integer({ min: 1, max: 50 }).map((x) => x * 1e8), { nil: undefined }), shares: fc.integer({ min: 1, max: 10_000 }) }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('remove' as const), pick: fc.nat() }) },
  { weight: 6, arbitrary: fc.record({
    k: fc.constant('enqueue' as const), target: fc.oneof({ weight: 8, arbitrary: fc.nat() }, { weight: 1, arbitrary: fc.constant(-1) }, { weight: 1, arbitrary: fc.constant(-2) }),
    lens: fc.array(fc.oneof({ weight: 10, arbitrary: fc.integer({ min: 60, max: 9000 }) }, { weight: 1, arbitrary: fc.constantFrom(0, 65_535, 65_536, 70_000) }), { minLength: 1, maxLength: 40 }),
  }) },
  { weight: 6, arbitrary: fc.record({ k: fc.constant('poll' as const), dt: fc.integer({ min: 0, max: 300_000 }) }) },
  { weight: 5, arbitrary: fc.record({ k: fc.constant('complete' as const), nic: fc.nat(), n: fc.oneof({ weight: 9, arbitrary: fc.integer({ min: 0, max: 6 }) }, { weight: 1, arbitrary: fc.integer({ min: 7, max: 70 }) }) }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('link' as const), nic: fc.nat(), up: fc.boolean() }) },
);

async function run(policy: 'round-robin' | 'least-load' | 'port-id', speeds: readonly number[], ops: (typeof op extends fc.Arbitrary<infer T> ? T : never)[]): Promise<void> {
  const s = await createScheduler({
    nics: speeds.map((speed, i) => ({ name: `nic${i}`, speed, inFlightBytes: 9000 })), teaming: { policy },
    capacity: { maxVms: 8, queuePackets: 24, poolPackets: 120, batchSize: 32, eventCapacity: 4096 }, clock: () => 0n,
  });
  const L = new Ledger(s, speeds.length);
  let now = 1_000n, handle = 1, named = 0, removedId = -1;
  const mutate = (label: string, fn: () => void) => { fn(); L.check(label); };

  const applyLinkDown = (nic: number) => {
    // the engine re-steers the NIC's in-flight packets: live VMs get them back at the head of their
    // queues; packets of removed VMs come back to the host as `returned` events
    const events = L.returnedEvents.splice(0);
    for (const h of L.fifo[nic]!) {
      const x = L.handles.get(h)!;
      if (L.live.has(x.vm)) { x.state = 'queued'; seen.resteered++; }
      else {
        const e = events.findIndex((ev) => ev.handle === h && ev.vm === x.vm);
        expect(e, `handle ${h} of removed vm ${x.vm} comes back as a returned event`).toBeGreaterThanOrEqual(0);
        events.splice(e, 1);
        x.state = 'returned'; seen.returnedEvents++;
      }
    }
    expect(events, 'no returned event for a packet that was not in flight there').toEqual([]);
    L.fifo[nic] = [];
  };

  for (const o of ops) {
    switch (o.k) {
      case 'add': {
        if (L.live.size >= 6) break;
        mutate('add', () => {
          let id: number;
          try { id = s.addVm({ name: `vm${named++}`, queuePackets: o.queuePackets, shares: o.shares, ...(o.limit ? { limit: o.limit } : {}) }, now); }
          catch (e) { expect((e as { code: string }).code).toBe('CAPACITY'); return; } // slots held by removed VMs' in-flight packets
          L.live.set(id, { accepted: 0, acceptedBytes: 0, sent: 0, sentBytes: 0, returned: 0, returnedBytes: 0 });
        });
        break;
      }
      case 'remove': {
        if (!L.live.size) break;
        const id = [...L.live.keys()][o.pick % L.live.size]!;
        mutate('removeVm', () => {
          const r = s.removeVm(id);
          const queued = [...L.handles.entries()].filter(([, h]) => h.vm === id && h.state === 'queued').map(([k]) => k).sort((a, b) => a - b);
          expect([...r.handles].sort((a, b) => a - b), 'removeVm hands back exactly the queued handles').toEqual(queued);
          seen.removedQueued += r.handles.length;
          r.handles.forEach((h, i) => { expect(r.lengths[i]).toBe(L.handles.get(h)!.len); L.handles.get(h)!.state = 'returned'; });
          L.live.delete(id);
          removedId = id;
        });
        break;
      }
      case 'enqueue': {
        const ids = [...L.live.keys()];
        const vm = o.target === -1 ? 999 : o.target === -2 ? removedId : ids.length ? ids[o.target % ids.length]! : 5;
        const before = s.stats();
        const hs = o.lens.map(() => handle++);
        mutate('enqueue', () => {
          const r = s.enqueue(vm, o.lens, hs, undefined, now);
          const statuses = [...r.statuses.subarray(0, r.count)];
          expect(r.count).toBe(o.lens.length);
          expect(r.accepted).toBe(statuses.filter((x) => x === 0).length);
          const after = s.stats();
          const known = L.live.has(vm);
          statuses.forEach((st, i) => {
            const bad = o.lens[i]! === 0 || o.lens[i]! > 65_535;
            if (!known) expect(st, 'unknown VM').toBe(2);
            else if (bad) expect(st, `length ${o.lens[i]}`).toBe(4);
            else expect([0, 1]).toContain(st);
            if (st === 0) {
              L.handles.set(hs[i]!, { state: 'queued', vm, len: o.lens[i]!, nic: -1 });
              const c = L.live.get(vm)!; c.accepted++; c.acceptedBytes += o.lens[i]!;
            }
          });
          const count = (x: number) => statuses.filter((y) => y === x).length;
          seen.full += count(1); seen.unknown += count(2); seen.malformed += count(4);
          expect(after.team.unknownVm - before.team.unknownVm).toBe(count(2));
          expect(after.team.malformed - before.team.malformed).toBe(count(4));
          const full = (ss: typeof after) => ss.vms.reduce((a, v) => a + v.fullPackets, 0);
          if (known) expect(full(after) - full(before)).toBe(count(1));
        });
        break;
      }
      case 'poll': {
        now += BigInt(o.dt);
        mutate('poll', () => {
          const r = s.poll(now);
          for (let i = 0; i < r.count; i++) {
            const h = L.handles.get(r.handles[i]!);
            expect(h, `released handle ${r.handles[i]} was accepted`).toBeDefined();
            expect([h!.state, h!.vm, h!.len], `handle ${r.handles[i]} released from its VM's queue`).toEqual(['queued', r.vms[i], r.lengths[i]]);
            expect(L.up[r.nics[i]!], 'released to an up NIC').toBe(true);
            h!.state = 'inflight'; h!.nic = r.nics[i]!;
            L.fifo[r.nics[i]!]!.push(r.handles[i]!);
          }
        });
        break;
      }
      case 'complete': {
        const nic = o.nic % speeds.length;
        mutate('completed', () => {
          const done = s.completed(nic, o.n);
          expect(done, 'completions beyond what is in flight are refused').toBe(Math.min(o.n, L.fifo[nic]!.length));
          seen.completed += done; seen.refusedCompletions += o.n - done;
          for (const h of L.fifo[nic]!.splice(0, done)) {
            const x = L.handles.get(h)!;
            expect(x.state).toBe('inflight');
            x.state = 'done';
            const c = L.live.get(x.vm);
            if (c) { c.sent++; c.sentBytes += x.len; }
          }
        });
        break;
      }
      case 'link': {
        const nic = o.nic % speeds.length;
        mutate('setLink', () => {
          s.setLink(nic, o.up, now);
          if (!o.up && L.up[nic]) applyLinkDown(nic);
          L.up[nic] = o.up;
          expect(L.returnedEvents, 'returned events only come with a link going down').toEqual([]);
        });
        break;
      }
    }
  }

  // drain: every link up, then poll and complete until nothing is queued or in flight
  speeds.forEach((_, nic) => { if (!L.up[nic]) mutate('setLink up', () => { s.setLink(nic, true, now); L.up[nic] = true; }); });
  for (let guard = 0; guard < 10_000; guard++) {
    const pending = [...L.handles.values()].filter((h) => h.state === 'queued' || h.state === 'inflight').length;
    if (pending === 0) break;
    now += 1_000_000n;
    mutate('drain poll', () => {
      const r = s.poll(now);
      for (let i = 0; i < r.count; i++) {
        const h = L.handles.get(r.handles[i]!)!;
        expect(h.state).toBe('queued');
        h.state = 'inflight'; L.fifo[r.nics[i]!]!.push(r.handles[i]!);
      }
    });
    speeds.forEach((_, nic) => mutate('drain completed', () => {
      const n = L.fifo[nic]!.length;
      expect(s.completed(nic, n)).toBe(n);
      for (const h of L.fifo[nic]!.splice(0)) {
        const x = L.handles.get(h)!; x.state = 'done';
        const c = L.live.get(x.vm); if (c) { c.sent++; c.sentBytes += x.len; }
      }
    }));
  }
  const states = [...L.handles.values()].map((h) => h.state);
  expect(states.filter((x) => x !== 'done' && x !== 'returned'), 'every accepted handle ended completed or returned').toEqual([]);
  expect(s.stats().team.poolFree).toBe(s.stats().team.poolPackets);
}

describe('conservation after every call of random operation sequences', () => {
  for (const policy of ['round-robin', 'least-load', 'port-id'] as const) {
    it(`${policy}: accepted = sent + queued + in flight + returned + dropped; every handle ends exactly once`, async () => {
      await fc.assert(fc.asyncProperty(
        fc.constantFrom([10e9, 10e9], [1e9, 10e9, 25e9], [40e9]),
        fc.array(op, { minLength: 10, maxLength: 300, size: 'max' }),
        (speeds, ops) => run(policy, speeds, ops)),
      { seed: 0xc0_45e4, numRuns: 40 });
    });
  }

  it('exercised every path it claims to (full queues, unknown VMs, bad lengths, re-steering, returned packets)', () => {
    console.log(`[conservation] ${JSON.stringify(seen)}`);
    for (const [k, v] of Object.entries(seen)) expect(v, k).toBeGreaterThan(0);
  });
});
