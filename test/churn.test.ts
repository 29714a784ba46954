// churn.test.ts — VMs come and go for a long time: 10^4 add/remove cycles with
// traffic in flight, link flaps and MAC reuse. Wasm memory stays the size it
// had at creation (DESIGN §7), the MAC table (open addressing with tombstones,
// assembly/mactable.ts) keeps classifying every live MAC to its VM and every
// removed MAC to nobody, every handle comes back exactly once, and when the
// traffic stops the pool is whole again. The long version is scripts/soak.ts.
import { describe, it, expect } from 'vitest';
import { createScheduler, Status } from '../src/index.js';
import { buildFrame } from '../src/frames/build.js';
import { Rng } from '../scripts/fuzz.js';

const macOf = (k: number) => `02:${[k >>> 24, (k >>> 16) & 255, (k >>> 8) & 255, k & 255, 0x5a].map((b) => b.toString(16).padStart(2, '0')).join(':')}`;
const frameFrom = (mac: string, len: number) => buildFrame({ src: mac, dst: '00:11:22:33:44:55', ipv4: { src: '10.0.0.1', dst: '10.0.0.2' }, l4: { proto: 'udp', sport: 7, dport: 9 }, length: len });

describe('VM churn', () => {
  it('10^4 add/remove cycles with traffic: memory constant, MAC table exact, handles exactly once, pool whole', async () => {
    const maxVms = 48, poolPackets = 2048;
    const s = await createScheduler({
      nics: [{ name: 'n0', speed: 10e9, inFlightBytes: 9000 }, { name: 'n1', speed: 10e9, inFlightBytes: 9000 }],
      teaming: { policy: 'port-id' }, capacity: { maxVms, maxMacs: 64, queuePackets: 32, poolPackets, batchSize: 64 }, clock: () => 0n,
    });
    const mem0 = s.memoryBytes;
    const g = new Rng(0xc4a7);
    const live = new Map<number, string[]>();  // vm -> MACs
    const removedMacs: string[] = [];
    const outstanding = new Set<number>();
    const inflight: number[][] = [[], []];
    let handle = 1, macSeq = 1, now = 0n, cycles = 0, released = 0, handedBack = 0, returned = 0;
    s.on('returned', (e) => { expect(outstanding.delete(e.handle)).toBe(true); returned++; });
    s.on('events-lost', () => { throw new Error('event ring overflowed: the test would lose returned handles'); });

    const checkMacs = (): void => {
      const macs = [...live.values()].flat();
      const probe = [...macs, ...removedMacs.slice(-64), macOf(0x7fffffff)];
      const frames = probe.map((m) => frameFrom(m, 64));
      const r = s.enqueueFrames(frames, frames.map(() => 0), undefined, now);
      probe.forEach((m, i) => {
        const owner = [...live].find(([, ms]) => ms.includes(m))?.[0];
        expect(r.vms[i], `MAC ${m} after ${cycles} cycles`).toBe(owner ?? 0xffffffff);
        if (r.statuses[i] === Status.queued) outstanding.add(0); // handle 0 marks probes; drained below
      });
    };

    for (cycles = 0; cycles < 10_000; cycles++) {
      now += 20_000n;
      // add until half full, then replace one VM per cycle
      while (live.size < maxVms / 2) {
        const macs = g.chance(0.2) ? [macOf(macSeq++), macOf(macSeq++)] : [macOf(macSeq++)];
        // sometimes give a new VM a MAC that an old, removed VM had (tombstone reuse)
        if (removedMacs.length && g.chance(0.3)) macs[0] = removedMacs.splice(g.int(removedMacs.length), 1)[0]!;
        const id = s.addVm({ name: `vm${cycles}-${macSeq}`, mac: macs, limit: g.chance(0.3) ? '2Gbit' : undefined, reservation: g.chance(0.2) ? '100Mbit' : 0 }, now);
        live.set(id, macs);
      }
      // traffic from a few live VMs, classified by source MAC
      const senders = [...live.keys()].filter(() => g.chance(0.2));
      const frames: Uint8Array[] = [], handles: number[] = [];
      for (const vm of senders) for (let k = 0; k < 4; k++) { frames.push(frameFrom(g.pick(live.get(vm)!), 64 + g.int(1400))); handles.push(handle++); }
      const r = s.enqueueFrames(frames, handles, undefined, now);
      for (let i = 0; i < frames.length; i++) if (r.statuses[i] === Status.queued) outstanding.add(handles[i]!);
      // release and complete some
      const p = s.poll(now);
      for (let i = 0; i < p.count; i++) { inflight[p.nics[i]!]!.push(p.handles[i]!); released++; }
      for (let n = 0; n < 2; n++) {
        const k = g.int(inflight[n]!.length + 1);
        expect(s.completed(n, k)).toBe(k);
        for (const h of inflight[n]!.splice(0, k)) outstanding.delete(h);
      }
      // remove one VM: its queue comes back now, its in-flight packets complete later
      const victim = g.pick([...live.keys()]);
      const back = s.removeVm(victim);
      for (const h of back.handles) { expect(outstanding.delete(h) || h === 0).toBe(true); handedBack++; }
      removedMacs.push(...live.get(victim)!);
      live.delete(victim);
      // now and then a NIC flaps: packets of removed VMs come back as 'returned'
      if (cycles % 97 === 0) { const n = g.int(2); s.setLink(n, false, now); inflight[n] = []; s.setLink(n, true, now); }
      if (cycles % 1000 === 999) { checkMacs(); expect(s.memoryBytes).toBe(mem0); }
    }
    // drain: complete everything, release everything, remove every VM
    for (let round = 0; round < 10_000 && (s.stats().team.poolFree < poolPackets); round++) {
      now += 1_000_000n;
      for (let n = 0; n < 2; n++) { s.completed(n, inflight[n]!.length); for (const h of inflight[n]!) outstanding.delete(h); inflight[n] = []; }
      const p = s.poll(now);
      for (let i = 0; i < p.count; i++) inflight[p.nics[i]!]!.push(p.handles[i]!);
      if (p.count === 0 && inflight.every((f) => f.length === 0)) for (const vm of [...live.keys()]) { for (const h of s.removeVm(vm).handles) outstanding.delete(h); live.delete(vm); }
    }
    expect(s.stats().team.poolFree).toBe(poolPackets);
    expect([...outstanding].filter((h) => h !== 0)).toEqual([]);
    expect(s.memoryBytes).toBe(mem0);
    expect(released).toBeGreaterThan(10_000);
    expect(handedBack + returned).toBeGreaterThan(100);
    // the table, full of tombstones now, still answers: a fresh VM with a fresh MAC, and an unknown MAC
    const id = s.addVm({ name: 'last', mac: macOf(macSeq++) }, now);
    const r = s.enqueueFrames([frameFrom(s.vmMacs(id)[0]!, 100), frameFrom(macOf(0x7ffffffe), 100)], [1, 2], undefined, now);
    expect([r.vms[0], r.vms[1]]).toEqual([id, 0xffffffff]);
  });
});
