// rescale-events.test.ts — when reservations stop fitting, the scheduler rescales
// them (DESIGN §2 rule 1) with one core update per VM; each update re-checks
// capacity and raises a `capacity` event the host already reported. Those
// repeats must never fill the event ring: a host with a small ring and many
// reserved VMs loses no event on a failover (found by npm run fuzz).
import { describe, it, expect } from 'vitest';
import { createScheduler } from '../src/index.js';

describe('reservation rescale and the event ring', () => {
  it('a failover that rescales 40 reservations loses no event with a 16-entry ring', async () => {
    const s = await createScheduler({
      nics: [{ name: 'a', speed: 1e9 }, { name: 'b', speed: 1e9 }],
      teaming: { policy: 'round-robin' },
      capacity: { maxVms: 64, eventCapacity: 16 },
      clock: () => 0n,
    });
    let lost = 0, capacity = 0, rescaled = 0;
    s.on('events-lost', (e) => { lost += e.count; });
    s.on('capacity', () => { capacity++; });
    // 40 × 40 Mbit = 1.6 Gbit/s: fits 2 × 1G, not 1G
    for (let i = 0; i < 40; i++) s.addVm({ name: `vm${i}`, mac: `02:00:00:00:00:${i.toString(16).padStart(2, '0')}`, reservation: 40e6 }, 1n);
    expect(capacity).toBe(0);
    s.setLink('b', false, 2n);
    for (let i = 0; i < 40; i++) if (s._effectiveOverride(i) !== undefined) rescaled++;
    expect(rescaled).toBe(40);   // every reservation was scaled down, one core update each
    expect(capacity).toBeGreaterThan(0);
    expect(lost).toBe(0);
    s.setLink('b', true, 3n);    // and back: every reservation restored, again without loss
    for (let i = 0; i < 40; i++) expect(s._effectiveOverride(i)).toBeUndefined();
    expect(lost).toBe(0);
    s.close();
  });
});
