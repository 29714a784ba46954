// fingerprint.js — a fixed engine workload whose decisions are hashed, so two
// hosts (Node, a browser page, a bundle) can prove they schedule identically.
//
// Plain ES2022 JavaScript with no imports: the static test page loads it as is,
// Vite bundles it into the demo, and Node imports it in the tests. The caller
// passes createScheduler (from dist/index.js, the demo bundle or src/), so the
// same workload exercises whichever build that host loaded.
//
// The workload: for each teaming policy, a team of three NICs (10, 10 and
// 1 Gbit/s, 30 000 B in flight each) and eight VMs with mixed shares,
// reservations, limits and priorities; 1 500 steps of 20 µs of engine time
// (a fixed clock passed to every call, never the host's). Each step enqueues a
// pseudo-random batch (mulberry32, fixed seed), polls until nothing more is
// released and completes, per NIC, the frames its line rate has sent. vmnic1
// fails at step 500 and comes back at step 1000; a VM's limit changes at 750.
// Everything the engine returns goes into the trace: statuses, every decision
// (handle, NIC, VM, length), nextWakeNs, completion counts and every event as
// JSON. Its SHA-256 (crypto.subtle, in Node 20+ and secure browser contexts,
// which http://127.0.0.1 is) is the fingerprint. Cost: ~10⁵ decisions, well
// under a second.

/** Teaming policies exercised, in this order. */
export const FINGERPRINT_POLICIES = ['port-id', 'round-robin', 'least-load', 'flow-hash', 'flowlet', 'failover-order', 'src-mac-hash'];

const STEPS = 1500;
const STEP_NS = 20_000n;
const NIC_SPEEDS = [10e9, 10e9, 1e9];
const VMS = [
  { shares: 300, reservation: 2e9, priority: 5 },
  { shares: 200, reservation: 1e9 },
  { shares: 100 },
  { shares: 50, reservation: 5e8, limit: 2e9, priority: 2 },
  { shares: 100, reservation: 2e8, priority: 7 },
  { shares: 100, limit: 3e9 },
  { shares: 1000, priority: 3, queuePackets: 64, highWatermark: 48, lowWatermark: 16 },
  { shares: 10 },
];

/** Deterministic PRNG (mulberry32): a u32 per call. */
function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

/** An append-only little-endian byte trace. */
class Trace {
  constructor() { this.buf = new Uint8Array(1 << 16); this.view = new DataView(this.buf.buffer); this.len = 0; }
  room(n) {
    if (this.len + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.len + n) size *= 2;
    const b = new Uint8Array(size); b.set(this.buf.subarray(0, this.len));
    this.buf = b; this.view = new DataView(b.buffer);
  }
  u32(x) { this.room(4); this.view.setUint32(this.len, x >>> 0, true); this.len += 4; }
  big(x) { if (x === null) { this.u32(0xffffffff); this.u32(0xffffffff); } else { this.u32(Number(x & 0xffffffffn)); this.u32(Number(x >> 32n)); } }
  text(s) { this.u32(s.length); for (let i = 0; i < s.length; i++) this.u32(s.charCodeAt(i)); }
  bytes() { return this.buf.subarray(0, this.len); }
}

async function sha256(bytes) {
  const d = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
  return Array.from(d, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** JSON with bigints as strings (events carry none today; this keeps the trace total). */
function json(x) { return JSON.stringify(x, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v)); }

async function runPolicy(createScheduler, policy, seed) {
  const rand = mulberry32(seed);
  const team = await createScheduler({
    nics: NIC_SPEEDS.map((speed, i) => ({ name: `vmnic${i}`, speed, inFlightBytes: 30_000 })),
    teaming: { policy, failback: true, notifySwitches: true },
    capacity: { maxVms: 16, queuePackets: 256, batchSize: 64, eventCapacity: 256 },
    clock: () => 0n,
  });
  const t = new Trace();
  let events = 0;
  team.onAny((type, e) => { events++; t.text(json([type, e])); });
  const ids = VMS.map((v, i) => team.addVm({ name: `vm${i}`, mac: `02:00:00:00:00:${(i + 1).toString(16).padStart(2, '0')}`, ...v }, 0n));
  ids.forEach((id) => t.u32(id));
  // NICs: FIFOs of lengths handed out and not yet completed; credit = bytes the wire has sent
  const fifo = NIC_SPEEDS.map(() => []);
  const credit = NIC_SPEEDS.map(() => 0);
  const up = NIC_SPEEDS.map(() => true);
  let now = 1_000n, handle = 1, decisions = 0, bytes = 0;
  for (let step = 0; step < STEPS; step++) {
    now += STEP_NS;
    if (step === 500 || step === 1000) {
      const u = step === 1000;
      team.setLink(1, u, now); up[1] = u;
      if (!u) { fifo[1] = []; credit[1] = 0; } // in-flight frames are re-queued by the engine (resteer)
      t.u32(0xdead0000 + step);
    }
    if (step === 750) { team.updateVm(ids[2], { limit: 1.5e9 }, now); t.u32(0xbeef0000); }
    // arrivals: 0..95 packets to random VMs, sizes 64..1518, flow hashes from 16 flows per VM
    const n = rand() % 96;
    const vms = new Uint32Array(n), lens = new Uint32Array(n), hs = new Uint32Array(n), flows = new Uint32Array(n);
    for (let i = 0; i < n; i++) {
      const v = rand() % ids.length;
      vms[i] = ids[v]; lens[i] = 64 + (rand() % 1455); hs[i] = handle++;
      flows[i] = Math.imul(v * 16 + (rand() % 16) + 1, 2654435761) >>> 0;
    }
    const st = team.enqueue(vms, lens, hs, flows, now);
    t.u32(st.accepted);
    for (let i = 0; i < st.count; i++) t.u32(st.statuses[i]);
    for (let k = 0; k < 64; k++) {
      const out = team.poll(now);
      t.u32(out.count); t.big(out.nextWakeNs);
      for (let i = 0; i < out.count; i++) {
        t.u32(out.handles[i]); t.u32(out.nics[i]); t.u32(out.vms[i]); t.u32(out.lengths[i]);
        fifo[out.nics[i]].push(out.lengths[i]);
        bytes += out.lengths[i];
      }
      decisions += out.count;
      if (out.count === 0) break;
    }
    // the wire: each up NIC sends speed × step of bytes (+24 B of overhead per frame)
    for (let i = 0; i < NIC_SPEEDS.length; i++) {
      if (!up[i]) continue;
      credit[i] += (NIC_SPEEDS[i] * Number(STEP_NS)) / 8e9;
      let done = 0;
      while (done < fifo[i].length && credit[i] >= fifo[i][done] + 24) { credit[i] -= fifo[i][done] + 24; done++; }
      if (done === fifo[i].length) credit[i] = Math.min(credit[i], 3000);
      fifo[i].splice(0, done);
      if (done) t.u32(team.completed(i, done));
    }
  }
  const s = team.stats();
  t.text(json(s.vms.map((v) => [v.id, v.sentPackets, v.sentBytes, v.queuedPackets, v.resteeredPackets])));
  t.text(json(s.nics.map((x) => [x.index, x.sentPackets, x.sentBytes, x.failovers])));
  team.close();
  return { hash: await sha256(t.bytes()), traceBytes: t.len, decisions, bytes, events };
}

/**
 * Runs the fixed workload on every policy with `createScheduler` and returns
 * the SHA-256 of all traces together plus one entry per policy.
 */
export async function engineFingerprint(createScheduler, seed = 0x5eed) {
  const perPolicy = {};
  let all = '';
  for (const p of FINGERPRINT_POLICIES) {
    const r = await runPolicy(createScheduler, p, seed);
    perPolicy[p] = r;
    all += `${p}:${r.hash}\n`;
  }
  return { hash: await sha256(new TextEncoder().encode(all)), perPolicy };
}
