// static-esm.test.ts — the package's ESM build in a page with no bundler:
// demo/static/index.html served by scripts/serve-demo.mjs from 127.0.0.1 (an
// ephemeral port), dist/ and node_modules/zod as plain files, 'nicteam' and
// 'zod' resolved by an import map. The page must load with no console error,
// no failed request, and compute the same engine fingerprint as Node does on
// the same dist/ (DESIGN §7: same config, inputs and clock → same decisions).
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Browser } from 'playwright-core';
import { chromiumPath, launchChromium, openPage } from './support/chromium.js';
import { nodeFingerprint, ROOT } from './support/reference.js';
import { startStaticServer, staticExampleMounts } from '../../scripts/serve-demo.mjs';

const haveDist = existsSync(resolve(ROOT, 'dist/index.js'));

describe.skipIf(!chromiumPath || !haveDist)('static page + import map (dist/ unbundled) in headless Chromium', () => {
  let browser: Browser;
  let server: { url: string; close(): Promise<void> };

  beforeAll(async () => {
    server = await startStaticServer({ mounts: staticExampleMounts(ROOT) });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('loads, schedules and fingerprints exactly like Node', async () => {
    const { page, problems } = await openPage(browser);
    await page.goto(server.url, { waitUntil: 'load' });
    await page.waitForFunction(() => (window as { __nicteamStatic?: unknown }).__nicteamStatic !== undefined, null, { timeout: 45_000 });
    const res = await page.evaluate(() => (window as unknown as { __nicteamStatic: { ok: boolean; error?: string; decisions: number; fingerprint: { hash: string; perPolicy: Record<string, { hash: string; decisions: number }> } } }).__nicteamStatic);
    expect(res.error, 'page error').toBeUndefined();
    expect(res.ok).toBe(true);
    expect(res.decisions).toBe(4);
    expect(await page.textContent('#out')).toContain('failover: vmnic1');
    const node = await nodeFingerprint();
    for (const [policy, p] of Object.entries(node.perPolicy)) {
      expect(res.fingerprint.perPolicy[policy], `policy ${policy}`).toMatchObject({ hash: p.hash, decisions: p.decisions });
    }
    expect(res.fingerprint.hash).toBe(node.hash);
    expect(problems).toEqual({ console: [], pageErrors: [], failedRequests: [] });
    await page.context().close();
  });

  it('serves only under the mounts, only on 127.0.0.1', async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const get = async (p: string) => (await fetch(new URL(p, server.url))).status;
    expect(await get('/dist/index.js')).toBe(200);
    expect(await get('/node_modules/zod/index.js')).toBe(200);
    expect(await get('/package.json')).toBe(404);
    for (const escape of ['/dist/../package.json', '/dist/%2e%2e/package.json', '/dist/..%2f..%2fpackage.json', '/dist/..%2f..%2f..%2fetc%2fpasswd']) {
      expect([403, 404], escape).toContain(await get(escape));
    }
  });
});
