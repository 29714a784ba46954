// chromium.ts — finds Debian's chromium and launches it headless through
// playwright-core, with the flags this machine needs (docs/browser.md).
//
// The binary: $CHROMIUM_PATH, else `chromium` / `chromium-browser` on PATH.
// When none is found the browser tests skip (a developer without chromium
// still gets a green run); CI installs it with `apt-get install -y chromium`.
// Pages opened through openPage() collect console errors, uncaught page
// errors and failed requests, so every test can assert a clean load.
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { Browser, Page } from 'playwright-core';

export const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

function executable(p: string): boolean {
  try { accessSync(p, constants.X_OK); return true; } catch { return false; }
}

/** Path of the chromium binary, or undefined. */
export function findChromium(): string | undefined {
  const env = process.env.CHROMIUM_PATH;
  if (env) return executable(env) ? env : undefined;
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    for (const name of ['chromium', 'chromium-browser']) {
      const p = join(dir, name);
      if (dir && executable(p)) return p;
    }
  }
  return undefined;
}

export const chromiumPath = findChromium();
if (!chromiumPath) {
  console.warn('[browser tests] SKIPPED: no chromium binary found (set CHROMIUM_PATH or `apt-get install -y chromium`).');
}

export async function launchChromium(): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  return chromium.launch({ executablePath: chromiumPath!, headless: true, args: CHROMIUM_ARGS, timeout: 30_000 });
}

export interface PageProblems { console: string[]; pageErrors: string[]; failedRequests: string[] }

/** A new page (its own context) that records every console error, page error and failed request. */
export async function openPage(browser: Browser, viewport = { width: 1440, height: 1000 }): Promise<{ page: Page; problems: PageProblems }> {
  const ctx = await browser.newContext({ viewport, deviceScaleFactor: 1 });
  const page = await ctx.newPage();
  page.setDefaultTimeout(30_000);
  const problems: PageProblems = { console: [], pageErrors: [], failedRequests: [] };
  page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') problems.console.push(`${m.type()}: ${m.text()}`); });
  page.on('pageerror', (e) => problems.pageErrors.push(e.stack ?? e.message));
  page.on('requestfailed', (r) => problems.failedRequests.push(`${r.url()}: ${r.failure()?.errorText}`));
  page.on('response', (r) => { if (r.status() >= 400) problems.failedRequests.push(`${r.url()}: HTTP ${r.status()}`); });
  return { page, problems };
}
