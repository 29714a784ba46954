// rescale-clock.test.ts — rescaling reservations after a link change happens at the
// engine's clock (Scheduler.rescaleReservations), so it never makes the core see
// time step back: the core's clockBackwards counter counts only calls whose own
// time was behind (found by npm run fuzz: two delayed link changes falling due
// in one call, and a link change passed a time behind the clock).
import { describe, it, expect } from 'vitest';
import { createScheduler, type Scheduler } from '../src/index.js';

const MS = 1_000_000n;
async function team(downDelayMs: number): Promise<Scheduler> {
  const s = await createScheduler({
    nics: [{ name: 'a', speed: 1e9 }, { name: 'b', speed: 1e9 }, { name: 'c', speed: 1e9 }],
    teaming: { policy: 'round-robin', downDelayMs },
    capacity: { maxVms: 16 },
    clock: () => 0n,
  });
  // 8 × 300 Mbit = 2.4 Gbit/s: fits 3 × 1G, not 2 × 1G: each lost link rescales
  for (let i = 0; i < 8; i++) s.addVm({ name: `vm${i}`, mac: `02:00:00:00:00:0${i}`, reservation: 300e6 }, 1n);
  return s;
}

describe('reservation rescale and the engine clock', () => {
  it('two delayed link changes due in the same call: no step back counted', async () => {
    const s = await team(5);
    s.setLink('a', false, 10n * MS);
    s.setLink('b', false, 11n * MS);
    s.poll(100n * MS); // both fall due here, at 15 ms and 16 ms, and each rescales
    expect(s.linkState).toEqual([false, false, true]);
    expect(Array.from({ length: 8 }, (_, i) => s._effectiveOverride(i) !== undefined).every(Boolean)).toBe(true);
    expect(s.stats().team.clockBackwards).toBe(0);
    s.close();
  });

  it('a link change at a time behind the clock counts once, rescale included', async () => {
    const s = await team(0);
    s.poll(100n * MS);
    s.setLink('a', false, 50n * MS); // behind: one step back
    s.setLink('b', false, 60n * MS); // behind again; both rescale 8 VMs
    expect(Array.from({ length: 8 }, (_, i) => s._effectiveOverride(i) !== undefined).every(Boolean)).toBe(true);
    expect(s.stats().team.clockBackwards).toBe(2);
    expect(s._core.clock()).toBe(100n * MS);
    s.close();
  });
});
