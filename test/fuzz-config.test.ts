// fuzz-config.test.ts — every field of every config object, given every kind
// of wrong value, is rejected with a NicteamError: a stable code, `field`
// naming the offending path and a message that contains it; never a
// TypeError/RangeError/ZodError leaking (DESIGN §6). A failed updateVm leaves
// the previous config fully in force: vmConfig() unchanged and the same
// decision trace as a twin scheduler that never saw the update.
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { createScheduler, NicteamError, type Scheduler } from '../src/index.js';

type Code = 'INVALID_CONFIG' | 'UNKNOWN_KEY' | 'OUT_OF_RANGE' | 'INCONSISTENT' | 'UNKNOWN_NIC' | 'DUPLICATE' | 'CAPACITY';
const CONFIG_CODES: Code[] = ['INVALID_CONFIG', 'UNKNOWN_KEY', 'OUT_OF_RANGE', 'INCONSISTENT'];
const nic0 = { name: 'vmnic0', speed: 10e9 };

// Values of the wrong type for anything; each must give INVALID_CONFIG.
const WRONG_TYPE: unknown[] = [null, [], {}, [1], { x: 1 }, () => 1, Symbol('s'), 10n];
// Numeric anomalies: INVALID_CONFIG or OUT_OF_RANGE (both name the field).
const NUMERIC_BAD: unknown[] = [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -1, -0.5, 1e300, Number.MAX_SAFE_INTEGER + 2];

interface FieldSpec { path: string[]; bad: unknown[]; int?: boolean; str?: boolean; bool?: boolean; rate?: boolean; size?: boolean }
const intField = (path: string[], min: number, max: number): FieldSpec => ({ path, int: true, bad: [min - 1, max + 1, min + 0.5, '1', true] });
const rateField = (path: string[]): FieldSpec => ({ path, rate: true, bad: ['fast', '10 Gbits per second', '10Gbit/s/s', '', '-1Gbit', 'NaN', 'Infinity', 0.5e-9, true] });
const sizeField = (path: string[]): FieldSpec => ({ path, size: true, bad: ['big', '1.5', '10KiBB', '', 1.5, '-5', true] });
const boolField = (path: string[]): FieldSpec => ({ path, bool: true, bad: [1, 'true', 0] });
const strField = (path: string[], extra: unknown[] = []): FieldSpec => ({ path, str: true, bad: ['', 'x'.repeat(65), 5, ...extra] });

const SCHEDULER_FIELDS: FieldSpec[] = [
  strField(['nics', '0', 'name']), rateField(['nics', '0', 'speed']), sizeField(['nics', '0', 'inFlightBytes']), boolField(['nics', '0', 'up']),
  { path: ['teaming', 'policy'], str: true, bad: ['foo', 'ROUND-ROBIN', 3, ''] }, boolField(['teaming', 'failback']), boolField(['teaming', 'notifySwitches']),
  intField(['teaming', 'notifyCount'], 1, 16), intField(['teaming', 'notifyIntervalMs'], 0, 60_000),
  { path: ['teaming', 'hash'], str: true, bad: ['l4', 'l3', 2] }, { path: ['teaming', 'flowletGapUs'], bad: [0, 10_000_001, '5'] },
  intField(['teaming', 'downDelayMs'], 0, 600_000), intField(['teaming', 'upDelayMs'], 0, 600_000), intField(['teaming', 'pauseOnFailoverMs'], 0, 600_000),
  { path: ['teaming', 'loadBased', 'thresholdPercent'], bad: [0, 101, '75'] }, intField(['teaming', 'loadBased', 'windowMs'], 1, 3_600_000),
  intField(['teaming', 'loadBased', 'cooldownMs'], 0, 86_400_000), intField(['teaming', 'loadBased', 'intervalMs'], 1, 60_000),
  intField(['capacity', 'maxVms'], 1, 65_536), intField(['capacity', 'maxNics'], 1, 64), intField(['capacity', 'queuePackets'], 1, 65_536),
  intField(['capacity', 'poolPackets'], 1, 1 << 24), intField(['capacity', 'batchSize'], 1, 4096), intField(['capacity', 'eventCapacity'], 16, 65_536),
  sizeField(['capacity', 'frameBufferBytes']), intField(['capacity', 'maxMacs'], 1, 1 << 20), sizeField(['capacity', 'mtu']),
  { path: ['capacity', 'flowletSlots'], int: true, bad: [15, 100, 4095, 1.5, '16', (1 << 20) * 2] },
  { path: ['forgedTransmits'], str: true, bad: ['maybe', 'REJECT', 1] }, { path: ['clock'], bad: [5, 'now', {}] },
];
const VM_FIELDS: FieldSpec[] = [
  strField(['name']), { path: ['mac'], bad: ['zz:zz:zz:zz:zz:zz', '00:00:00:00:00', '00:11-22:33:44:55', '0011.2233.4455', 5, [5], ['00:00:00:00:00:01', 'x'], Array(65).fill('00:00:00:00:00:01')] },
  intField(['shares'], 1, 10_000), { path: ['reservation'], rate: true, bad: [1, 999, 2e12, 'x', -1] }, { path: ['limit'], rate: true, bad: [999, 2e12, 'ten gig'] },
  { path: ['burst'], size: true, bad: [63, 1.5, 2 ** 30 + 1, '1.5B', 'lots'] }, { path: ['peak'], rate: true, bad: [999, 'x'] },
  { path: ['peakBurst'], size: true, bad: [63, 2 ** 30 + 1, 'x'] }, intField(['priority'], 0, 7), intField(['queuePackets'], 1, 65_536),
  { path: ['queueBytes'], size: true, bad: [63, 2 ** 31, 'x', 1.5] }, intField(['highWatermark'], 0, 65_536), intField(['lowWatermark'], 0, 65_536),
  { path: ['policy'], str: true, bad: ['nope', 0] }, { path: ['failoverOrder'], bad: [[], Array(9).fill('vmnic0'), 'vmnic0', [5], ['']] },
];
const UPDATE_FIELDS = VM_FIELDS.filter((f) => !['name', 'mac', 'policy', 'failoverOrder'].includes(f.path[0]!));
const NIC_FIELDS: FieldSpec[] = [strField(['name']), rateField(['speed']), sizeField(['inFlightBytes']), boolField(['up'])];

function setPath(base: unknown, path: string[], v: unknown): unknown {
  const root = structuredClone(base) as Record<string, unknown>;
  let o: Record<string, unknown> = root;
  for (let i = 0; i < path.length - 1; i++) {
    const k = path[i]!;
    if (o[k] === undefined || o[k] === null) o[k] = {};
    o = o[k] as Record<string, unknown>;
  }
  o[path[path.length - 1]!] = v;
  return root;
}
const fieldName = (prefix: string, path: string[]) => {
  let s = prefix;
  for (const p of path) s += /^\d+$/.test(p) ? `[${p}]` : s ? `.${p}` : p;
  return s;
};

/** Runs fn; requires a NicteamError naming `field` with a code in `codes`; returns the error. */
async function rejects(fn: () => unknown, field: string | RegExp, codes: readonly string[], what: string): Promise<NicteamError> {
  let err: unknown;
  try { await fn(); } catch (e) { err = e; }
  expect(err, `${what}: must throw`).toBeDefined();
  expect(err, `${what}: ${String(err)} must be a NicteamError`).toBeInstanceOf(NicteamError);
  const e = err as NicteamError;
  expect(codes, `${what}: code ${e.code} (${e.message})`).toContain(e.code);
  if (typeof field === 'string') expect(e.field, `${what}: ${e.message}`).toBe(field);
  else expect(e.field, `${what}: ${e.message}`).toMatch(field);
  expect(e.message, what).toContain(e.field!);
  return e;
}

function codesFor(f: FieldSpec, v: unknown): Code[] {
  if (WRONG_TYPE.includes(v)) return ['INVALID_CONFIG'];
  if (typeof v === 'number' && f.int && Number.isFinite(v) && !Number.isInteger(v)) return ['INVALID_CONFIG', 'OUT_OF_RANGE'];
  if (typeof v === 'number' && f.int) return ['OUT_OF_RANGE', 'INVALID_CONFIG'];
  return ['INVALID_CONFIG', 'OUT_OF_RANGE', 'INCONSISTENT'];
}

const validScheduler = { nics: [nic0], teaming: { policy: 'failover-order', loadBased: { windowMs: 1000 } }, capacity: { maxVms: 8 } };

describe('createScheduler rejects every bad field with a NicteamError naming it', () => {
  for (const f of SCHEDULER_FIELDS) {
    it(fieldName('', f.path), async () => {
      for (const v of [...f.bad, ...WRONG_TYPE, ...NUMERIC_BAD]) {
        if (f.path[0] === 'clock' && typeof v === 'function') continue; // a function is a valid clock
        if ((f.path.join('.') === 'teaming.flowletGapUs' || f.path.join('.') === 'teaming.loadBased.thresholdPercent') && v === -0.5) { /* still bad */ }
        const cfg = setPath(validScheduler, f.path, v);
        await rejects(() => createScheduler(cfg as never), fieldName('', f.path), [...codesFor(f, v), 'INVALID_CONFIG', 'OUT_OF_RANGE'], `${fieldName('', f.path)} = ${String(v)}`);
      }
    });
  }
  it('unknown keys at every level, and non-objects', async () => {
    for (const path of [['bogus'], ['teaming', 'bogus'], ['capacity', 'bogus'], ['teaming', 'loadBased', 'bogus'], ['nics', '0', 'bogus']]) {
      await rejects(() => createScheduler(setPath(validScheduler, path, 1) as never), fieldName('', path), ['UNKNOWN_KEY'], path.join('.'));
    }
    for (const v of [null, undefined, 5, 'x', [], () => 1]) await rejects(() => createScheduler(v as never), /./, ['INVALID_CONFIG'], `config ${String(v)}`);
    await rejects(() => createScheduler({ nics: [] }), 'nics', ['OUT_OF_RANGE'], 'no NICs');
    await rejects(() => createScheduler({ nics: Array.from({ length: 65 }, (_, i) => ({ name: `n${i}`, speed: 1e9 })) }), 'nics', ['OUT_OF_RANGE'], '65 NICs');
    await rejects(() => createScheduler({ nics: [nic0, nic0] }), 'nics[1].name', ['DUPLICATE'], 'duplicate NIC');
    await rejects(() => createScheduler({ nics: [nic0, { name: 'b', speed: 1e9 }], capacity: { maxNics: 1 } }), 'capacity.maxNics', ['CAPACITY'], 'maxNics below NICs');
  });
  it('random garbage anywhere in the config never leaks another error type', async () => {
    const anyValue = fc.oneof(fc.constant(null), fc.double(), fc.integer(), fc.string(), fc.boolean(), fc.array(fc.integer(), { maxLength: 3 }), fc.object({ maxDepth: 1 }));
    const paths = SCHEDULER_FIELDS.map((f) => f.path);
    await fc.assert(fc.asyncProperty(fc.constantFrom(...paths), anyValue, async (path, v) => {
      try { const s = await createScheduler(setPath(validScheduler, path, v) as never); s.close(); } catch (e) {
        expect(e).toBeInstanceOf(NicteamError);
        expect((e as NicteamError).field).toBeDefined();
      }
    }), { numRuns: 400, seed: 11 });
  });
});

async function team(): Promise<Scheduler> {
  return createScheduler({ nics: [nic0, { name: 'vmnic1', speed: 10e9 }], teaming: { policy: 'port-id' }, capacity: { maxVms: 8, queuePackets: 64 }, clock: () => 0n });
}

describe('addVm / updateVm / addNic reject every bad field', () => {
  for (const f of VM_FIELDS) {
    it(`addVm ${f.path[0]}`, async () => {
      const s = await team();
      for (const v of [...f.bad, ...WRONG_TYPE, ...NUMERIC_BAD]) {
        if (f.path[0] === 'mac' && Array.isArray(v) && v.length === 0) continue; // mac: [] is a VM without MACs
        const cfg = setPath({ name: 'web' }, f.path, v) as never;
        const err = await rejects(() => s.addVm(cfg), new RegExp(`^vm\\.${f.path[0]}`), [...CONFIG_CODES, 'UNKNOWN_NIC'], `addVm ${f.path[0]} = ${String(v)}`);
        expect(err.field).toBeTruthy();
        expect(s.vmIds, 'a failed addVm adds nothing').toEqual([]);
      }
    });
  }
  it('addVm: contradictions, unknown keys and names', async () => {
    const s = await team();
    await rejects(() => s.addVm({ name: 'a', reservation: 5e9, limit: 1e9 }), 'vm.reservation', ['INCONSISTENT'], 'reservation > limit');
    await rejects(() => s.addVm({ name: 'a', peak: 1e9, limit: 2e9 }), 'vm.peak', ['INCONSISTENT'], 'peak < limit');
    await rejects(() => s.addVm({ name: 'a', limit: 1e9, burst: 100 }), 'vm.burst', ['OUT_OF_RANGE'], 'burst < MTU');
    await rejects(() => s.addVm({ name: 'a', queuePackets: 10, highWatermark: 11 }), 'vm.highWatermark', ['OUT_OF_RANGE'], 'hiwm > queue');
    await rejects(() => s.addVm({ name: 'a', highWatermark: 5, lowWatermark: 5 }), 'vm.lowWatermark', ['INCONSISTENT'], 'lowm >= hiwm');
    await rejects(() => s.addVm({ name: 'a', failoverOrder: ['vmnic0'] }), 'vm.failoverOrder', ['INCONSISTENT'], 'order without policy');
    await rejects(() => s.addVm({ name: 'a', policy: 'failover-order', failoverOrder: ['vmnic0', 'nope'] }), 'vm.failoverOrder[1]', ['UNKNOWN_NIC'], 'unknown NIC in order');
    await rejects(() => s.addVm({ name: 'a', colour: 'red' } as never), 'vm.colour', ['UNKNOWN_KEY'], 'unknown key');
    await rejects(() => s.addVm(null as never), /^vm/, ['INVALID_CONFIG'], 'null');
    s.addVm({ name: 'a', mac: '00:50:56:00:00:01' });
    await rejects(() => s.addVm({ name: 'a' }), 'vm.name', ['DUPLICATE'], 'duplicate name');
    await rejects(() => s.addVm({ name: 'b', mac: '00-50-56-00-00-01' }), 'vm.mac', ['DUPLICATE'], 'duplicate MAC (other spelling)');
    await rejects(() => s.addVm({ name: 'c', mac: ['00:50:56:00:00:02', '00:50:56:00:00:02'] }), 'vm.mac', ['DUPLICATE'], 'MAC twice in one VM');
    expect(s.vmIds.length).toBe(1);
  });

  for (const f of UPDATE_FIELDS) {
    it(`updateVm ${f.path[0]}: rejected, previous config still in force`, async () => {
      const s = await team();
      const vm = s.addVm({ name: 'web', limit: '1Gbit', reservation: '100Mbit', queuePackets: 32, highWatermark: 20, lowWatermark: 10 });
      const before = JSON.stringify(s.vmConfig(vm));
      for (const v of [...f.bad, ...WRONG_TYPE, ...NUMERIC_BAD]) {
        await rejects(() => s.updateVm(vm, setPath({}, f.path, v) as never), new RegExp(`^vm\\.${f.path[0]}`), CONFIG_CODES, `updateVm ${f.path[0]} = ${String(v)}`);
        expect(JSON.stringify(s.vmConfig(vm))).toBe(before);
      }
    });
  }
  it('updateVm: fields that cannot change, unknown keys, contradictions with the current config', async () => {
    const s = await team();
    const vm = s.addVm({ name: 'web', limit: '1Gbit', queuePackets: 32, highWatermark: 20, lowWatermark: 10 });
    const before = JSON.stringify(s.vmConfig(vm));
    for (const k of ['name', 'mac', 'policy', 'failoverOrder', 'bogus']) await rejects(() => s.updateVm(vm, { [k]: 'x' } as never), `vm.${k}`, ['UNKNOWN_KEY'], k);
    await rejects(() => s.updateVm(vm, { reservation: '2Gbit' }), 'vm.reservation', ['INCONSISTENT'], 'reservation above current limit');
    await rejects(() => s.updateVm(vm, { peak: '500Mbit' }), 'vm.peak', ['INCONSISTENT'], 'peak below current limit');
    await rejects(() => s.updateVm(vm, { queuePackets: 10 }), 'vm.highWatermark', ['OUT_OF_RANGE'], 'queue below current watermark');
    await rejects(() => s.updateVm(vm, { lowWatermark: 25 }), 'vm.lowWatermark', ['INCONSISTENT'], 'low above current high');
    await rejects(() => s.updateVm(vm, null as never), /^vm/, ['INVALID_CONFIG'], 'null');
    await rejects(() => s.updateVm(99, { shares: 5 }), 'vm', ['UNKNOWN_VM'], 'unknown VM');
    expect(JSON.stringify(s.vmConfig(vm))).toBe(before);
  });

  for (const f of NIC_FIELDS) {
    it(`addNic ${f.path[0]}`, async () => {
      const s = await team();
      for (const v of [...f.bad, ...WRONG_TYPE, ...NUMERIC_BAD]) {
        await rejects(() => s.addNic(setPath({ name: 'vmnic9', speed: 1e9 }, f.path, v) as never), `nic.${f.path[0]}`, CONFIG_CODES, `addNic ${f.path[0]} = ${String(v)}`);
      }
      expect(s.nicNames).toEqual(['vmnic0', 'vmnic1']);
    });
  }
  it('addNic: duplicates, unknown keys, no free slot', async () => {
    const s = await createScheduler({ nics: [nic0], capacity: { maxNics: 2 }, clock: () => 0n });
    await rejects(() => s.addNic({ name: 'vmnic0', speed: 1e9 }), 'nic.name', ['DUPLICATE'], 'duplicate');
    await rejects(() => s.addNic({ name: 'x', speed: 1e9, mtu: 9000 } as never), 'nic.mtu', ['UNKNOWN_KEY'], 'unknown key');
    s.addNic({ name: 'x', speed: 1e9 });
    await rejects(() => s.addNic({ name: 'y', speed: 1e9 }), 'nic', ['CAPACITY'], 'no slot');
  });
});

describe('a failed updateVm changes nothing: same decisions as a twin that never saw it', () => {
  /** Greedy traffic for 2 ms on one 10G NIC; returns the decision trace (time, handle, vm, length). */
  async function trace(failed: boolean): Promise<string[]> {
    const s = await team();
    const a = s.addVm({ name: 'a', limit: '1Gbit', burst: 4000, reservation: '200Mbit', shares: 300, priority: 5, queuePackets: 64, highWatermark: 60, lowWatermark: 30 }, 0n);
    const b = s.addVm({ name: 'b', shares: 100, peak: '3Gbit' }, 0n);
    const out: string[] = [];
    let h = 1;
    const inflight: number[][] = [[], []];
    for (let t = 0n; t < 2_000_000n; t += 5_000n) {
      if (failed && t % 100_000n === 0n) {
        // each of these must fail and leave a and b exactly as they were
        for (const bad of [{ limit: 'fast' }, { reservation: '5Gbit' }, { burst: 1 }, { queuePackets: 10 }, { shares: 0 }, { peak: 1e3 }, { priority: 9 }, { name: 'x' }])
          expect(() => s.updateVm(a, bad as never, t)).toThrow(NicteamError);
        expect(() => s.updateVm(b, { limit: '1Gbit', peak: '500Mbit' }, t)).toThrow(NicteamError);
      }
      for (const vm of [a, b]) {
        const q = s.stats().vms.find((v) => v.id === vm)!.queuedPackets;
        const n = Math.max(0, 40 - q);
        s.enqueue(vm, Array(n).fill(1500), Array.from({ length: n }, () => h++), undefined, t);
      }
      for (let k = 0; k < 2; k++) { s.completed(k, inflight[k]!.length); inflight[k] = []; }
      const r = s.poll(t);
      for (let i = 0; i < r.count; i++) { out.push(`${t}:${r.handles[i]}:${r.vms[i]}:${r.nics[i]}`); inflight[r.nics[i]!]!.push(r.handles[i]!); }
    }
    return out;
  }
  it('limit, reservation, shares and watermarks keep shaping the same traffic', async () => {
    const clean = await trace(false);
    const withFailures = await trace(true);
    expect(clean.length).toBeGreaterThan(300);
    expect(withFailures).toEqual(clean);
  });
});
