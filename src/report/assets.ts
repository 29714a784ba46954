// assets.ts — reads uPlot's built files from node_modules so report.html can
// inline them (Node only: the browser demo supplies its own copies).
// Files: uplot/dist/uPlot.iife.min.js and uplot/dist/uPlot.min.css, about
// 55 kB together, read once per process. Cost: two small file reads.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { ReportAssets } from './html.js';

let cached: ReportAssets | undefined;

export function loadReportAssets(): ReportAssets {
  if (cached) return cached;
  const require = createRequire(import.meta.url);
  const uplotJs = readFileSync(require.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8');
  const uplotCss = readFileSync(require.resolve('uplot/dist/uPlot.min.css'), 'utf8');
  cached = { uplotJs, uplotCss };
  return cached;
}
