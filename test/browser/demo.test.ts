// demo.test.ts — the demo page (demo/) bundled by `vite build`, served as
// static files from 127.0.0.1 (ephemeral port), in headless Chromium:
//  - it loads with no console error or failed request, draws two charts and
//    advances virtual time by itself (requestAnimationFrame);
//  - the bundled engine gives the same decisions as Node (engine fingerprint
//    against dist/ in Node) and the bundled simulator the same run (the
//    scripted demo run, digest against demo/model.ts in Node over src/);
//  - clicking "Fail link" logs a failover and the charts' own data show the
//    traffic on the surviving NIC; "Restore link" logs a failback;
//  - a limit slider calls updateVm live: the VM's plotted rate drops to the
//    limit and, its demand staying above it, suspend advice is logged;
//  - a screenshot goes to demo/screenshot.png for humans.
// The failover part is stepped frame by frame (paused page, real clicks), so it
// is the same run every time, however fast the machine.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { chromiumPath, launchChromium, openPage, type PageProblems } from './support/chromium.js';
import { nodeFingerprint, ROOT } from './support/reference.js';
import { scriptedRun } from '../../demo/model.js';
import { startStaticServer } from '../../scripts/serve-demo.mjs';

const haveWasm = existsSync(resolve(ROOT, 'src/wasm/inline.ts')) && existsSync(resolve(ROOT, 'dist/index.js'));
const SCREENSHOT = resolve(ROOT, 'demo/screenshot.png');

interface Hooks {
  ready: boolean;
  run(): { nowNs: number; frames: number };
  data(): { t: number[]; vms: Record<string, number[]>; nics: Record<string, number[]> };
  log(): { type: string; kind: string; text: string; tNs: number; count: number }[];
  pause(): void; play(): void; step(n?: number): void;
  fingerprint(): Promise<{ hash: string }>;
  scriptedRun(o?: object): Promise<{ fingerprint: string; frames: number; nowNs: number; log: number; sentBytes: number }>;
}
declare const window: { nicteam: Hooks };

/** Mean of a series over samples with time in (from, to]. */
function mean(t: number[], s: number[], from: number, to: number): number {
  let sum = 0, n = 0;
  t.forEach((x, i) => { if (x > from && x <= to) { sum += s[i]!; n++; } });
  return n ? sum / n : NaN;
}

describe.skipIf(!chromiumPath || !haveWasm)('demo page (vite build, static server) in headless Chromium', () => {
  let browser: Browser;
  let server: { url: string; close(): Promise<void> };
  let outDir: string;

  beforeAll(async () => {
    outDir = mkdtempSync(join(tmpdir(), 'nicteam-demo-'));
    const { build } = await import('vite');
    await build({ configFile: resolve(ROOT, 'demo/vite.config.ts'), logLevel: 'warn', build: { outDir, emptyOutDir: true } });
    expect(existsSync(join(outDir, 'index.html'))).toBe(true);
    server = await startStaticServer({ mounts: { '/': outDir } });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (outDir) rmSync(outDir, { recursive: true, force: true });
  });

  async function load(query = ''): Promise<{ page: Page; problems: PageProblems }> {
    const o = await openPage(browser);
    await o.page.goto(server.url + query, { waitUntil: 'load' });
    await o.page.waitForFunction(() => window.nicteam?.ready === true, null, { timeout: 30_000 });
    return o;
  }

  it('loads cleanly, draws two charts and runs live on requestAnimationFrame', async () => {
    const { page, problems } = await load();
    expect(await page.locator('.uplot').count()).toBe(2);
    expect(await page.locator('[data-vm]').count()).toBe(6);
    expect(await page.locator('[data-nic]').count()).toBe(2);
    const t0 = await page.evaluate(() => window.nicteam.run().nowNs);
    await page.waitForFunction((t) => window.nicteam.run().nowNs >= t + 0.5e9, t0, { timeout: 30_000 });
    const d = await page.evaluate(() => window.nicteam.data());
    expect(d.t.length).toBeGreaterThan(10);
    expect(Object.keys(d.vms)).toEqual(['db-1', 'web-1', 'web-2', 'backup', 'voip', 'analytics']);
    expect(Math.max(...d.nics.vmnic0!)).toBeGreaterThan(0.5);
    expect(problems).toEqual({ console: [], pageErrors: [], failedRequests: [] });
    await page.context().close();
  });

  it('the bundle schedules exactly like Node: engine fingerprint and the scripted demo run', async () => {
    const { page, problems } = await load('?paused');
    const [browserFp, browserRun] = await page.evaluate(async () => [await window.nicteam.fingerprint(), await window.nicteam.scriptedRun()] as const);
    const nodeFp = await nodeFingerprint();
    expect(browserFp.hash).toBe(nodeFp.hash);
    const nodeRun = await scriptedRun();
    expect(nodeRun.frames).toBe(100);
    expect(nodeRun.log).toBeGreaterThan(5); // the script's link failure and recovery were logged
    expect(browserRun).toEqual(nodeRun);
    expect(problems).toEqual({ console: [], pageErrors: [], failedRequests: [] });
    await page.context().close();
  });

  it('"Fail link" fails over: logged, and the charts move the traffic to the surviving NIC', async () => {
    const { page, problems } = await load('?paused');
    const step = (n: number) => page.evaluate((k) => window.nicteam.step(k), n);
    await step(125); // 2.5 s of virtual time at 20 ms per frame
    const before = await page.evaluate(() => window.nicteam.data());
    const tFail = before.t[before.t.length - 1]!;
    // both uplinks carry traffic; vmnic1 carries the VMs port-id placed on it
    expect(mean(before.t, before.nics.vmnic0!, tFail - 1, tFail)).toBeGreaterThan(0.9);
    expect(mean(before.t, before.nics.vmnic1!, tFail - 1, tFail)).toBeGreaterThan(0.9);
    const onNic1 = ['web-1', 'backup', 'voip'];
    await expect.poll(() => page.locator('[data-vm="web-1"] .on').textContent()).toBe('on vmnic1');

    await page.click('[data-nic="vmnic1"] button');
    await expect.poll(() => page.locator('[data-nic="vmnic1"] .pill').textContent()).toBe('DOWN');
    await step(150);
    const failLog = page.locator('#log li[data-type="failover"]');
    await expect.poll(() => failLog.count()).toBe(1);
    expect(await failLog.textContent()).toMatch(/failover off vmnic1: .*web-1 → vmnic0/);
    expect(await page.locator('#log li[data-type="notify"]').count()).toBeGreaterThanOrEqual(onNic1.length);
    const after = await page.evaluate(() => window.nicteam.data());
    const tEnd = after.t[after.t.length - 1]!;
    expect(Math.max(...after.nics.vmnic1!.filter((_, i) => after.t[i]! > tFail + 0.05))).toBe(0); // nothing on the failed NIC
    expect(mean(after.t, after.nics.vmnic0!, tFail + 0.5, tEnd)).toBeGreaterThan(0.95);    // the survivor is full
    for (const vm of onNic1) {
      // the moved VMs keep sending (reservations of web-1 and backup, voip's constant rate at top priority)
      expect(mean(after.t, after.vms[vm]!, tFail + 0.5, tEnd), vm).toBeGreaterThan(0.9 * { 'web-1': 100e6, backup: 50e6, voip: 30e6 }[vm]!);
    }
    expect(await page.locator('[data-vm="web-1"] .on').textContent()).toBe('on vmnic0');

    await page.click('[data-nic="vmnic1"] button');
    await step(150);
    await expect.poll(() => page.locator('#log li[data-type="failback"]').count()).toBe(1);
    const back = await page.evaluate(() => window.nicteam.data());
    const tBack = back.t[back.t.length - 1]!;
    expect(mean(back.t, back.nics.vmnic1!, tBack - 1, tBack)).toBeGreaterThan(0.9);
    const log = await page.evaluate(() => window.nicteam.log());
    expect(log.map((e) => e.type)).toEqual(expect.arrayContaining(['link', 'notify', 'failover', 'vm-pause', 'vm-resume', 'failback']));

    await page.evaluate(() => document.fonts.ready);
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    expect(existsSync(SCREENSHOT)).toBe(true);
    expect(problems).toEqual({ console: [], pageErrors: [], failedRequests: [] });
    await page.context().close();
  });

  it('a limit slider changes the VM live (updateVm) and its excess demand draws suspend advice', async () => {
    const { page, problems } = await load('?paused');
    const step = (n: number) => page.evaluate((k) => window.nicteam.step(k), n);
    await step(50);
    const limit = page.locator('[data-vm="db-1"] input[type=range]').nth(2);
    await limit.fill('30'); // 30 % of 1 Gbit/s
    expect(await page.locator('[data-vm="db-1"] output').nth(2).textContent()).toBe('300 Mbit/s');
    const t0 = await page.evaluate(() => window.nicteam.run().nowNs / 1e9);
    await step(150);
    const d = await page.evaluate(() => window.nicteam.data());
    const tEnd = d.t[d.t.length - 1]!;
    const db = mean(d.t, d.vms['db-1']!, t0 + 0.5, tEnd);
    expect(db).toBeLessThanOrEqual(300e6 * 1.01);
    expect(db).toBeGreaterThan(300e6 * 0.95);
    // its queue stays full above the limit: after the 2 s suspend window, advice names it
    const advice = await page.locator('#log li[data-type="advice"]').allTextContents();
    expect(advice.some((a) => /suspend db-1 — it offers .* over its 300(\.00)? Mbit\/s limit/.test(a)), advice.join('\n')).toBe(true);
    expect(problems).toEqual({ console: [], pageErrors: [], failedRequests: [] });
    await page.context().close();
  });
});
