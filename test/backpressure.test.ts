// backpressure.test.ts — XOFF/XON (DESIGN §4): a host that stops pulling from a
// VM on vm-pause and resumes on vm-resume never sees `full`, loses nothing and
// gets every handle completed, under 3× oversubscription; the same host
// ignoring the events does see `full` (so this test can fail).
import { describe, it, expect } from 'vitest';
import { createScheduler } from '../src/index.js';
import { HostLoop } from './support/advice-loop.js';

const S = 1_000_000_000n;

async function run(honourPause: boolean) {
  const s = await createScheduler({
    nics: [{ name: 'vmnic0', speed: 100e6, inFlightBytes: 8000 }],
    teaming: { policy: 'round-robin' }, capacity: { queuePackets: 64 }, clock: () => 0n,
  });
  const ids = ['a', 'b', 'c'].map((name) => s.addVm({ name, highWatermark: 32, lowWatermark: 16 }, 0n));
  let pauses = 0, resumes = 0;
  s.on('vm-pause', () => pauses++);
  s.on('vm-resume', () => resumes++);
  // each VM offers the whole link: 3× oversubscribed; batches of 16 ≤ queuePackets − highWatermark
  const loop = new HostLoop(s, 1_000_000n, ids.map((vm) => ({ vm, rateBps: 100e6, packetBytes: 1000, honourPause, mode: 'retry' as const, offerBatch: 16, untilNs: 2n * S })));
  loop.run(2n * S);
  const generated = [...loop.generated.values()].reduce((a, b) => a + b, 0);
  let guard = 0;
  while ((ids.some((vm) => loop.backlog(vm) > 0) || loop.outstanding.size > 0 || s.stats().vms.some((v) => v.queuedPackets > 0)) && guard++ < 20_000) loop.step();
  const st = s.stats();
  return { s, loop, st, generated, pauses, resumes };
}

describe('backpressure with watermarks', () => {
  it('a host that honours vm-pause / vm-resume sees no full, no drops, and every handle completes', async () => {
    const { loop, st, generated, pauses, resumes } = await run(true);
    expect(generated).toBeGreaterThan(70_000); // 3 × 100 Mbit/s × 2 s of 1000-byte packets
    expect(pauses).toBeGreaterThan(10);
    expect(resumes).toBe(pauses);
    expect(loop.statuses[1]).toBe(0); // full
    expect(loop.statuses.reduce((a, b) => a + b, 0)).toBe(loop.statuses[0]);
    expect(loop.completedPackets).toBe(generated);
    expect(loop.outstanding.size).toBe(0);
    for (const v of st.vms) {
      expect(v.droppedPackets).toBe(0);
      expect(v.fullPackets).toBe(0);
      expect(v.pauses).toBeGreaterThan(0);
      expect(v.queuedPackets + v.inFlightPackets).toBe(0);
      expect(v.acceptedPackets).toBe(v.sentPackets + v.queuedPackets + v.inFlightPackets + v.droppedPackets);
      expect(v.paused).toBe(false);
    }
    // the link was the bottleneck and stayed busy: ~6 s for 75 MB at 100 Mbit/s
    expect(Number(loop.t) / 1e9).toBeLessThan((generated * 1000 * 8) / 100e6 + 0.1);
  });

  it('the same host ignoring the events sees full statuses', async () => {
    const { loop, st, generated } = await run(false);
    expect(loop.statuses[1]).toBeGreaterThan(1000);
    expect(st.vms.reduce((a, v) => a + v.fullPackets, 0)).toBe(loop.statuses[1]);
    // retried, so still nothing lost
    expect(loop.completedPackets).toBe(generated);
  });
});
