// pack.test.ts — the published package works for a consumer: `npm pack`
// yields a tarball that installs into an empty project, imports as `nicteam`
// from plain Node ESM (no bundler, no tsx), creates a scheduler, enqueues and
// polls; and a TypeScript consumer type-checks against the shipped .d.ts with
// no DOM lib (the WebAssembly types must not leak into the public surface).
// dist/ is rebuilt first when it is missing or older than src/.
// Dependencies are installed with `--prefer-offline` (the npm cache usually
// has them from this repo's own install; otherwise the registry is used).
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const tsc = path.join(root, 'node_modules/typescript/bin/tsc');
let work = '';
let consumer = '';

function newestMtime(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return t;
}

const run = (cmd: string, args: string[], cwd: string) =>
  execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, npm_config_update_notifier: 'false' } });

beforeAll(() => {
  const dist = path.join(root, 'dist/index.js');
  if (!existsSync(dist) || statSync(dist).mtimeMs < newestMtime(path.join(root, 'src'))) run(process.execPath, [tsc, '-p', 'tsconfig.json'], root);
  work = mkdtempSync(path.join(tmpdir(), 'nicteam-pack-'));
  const packed = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', work], root)) as { filename: string; files: { path: string }[] }[];
  const tarball = path.join(work, packed[0]!.filename);
  const shipped = packed[0]!.files.map((f) => f.path);
  expect(shipped).toContain('dist/index.js');
  expect(shipped).toContain('dist/index.d.ts');
  consumer = path.join(work, 'consumer');
  run('mkdir', ['-p', consumer], work);
  writeFileSync(path.join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true, type: 'module' }));
  run('npm', ['install', tarball, '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'], consumer);
}, 120_000);

afterAll(() => { if (work) rmSync(work, { recursive: true, force: true }); });

describe('the npm package, installed into an empty project', () => {
  it('imports with plain Node ESM, schedules and polls', () => {
    writeFileSync(path.join(consumer, 'main.mjs'), `
import { createScheduler, Status, NicteamError } from 'nicteam';
const s = await createScheduler({ nics: [{ name: 'vmnic0', speed: '10Gbit' }], capacity: { maxVms: 4 }, clock: () => 0n });
const vm = s.addVm({ name: 'web-1', mac: '00:50:56:00:00:01', shares: 200, limit: '2Gbit' });
const e = s.enqueue(vm, [1500, 1500, 64], [11, 12, 13], undefined, 1000n);
const r = s.poll(1000n);
let code = null;
try { s.addVm({ name: 'x', shares: 0 }); } catch (err) { code = err instanceof NicteamError ? err.code : 'other'; }
console.log(JSON.stringify({ accepted: e.accepted, queued: Status.queued, count: r.count, handles: [...r.handles.subarray(0, r.count)], code }));
`);
    const out = JSON.parse(run(process.execPath, ['main.mjs'], consumer).trim()) as Record<string, unknown>;
    expect(out).toEqual({ accepted: 3, queued: 0, count: 3, handles: [11, 12, 13], code: 'OUT_OF_RANGE' });
  });

  it('type-checks a TypeScript consumer against the shipped .d.ts without the DOM lib', () => {
    writeFileSync(path.join(consumer, 'tsconfig.json'), JSON.stringify({
      // a Node consumer: ES2022 + @types/node (from this repo), no DOM; library .d.ts files are checked too
      compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', lib: ['ES2022'], types: ['node'],
        typeRoots: [path.join(root, 'node_modules/@types')], strict: true, noEmit: true, skipLibCheck: false },
      files: ['consumer.ts'],
    }));
    writeFileSync(path.join(consumer, 'consumer.ts'), `
import { createScheduler, Status, NicteamError, type SchedulerConfig, type VmConfig, type PollResult, type StatsSnapshot } from 'nicteam';
const config: SchedulerConfig = { nics: [{ name: 'vmnic0', speed: 10e9 }], teaming: { policy: 'least-load' } };
export async function main(): Promise<number> {
  const s = await createScheduler(config);
  const vm: VmConfig = { name: 'db', reservation: 1e9, priority: 7 };
  const id: number = s.addVm(vm);
  const st: Uint8Array = s.enqueue(id, [1500], [1]).statuses;
  const r: PollResult = s.poll();
  const wake: bigint | null = r.nextWakeNs;
  const stats: StatsSnapshot = s.stats();
  s.on('failover', (e) => { const moved: number = e.moves.length; void moved; });
  try { s.removeVm(9999); } catch (err) { if (err instanceof NicteamError) return err.code.length; }
  return st[0] === Status.queued ? Number(wake ?? 0n) + stats.vms.length : -1;
}
`);
    let out = '';
    try { out = run(process.execPath, [tsc, '-p', 'tsconfig.json'], consumer); } catch (e) { out = String((e as { stdout?: string }).stdout ?? e); }
    expect(out.trim(), 'tsc --noEmit found errors in the shipped types').toBe('');
  });
});
