// soak.ts — the long run: 10^5 VM add/remove cycles and 10^8 packets through
// the full pipeline (pre-classified enqueue plus raw frames, schedule, NIC
// select, completions), checking that Wasm memory never changes and the JS
// heap stays flat (sampled after a forced GC; first/last/max and the
// least-squares slope per 10^6 packets are reported), then that conservation
// holds and the pool is whole again once the traffic drains.
//
//   node --expose-gc --import tsx scripts/soak.ts [--packets N] [--cycles C]
//
// Batches of 256; one batch in 16 goes through enqueueFrames. Every data-path
// buffer is allocated once, up front: the loop itself should allocate nothing
// except in removeVm (which returns the handed-back handles as new arrays).

import { createScheduler } from '../src/index.js';
import { buildFrame } from '../src/frames/build.js';

const arg = (name: string, dflt: number) => { const i = process.argv.indexOf(`--${name}`); return i > 0 ? Number(process.argv[i + 1]) : dflt; };
const PACKETS = arg('packets', 1e8), CYCLES = arg('cycles', 1e5);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) console.warn('soak: run with node --expose-gc for meaningful heap samples');

const NICS = 4, SPEED = 10e9, BATCH = 256, MAX_VMS = 256, FIXED = 32;
const macOf = (k: number) => `02:${[(k >>> 24) & 255, (k >>> 16) & 255, (k >>> 8) & 255, k & 255, 0xa5].map((b) => b.toString(16).padStart(2, '0')).join(':')}`;

async function main(): Promise<void> {
  const s = await createScheduler({
    nics: Array.from({ length: NICS }, (_, i) => ({ name: `vmnic${i}`, speed: SPEED, inFlightBytes: 64_000 })),
    teaming: { policy: 'port-id' },
    capacity: { maxVms: MAX_VMS, maxMacs: 1024, queuePackets: 512, batchSize: BATCH, poolPackets: 65_536 },
    clock: () => 0n,
  });
  const mem0 = s.memoryBytes;
  // FIXED VMs that live for the whole run (frames use their MACs); the rest churn
  const fixed: number[] = [];
  for (let k = 0; k < FIXED; k++) fixed.push(s.addVm({ name: `fixed${k}`, mac: macOf(k + 1), shares: 50 + k * 10, ...(k % 4 === 0 ? { limit: '2Gbit' } : {}), ...(k % 5 === 0 ? { reservation: '100Mbit' } : {}) }, 0n));
  const churn: number[] = [];
  let macSeq = 1_000_000, name = 0;
  const addChurned = (now: bigint) => churn.push(s.addVm({ name: `c${name++}`, mac: macOf(macSeq++), shares: 100, priority: name % 8 }, now));
  for (let k = 0; k < 160; k++) addChurned(0n);

  // data-path buffers, allocated once
  const vmsIn = new Uint32Array(BATCH), lens = new Uint32Array(BATCH), handles = new Uint32Array(BATCH), hashes = new Uint32Array(BATCH);
  const frames = Array.from({ length: BATCH }, (_, i) => buildFrame({ src: macOf((i % FIXED) + 1), dst: '00:11:22:33:44:55', ipv4: { src: `10.0.${i}.1`, dst: '10.9.0.1' }, l4: { proto: 'udp', sport: 1000 + i, dport: 53 }, length: 64 + ((i * 37) % 1400) }));
  const frameHandles = new Uint32Array(BATCH);
  const inflight = new Float64Array(NICS); // packets released per NIC since the last completion

  let now = 0n, handle = 1, released = 0, batches = 0, cycles = 0, accepted = 0, handedBack = 0;
  const samples: { packets: number; heap: number; mem: number }[] = [];
  const sample = () => { gc?.(); samples.push({ packets: released, heap: process.memoryUsage().heapUsed, mem: s.memoryBytes }); };
  sample();
  const t0 = performance.now();
  let lastPrint = t0;
  const sampleEvery = Math.max(BATCH, Math.floor(PACKETS / 50));
  let nextSample = sampleEvery;
  const cycleEvery = Math.max(1, Math.floor(PACKETS / BATCH / CYCLES));

  while (released < PACKETS) {
    batches++;
    if (batches % 16 === 0) {
      for (let i = 0; i < BATCH; i++) frameHandles[i] = handle++;
      accepted += s.enqueueFrames(frames, frameHandles, undefined, now).accepted;
    } else {
      const nLive = churn.length;
      for (let i = 0; i < BATCH; i++) {
        const k = (batches * 7 + i * 13) % (FIXED + nLive);
        vmsIn[i] = k < FIXED ? fixed[k]! : churn[k - FIXED]!;
        lens[i] = 64 + ((i * 97 + batches) % 1437);
        handles[i] = handle++;
        hashes[i] = (i * 2654435761) >>> 0;
      }
      accepted += s.enqueue(vmsIn, lens, handles, hashes, now).accepted;
    }
    // schedule until a poll returns less than a batch; NICs complete everything they got
    let bytes = 0;
    for (;;) {
      const r = s.poll(now);
      for (let i = 0; i < r.count; i++) { inflight[r.nics[i]!]!++; bytes += r.lengths[i]!; }
      released += r.count;
      for (let n = 0; n < NICS; n++) if (inflight[n]) { s.completed(n, inflight[n]!); inflight[n] = 0; }
      if (r.count < BATCH) break;
    }
    now += BigInt(Math.max(1000, Math.ceil((bytes * 8) / (SPEED * NICS) * 1e9)));
    if (batches % cycleEvery === 0 && cycles < CYCLES) {
      const at = (batches / cycleEvery) % churn.length;
      handedBack += s.removeVm(churn[at]!).handles.length;
      churn.splice(at, 1);
      addChurned(now);
      cycles++;
    }
    if (released >= nextSample) { nextSample += sampleEvery; sample(); if (s.memoryBytes !== mem0) throw new Error(`Wasm memory grew: ${mem0} -> ${s.memoryBytes}`); }
    const tNow = performance.now();
    if (tNow - lastPrint > 5000) {
      lastPrint = tNow;
      const rate = released / ((tNow - t0) / 1000);
      console.log(`  ${(released / 1e6).toFixed(1)} M packets (${(100 * released / PACKETS).toFixed(1)}%), ${cycles} VM cycles, ${(rate / 1e6).toFixed(2)} Mpps, heap ${(samples[samples.length - 1]!.heap / 2 ** 20).toFixed(1)} MiB, ETA ${((PACKETS - released) / rate).toFixed(0)} s`);
    }
  }
  // finish the VM cycles if the packets ran out first
  while (cycles < CYCLES) { handedBack += s.removeVm(churn.shift()!).handles.length; addChurned(now); cycles++; }
  sample();
  const sec = (performance.now() - t0) / 1000;

  // conservation over the VMs still alive, then drain and check the pool is whole
  const st = s.stats();
  let bad = 0;
  for (const v of st.vms) if (v.acceptedPackets !== v.sentPackets + v.queuedPackets + v.inFlightPackets + v.returnedPackets + v.droppedPackets) bad++;
  for (let round = 0; round < 100_000; round++) {
    now += 1_000_000n;
    const r = s.poll(now);
    for (let i = 0; i < r.count; i++) inflight[r.nics[i]!]!++;
    for (let n = 0; n < NICS; n++) if (inflight[n]) { s.completed(n, inflight[n]!); inflight[n] = 0; }
    if (r.count === 0) break;
  }
  const end = s.stats();
  const queued = end.vms.reduce((a, v) => a + v.queuedPackets, 0);

  // heap slope: least squares of heapUsed over packets (bytes per 10^6 packets), after the first 10% (warm-up)
  const warm = samples.filter((x) => x.packets >= PACKETS / 10);
  const mx = warm.reduce((a, x) => a + x.packets, 0) / warm.length, my = warm.reduce((a, x) => a + x.heap, 0) / warm.length;
  const slope = warm.reduce((a, x) => a + (x.packets - mx) * (x.heap - my), 0) / Math.max(1, warm.reduce((a, x) => a + (x.packets - mx) ** 2, 0));
  const heaps = samples.map((x) => x.heap);
  const mib = (b: number) => Number((b / 2 ** 20).toFixed(2));
  console.log('\nsoak summary');
  console.table({
    'packets released': released, 'packets accepted': accepted, batches, 'VM add/remove cycles': cycles, 'packets handed back by removeVm': handedBack,
    seconds: Number(sec.toFixed(1)), Mpps: Number((released / sec / 1e6).toFixed(2)),
    'Wasm memory first (bytes)': mem0, 'Wasm memory last (bytes)': s.memoryBytes, 'Wasm memory max (bytes)': Math.max(...samples.map((x) => x.mem)),
    'heapUsed first (MiB)': mib(heaps[0]!), 'heapUsed last (MiB)': mib(heaps[heaps.length - 1]!), 'heapUsed max (MiB)': mib(Math.max(...heaps)),
    'heap slope after warm-up (bytes / 10^6 packets)': Math.round(slope * 1e6), 'heap samples': samples.length,
    'VMs violating conservation': bad, 'queued after drain': queued, 'pool free after drain': end.team.poolFree, 'pool size': end.team.poolPackets,
  });
  const ok = s.memoryBytes === mem0 && bad === 0 && queued === 0 && end.team.poolFree === end.team.poolPackets && Math.abs(slope * 1e6) < 64 * 1024;
  console.log(ok ? 'result: memory flat, conservation holds, pool whole' : 'result: FAILED (see the table)');
  process.exit(ok ? 0 : 1);
}

void main();
