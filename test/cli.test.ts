// cli.test.ts — the `nicteam` command as a user runs it: `node dist/cli/main.js`
// after `tsc` builds dist/. Exit codes (0 ok, 2 usage/validation, 3 unreadable
// or corrupt input), --help texts, --json valid and deterministic, the report
// file written (or not), clear messages for bad files.

import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawnSync, execSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, existsSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { repoRoot, capturesPresent, capturesDir } from './support/captures.js';

const cli = path.join(repoRoot, 'dist/cli/main.js');
let dir: string;

function run(args: string[]) {
  const r = spawnSync(process.execPath, [cli, ...args], { cwd: dir, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const small = {
  name: 'cli test', durationMs: 30, sampleIntervalMs: 1, seed: 4,
  nics: [{ name: 'vmnic0', speed: '10Gbit' }, { name: 'vmnic1', speed: '10Gbit' }],
  vms: [
    { name: 'a', mac: '00:50:56:00:00:0a', shares: 300, source: { type: 'greedy', sizeBytes: 'imix' } },
    { name: 'b', reservation: '2Gbit', source: { type: 'poisson', rateBps: '4Gbit' } },
  ],
  faults: [{ type: 'link-down', nic: 'vmnic0', atMs: 10 }, { type: 'link-up', nic: 'vmnic0', atMs: 20 }],
};

beforeAll(() => {
  execSync('npx tsc -p tsconfig.json', { cwd: repoRoot, stdio: 'pipe' });
  dir = mkdtempSync(path.join(tmpdir(), 'nicteam-cli-'));
  writeFileSync(path.join(dir, 'small.json'), JSON.stringify(small));
  writeFileSync(path.join(dir, 'small.yaml'), 'name: cli test\ndurationMs: 30\nsampleIntervalMs: 1\nseed: 4\nnics:\n  - { name: vmnic0, speed: 10Gbit }\nvms:\n  - name: a\n    source: { type: greedy }\n');
  writeFileSync(path.join(dir, 'bad.yaml'), 'durationMs: 30\nnics:\n  - { name: vmnic0, speed: 10Gbit }\nvms:\n  - name: a\n    source:\n      type: cbr\n      rateBps: lots\n');
  writeFileSync(path.join(dir, 'broken.json'), '{ "durationMs": 30, ');
  writeFileSync(path.join(dir, 'corrupt.pcap'), Buffer.from([0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0, 1, 0, 0, 0, 1, 2, 3]));
}, 180_000);

afterAll(() => { if (dir) rmSync(dir, { recursive: true, force: true }); });

describe('nicteam CLI', () => {
  it('--help for the program and each command, with the exit codes', () => {
    const top = run(['--help']);
    expect(top.code).toBe(0);
    expect(top.stdout).toMatch(/Usage: nicteam/);
    for (const c of ['simulate', 'replay', 'validate']) expect(top.stdout).toContain(c);
    expect(top.stdout).toMatch(/Exit codes:[\s\S]*0 {2}success[\s\S]*2 {2}usage or validation error[\s\S]*3 {2}an input file is unreadable or corrupt/);
    for (const [cmd, opt] of [['simulate', '--no-report'], ['replay', '--speed <x>'], ['validate', '--json']]) {
      const h = run([cmd!, '--help']);
      expect(h.code).toBe(0);
      expect(h.stdout).toContain(`Usage: nicteam ${cmd}`);
      expect(h.stdout).toContain(opt);
      expect(h.stdout).toMatch(/Exit codes/);
    }
  });

  it('simulate --json is valid JSON and deterministic; the report is written unless --no-report', () => {
    const a = run(['simulate', 'small.json', '--json', '--out', 'r1.html']);
    expect(a.code, a.stderr).toBe(0);
    const b = run(['simulate', 'small.json', '--json', '--no-report']);
    expect(b.code).toBe(0);
    expect(a.stdout).toBe(b.stdout);
    const j = JSON.parse(a.stdout);
    expect(j.scenario.name).toBe('cli test');
    expect(j.vms.map((v: { name: string }) => v.name)).toEqual(['a', 'b']);
    expect(j.timeNs).toHaveLength(30);
    expect(j.conservation.ok).toBe(true);
    expect(existsSync(path.join(dir, 'r1.html'))).toBe(true);
    expect(readFileSync(path.join(dir, 'r1.html'), 'utf8')).toContain('nicteam-data');
    expect(a.stderr).toMatch(/report written to .*r1\.html/);
    expect(b.stderr).not.toMatch(/report written/);
    const seeded = run(['simulate', 'small.json', '--json', '--no-report', '--seed', '5']);
    expect(seeded.code).toBe(0);
    expect(seeded.stdout).not.toBe(a.stdout);
  }, 120_000);

  it('simulate prints the table and writes report.html in the working directory by default', () => {
    const r = run(['simulate', 'small.yaml']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^VM\s+shares\s+resv\s+limit\s+prio\s+ideal\s+achieved/m);
    expect(r.stdout).toMatch(/^a\s+100\s/m);
    expect(existsSync(path.join(dir, 'report.html'))).toBe(true);
  }, 120_000);

  it('validate: ok (exit 0) or the path, line and column of the problem (exit 2)', () => {
    const ok = run(['validate', 'small.json']);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/ok — "cli test": 2 NICs, 2 VMs, 2 faults/);
    const bad = run(['validate', 'bad.yaml']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/bad\.yaml line 8, column 16: vms\[0\]\.source\.rateBps: expected a rate in bit\/s/);
    const badJson = run(['validate', 'bad.yaml', '--json']);
    expect(badJson.code).toBe(2);
    expect(JSON.parse(badJson.stdout)).toMatchObject({ ok: false, exitCode: 2, path: 'vms[0].source.rateBps', line: 8, column: 16 });
    const broken = run(['simulate', 'broken.json']);
    expect(broken.code).toBe(2);
    expect(broken.stderr).toMatch(/broken\.json line 1, column \d+: invalid JSON/);
  });

  it('usage errors exit 2 with a message', () => {
    const r = run(['simulate', '--bogus']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown option '--bogus'/);
    expect(run(['frobnicate']).code).toBe(2);
    const speed = run(['replay', 'corrupt.pcap', '--speed', 'fast']);
    expect(speed.code).toBe(2);
    expect(speed.stderr).toMatch(/--speed must be a positive number or "max"/);
    expect(run(['replay']).code).toBe(2);
  });

  it('unreadable or corrupt input exits 3 with a clear message', () => {
    const missing = run(['simulate', 'nope.yaml']);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toMatch(/cannot read nope\.yaml: no such file/);
    const corrupt = run(['replay', 'corrupt.pcap']);
    expect(corrupt.code).toBe(3);
    expect(corrupt.stderr).toMatch(/corrupt capture: TRUNCATED at byte offset 24/);
    const cj = run(['replay', 'corrupt.pcap', '--json']);
    expect(cj.code).toBe(3);
    expect(JSON.parse(cj.stdout)).toMatchObject({ ok: false, exitCode: 3, captureError: 'TRUNCATED', byteOffset: 24 });
    expect(run(['replay', 'missing.pcap']).code).toBe(3);
    expect(run(['validate', '.']).code).toBe(3);
  });

  it.skipIf(!capturesPresent)('replays a real capture (--speed max --json)', () => {
    const r = run(['replay', path.join(capturesDir, 'tcpreplay_test.pcap'), '--speed', 'max', '--json', '--no-report']);
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.replay.frames).toBe(179);
    expect(j.replay.accepted).toBe(179);
    const again = run(['replay', path.join(capturesDir, 'tcpreplay_test.pcap'), '--speed', 'max', '--json', '--no-report']);
    expect(again.stdout).toBe(r.stdout);
  }, 120_000);
});
