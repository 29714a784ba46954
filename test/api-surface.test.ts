// api-surface.test.ts — the public surface is small and pinned: one factory,
// its types, one error class, the status table and the unit helpers.
import { describe, it, expect } from 'vitest';
import * as api from '../src/index.js';

describe('public API', () => {
  it('exports exactly the documented names', () => {
    expect(Object.keys(api).sort()).toEqual(['NicteamError', 'STATUS_NAMES', 'Scheduler', 'Status', 'createScheduler', 'formatRate', 'parseRate', 'parseSize'].sort());
  });
  it('status codes are stable', () => {
    expect(api.Status).toEqual({ queued: 0, full: 1, unknownVm: 2, forged: 3, malformed: 4 });
    expect(api.STATUS_NAMES).toEqual(['queued', 'full', 'unknown-vm', 'forged', 'malformed']);
  });
  it('a scheduler has the documented methods', async () => {
    const s = await api.createScheduler({ nics: [{ name: 'a', speed: '1Gbit' }] });
    for (const m of ['addVm', 'updateVm', 'removeVm', 'enqueue', 'enqueueFrames', 'enqueueFramesFromPorts', 'poll', 'completed',
      'setLink', 'addNic', 'removeNic', 'on', 'off', 'onAny', 'stats', 'metrics', 'close'])
      expect(typeof (s as unknown as Record<string, unknown>)[m], m).toBe('function');
  });
});
