// config.test.ts — configuration errors are NicteamErrors with a stable code,
// the field's path and the allowed range; units parse as documented.
import { describe, it, expect } from 'vitest';
import { createScheduler, NicteamError, parseRate, parseSize } from '../src/index.js';

async function err(p: Promise<unknown> | (() => unknown)): Promise<NicteamError> {
  try { await (typeof p === 'function' ? p() : p); } catch (e) { expect(e).toBeInstanceOf(NicteamError); return e as NicteamError; }
  throw new Error('expected a NicteamError');
}

describe('units', () => {
  it('rates and sizes', () => {
    expect(parseRate('10Gbit')).toBe(10e9);
    expect(parseRate('500 Mbit')).toBe(500e6);
    expect(parseRate('64Kbit')).toBe(64e3);
    expect(parseRate('1.5Gbps')).toBe(1.5e9);
    expect(parseRate(2500)).toBe(2500);
    expect(parseRate('fast')).toBeUndefined();
    expect(parseRate(-1)).toBeUndefined();
    expect(parseSize('256KiB')).toBe(262144);
    expect(parseSize('1MB')).toBe(1e6);
    expect(parseSize('9000')).toBe(9000);
    expect(parseSize('1.5B')).toBeUndefined();
  });
});

describe('config errors', () => {
  it('unknown keys are rejected with the path', async () => {
    const e = await err(createScheduler({ nics: [{ name: 'a', speed: 1e9, sped: 2 } as never] }));
    expect(e.code).toBe('UNKNOWN_KEY');
    expect(e.field).toBe('nics[0].sped');
  });
  it('out of range names the field and the range', async () => {
    const s = await createScheduler({ nics: [{ name: 'a', speed: '10Gbit' }] });
    const e = await err(() => s.addVm({ name: 'v', shares: 0 }));
    expect(e.code).toBe('OUT_OF_RANGE');
    expect(e.field).toBe('vm.shares');
    const e2 = await err(() => s.addVm({ name: 'v', limit: '10bit' }));
    expect(e2.code).toBe('OUT_OF_RANGE');
    expect(e2.message).toMatch(/vm\.limit.*1000 to 1000000000000 bit\/s/);
    const e3 = await err(() => s.addVm({ name: 'v', limit: 'lots' }));
    expect(e3.field).toBe('vm.limit');
    expect(e3.message).toMatch(/expected a rate/);
  });
  it('contradictions are INCONSISTENT', async () => {
    const s = await createScheduler({ nics: [{ name: 'a', speed: '10Gbit' }] });
    expect((await err(() => s.addVm({ name: 'v', reservation: '2Gbit', limit: '1Gbit' }))).code).toBe('INCONSISTENT');
    expect((await err(() => s.addVm({ name: 'v', limit: '2Gbit', peak: '1Gbit' }))).code).toBe('INCONSISTENT');
  });
  it('duplicates, unknown VMs and NICs, capacity', async () => {
    const s = await createScheduler({ nics: [{ name: 'a', speed: '10Gbit' }], capacity: { maxVms: 1 } });
    s.addVm({ name: 'v', mac: '00:50:56:00:00:01' });
    expect((await err(() => s.addVm({ name: 'v' }))).code).toBe('DUPLICATE');
    expect((await err(() => s.addVm({ name: 'w' }))).code).toBe('CAPACITY');
    expect((await err(() => s.updateVm(42, { shares: 5 }))).code).toBe('UNKNOWN_VM');
    expect((await err(() => s.setLink('zz', false))).code).toBe('UNKNOWN_NIC');
    expect((await err(createScheduler({ nics: [{ name: 'a', speed: 1e9 }, { name: 'a', speed: 1e9 }] }))).code).toBe('DUPLICATE');
  });
  it('a failed update leaves the previous config in force', async () => {
    const s = await createScheduler({ nics: [{ name: 'a', speed: '10Gbit' }] });
    const v = s.addVm({ name: 'v', limit: '2Gbit', reservation: '1Gbit' });
    const before = { ...s.vmConfig(v) };
    await err(() => s.updateVm(v, { reservation: '3Gbit' }));
    expect(s.vmConfig(v)).toEqual(before);
  });
});

describe('clearing a limit', () => {
  it('updateVm({ limit: 0 }) removes the limit: the VM is no longer held', async () => {
    const s = await createScheduler({ nics: [{ name: 'a', speed: '10Gbit', inFlightBytes: 1 << 20 }], clock: () => 0n });
    const v = s.addVm({ name: 'v', limit: '1Mbit', burst: 3000 });
    s.enqueue(v, [1500, 1500, 1500, 1500], [1, 2, 3, 4], undefined, 1n);
    expect(s.poll(1n).count).toBe(2); // the burst, then held
    s.updateVm(v, { limit: 0 }, 2n);
    expect(s.vmConfig(v).limitBps).toBe(0);
    expect(s.poll(3n).count).toBe(2);
  });
});
