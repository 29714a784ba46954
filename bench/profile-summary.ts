// profile-summary.ts — self time per function from a V8 .cpuprofile (node --cpu-prof).
//
// Wasm functions appear under their name-section names (build the core with
// names, e.g. `asc ... -O3 --debug`, or they show as wasm-function[N]); JS
// functions as name (file:line). Prints the top functions by self time, with
// their share of the profile's non-idle samples.
// --root substr keeps only samples with a frame matching substr on the stack
// (e.g. --root 'step (bench/harness' for the measured host loop) and reports
// shares of those samples.
// Usage: npx tsx bench/profile-summary.ts file.cpuprofile [--top 30] [--match substr] [--root substr]

import { readFileSync } from 'node:fs';

interface Node { id: number; callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number }; hitCount?: number; children?: number[] }
interface Profile { nodes: Node[]; samples: number[]; timeDeltas: number[]; startTime: number; endTime: number }

const argv = process.argv.slice(2);
const file = argv[0];
if (!file) { console.error('usage: profile-summary.ts file.cpuprofile [--top N] [--match substr]'); process.exit(2); }
const top = argv.includes('--top') ? Number(argv[argv.indexOf('--top') + 1]) : 30;
const match = argv.includes('--match') ? argv[argv.indexOf('--match') + 1]! : '';
const root = argv.includes('--root') ? argv[argv.indexOf('--root') + 1]! : '';

const p = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(p.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

const label = (n: Node) => {
  const f = n.callFrame;
  const name = f.functionName || '(anonymous)';
  if (!f.url) return name;
  const short = f.url.replace(/^.*\/(src|bench|test|node_modules)\//, '$1/');
  return `${name} (${short}:${f.lineNumber + 1}:${f.columnNumber + 1})`;
};

// time per sample = the following delta (V8 convention: timeDeltas[i] precedes samples[i])
const self = new Map<string, number>();
const total = new Map<string, number>();
let all = 0;
for (let i = 0; i < p.samples.length; i++) {
  const dt = p.timeDeltas[i + 1] ?? 0;
  const n = byId.get(p.samples[i]!)!;
  const l = label(n);
  if (root) {
    let under = false;
    for (let id: number | undefined = n.id; id !== undefined && !under; id = parent.get(id)) under = label(byId.get(id)!).includes(root);
    if (!under) continue;
  }
  if (l === '(idle)' || l === '(program)' || l === '(garbage collector)') { if (l !== '(idle)') self.set(l, (self.get(l) ?? 0) + dt); if (l !== '(idle)') all += dt; continue; }
  all += dt;
  self.set(l, (self.get(l) ?? 0) + dt);
  // inclusive: every distinct frame on the stack
  const seen = new Set<string>();
  for (let id: number | undefined = n.id; id !== undefined; id = parent.get(id)) {
    const s = label(byId.get(id)!);
    if (!seen.has(s)) { seen.add(s); total.set(s, (total.get(s) ?? 0) + dt); }
  }
}

const rows = [...self.entries()].filter(([k]) => k.includes(match)).sort((a, b) => b[1] - a[1]).slice(0, top);
console.log(`${(all / 1e6).toFixed(2)} s sampled (non-idle${root ? `, under "${root}"` : ''})`);
console.log(`${'self %'.padStart(7)} ${'incl %'.padStart(7)}  function`);
for (const [k, v] of rows) console.log(`${((100 * v) / all).toFixed(1).padStart(7)} ${((100 * (total.get(k) ?? v)) / all).toFixed(1).padStart(7)}  ${k}`);
