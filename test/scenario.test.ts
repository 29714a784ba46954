// scenario.test.ts — scenario files: the default and equivalent JSON/YAML
// parse to the same scenario; every kind of bad file fails with a
// ScenarioError naming the path in the file and what was expected, with the
// line and column where the text is available (YAML and JSON).

import { describe, it, expect } from 'vitest';
import { stringify } from 'yaml';
import { parseScenarioText, validateScenario, ScenarioError } from '../src/scenario/load.js';
import { DEFAULT_SCENARIO_FILE, defaultScenario } from '../src/scenario/default.js';

const good = {
  name: 't', durationMs: 100,
  nics: [{ name: 'vmnic0', speed: '10Gbit' }, { name: 'vmnic1', speed: 10e9, txCoalesceUs: 10 }],
  vms: [
    { name: 'a', mac: '00:50:56:00:00:01', shares: 200, source: { type: 'cbr', rateBps: '1Gbit', sizeBytes: 'imix' } },
    { name: 'b', reservation: '1Gbit', limit: '2Gbit', source: { type: 'greedy', sizeBytes: { uniform: [64, 1500] } } },
    { name: 'c', source: { type: 'poisson', rateBps: 5e8, sizeBytes: { mix: [[60, 7], [1514, 1]] } } },
  ],
  faults: [{ type: 'flap', nic: 'vmnic1', atMs: 10, downMs: 1, upMs: 2, count: 3 }, { type: 'update-vm', vm: 'a', atMs: 50, changes: { limit: '1Gbit' } }],
};

function error(f: () => unknown): ScenarioError {
  try { f(); } catch (e) { if (e instanceof ScenarioError) return e; throw e; }
  throw new Error('expected a ScenarioError');
}
const json = (v: unknown) => JSON.stringify(v, null, 2);
const withVm = (i: number, patch: Record<string, unknown>) => ({ ...good, vms: good.vms.map((v, j) => (j === i ? { ...v, ...patch } : v)) });

describe('scenario files', () => {
  it('the built-in default validates, and JSON and YAML of one scenario resolve identically', () => {
    const d = defaultScenario();
    expect(d.vms).toHaveLength(6);
    expect(d.nics).toHaveLength(2);
    expect(d.faults.map((f) => [f.type, f.atNs])).toEqual([['link-down', 2e9], ['link-up', 4e9]]);
    const a = parseScenarioText(json(good), { fileName: 'x.json' });
    const b = parseScenarioText(stringify(good), { fileName: 'x.yaml' });
    expect(b).toEqual(a);
    expect(a.nics[1]!.txCoalesceNs).toBe(10_000);
    expect(a.vms[0]!.source).toEqual({ type: 'cbr', rateBps: 1e9, size: { kind: 'imix' } });
    expect(a.vms[1]!.config.reservation).toBe(1e9);
    expect(parseScenarioText(stringify(DEFAULT_SCENARIO_FILE), { format: 'yaml' })).toEqual(d);
  });

  const cases: [string, unknown, string, RegExp][] = [
    ['a rate that does not parse', withVm(2, { source: { type: 'poisson', rateBps: 'fast' } }), 'vms[2].source.rateBps', /expected a rate in bit\/s/],
    ['a rate out of range', withVm(0, { source: { type: 'cbr', rateBps: 5 } }), 'vms[0].source.rateBps', /out of range: allowed 1000/],
    ['a missing required field', withVm(0, { source: { type: 'cbr' } }), 'vms[0].source.rateBps', /missing required field: expected a rate/],
    ['an unknown source type', withVm(1, { source: { type: 'warp' } }), 'vms[1].source.type', /one of "greedy", "cbr"/],
    ['an unknown key', withVm(1, { source: { type: 'greedy', rate: 1 } }), 'vms[1].source.rate', /unknown key "rate"/],
    ['an unknown top-level key', { ...good, bogus: true }, 'bogus', /unknown key/],
    ['a bad size', withVm(0, { source: { type: 'greedy', sizeBytes: { uniform: [1] } } }), 'vms[0].source.sizeBytes', /expected a frame size/],
    ['an inverted uniform range', withVm(0, { source: { type: 'greedy', sizeBytes: { uniform: [900, 100] } } }), 'vms[0].source.sizeBytes.uniform', /minimum is above the maximum/],
    ['a wrong type', { ...good, durationMs: '1s' }, 'durationMs', /expected number, received string/],
    ['a missing duration', { ...good, durationMs: undefined }, 'durationMs', /missing required field/],
    ['shares out of range', withVm(0, { shares: 0 }), 'vms[0].shares', /expected number to be >=1/],
    ['a bad MAC', withVm(0, { mac: 'zz' }), 'vms[0].mac', /MAC address/],
    ['a duplicate VM name', withVm(1, { name: 'a' }), 'vms[1].name', /used twice/],
    ['a duplicate MAC', withVm(1, { mac: '00:50:56:00:00:01' }), 'vms[1].mac', /already belongs/],
    ['reservation above limit', withVm(1, { reservation: '3Gbit' }), 'vms[1].reservation', /exceeds limit/],
    ['a fault on an unknown NIC', { ...good, faults: [{ type: 'link-down', nic: 'vmnic9', atMs: 1 }] }, 'faults[0].nic', /no NIC named "vmnic9"/],
    ['a fault after the end', { ...good, faults: [{ type: 'link-down', nic: 'vmnic0', atMs: 500 }] }, 'faults[0].atMs', /after the end of the run/],
    ['an unknown fault type', { ...good, faults: [{ type: 'explode', atMs: 1 }] }, 'faults[0].type', /expected a fault type/],
    ['an update of an unknown VM', { ...good, faults: [{ type: 'update-vm', vm: 'zz', atMs: 1, changes: {} }] }, 'faults[0].vm', /no VM named "zz"/],
    ['a bad NIC speed', { ...good, nics: [{ name: 'x', speed: '10 furlongs' }] }, 'nics[0].speed', /expected a rate/],
    ['a duplicate NIC', { ...good, nics: [{ name: 'x', speed: 1e9 }, { name: 'x', speed: 1e9 }] }, 'nics[1].name', /used twice/],
  ];

  for (const [what, value, path, message] of cases) {
    it(`rejects ${what}: names ${path} (JSON and YAML, with line and column)`, () => {
      const direct = error(() => validateScenario(value));
      expect(direct.path).toBe(path);
      expect(direct.message).toMatch(message);
      expect(direct.message.startsWith(`${path}: `)).toBe(true);
      for (const [text, fileName] of [[json(value), 'bad.json'], [stringify(value), 'bad.yaml']] as const) {
        const e = error(() => parseScenarioText(text, { fileName }));
        expect(e.path).toBe(path);
        expect(e.message).toMatch(message);
        expect(e.message).toContain(fileName);
        expect(e.line).toBeGreaterThan(0);
        expect(e.column).toBeGreaterThan(0);
      }
    });
  }

  it('locates a schema error on the line of the offending field', () => {
    const text = 'durationMs: 100\nnics:\n  - name: vmnic0\n    speed: 10Gbit\nvms:\n  - name: a\n    source:\n      type: cbr\n      rateBps: lots\n';
    const e = error(() => parseScenarioText(text, { format: 'yaml' }));
    expect(e.path).toBe('vms[0].source.rateBps');
    expect(e.line).toBe(9);
    expect(e.column).toBe(16);
    const j = '{\n  "durationMs": 100,\n  "nics": [{ "name": "n", "speed": "1Gbit" }],\n  "vms": [{ "name": "a", "shares": 0 }]\n}';
    const ej = error(() => parseScenarioText(j, { format: 'json' }));
    expect(ej.path).toBe('vms[0].shares');
    expect(ej.line).toBe(4);
  });

  it('reports YAML and JSON syntax errors with line and column', () => {
    const y = error(() => parseScenarioText('durationMs: 100\nnics: [\n  {name: a\nvms: []\n', { format: 'yaml' }));
    expect(y.kind).toBe('syntax');
    expect(y.message).toMatch(/invalid YAML/);
    expect(y.line).toBeGreaterThanOrEqual(2);
    const dup = error(() => parseScenarioText('durationMs: 1\ndurationMs: 2\n', { format: 'yaml' }));
    expect(dup.kind).toBe('syntax');
    expect(dup.line).toBe(2);
    const j = error(() => parseScenarioText('{\n  "durationMs": 100,\n}\n', { fileName: 's.json' }));
    expect(j.kind).toBe('syntax');
    expect(j.message).toMatch(/^s\.json line 3, column \d+: invalid JSON/);
    expect(j.line).toBe(3);
  });
});
