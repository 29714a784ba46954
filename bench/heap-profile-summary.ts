// heap-profile-summary.ts — the largest allocation sites of a V8 sampling heap
// profile (.heapprofile from node --heap-prof, or the one `ALLOC_DEBUG=1 npm run bench`
// writes to /tmp/alloc.heapprofile for the allocation windows), with the last
// six frames of each site's stack. Run: npx tsx bench/heap-profile-summary.ts FILE
import { readFileSync } from 'node:fs';
const file = process.argv[2];
if (!file) { console.error('usage: npx tsx bench/heap-profile-summary.ts FILE.heapprofile'); process.exit(2); }
const p = JSON.parse(readFileSync(file, 'utf8'));
const out: { name: string; self: number; stack: string }[] = [];
interface Node { callFrame: { functionName: string; url: string; lineNumber: number }; selfSize?: number; children?: Node[] }
function walk(n: Node, stack: string[]) {
  const cf = n.callFrame; const name = `${cf.functionName || '(anon)'} ${cf.url.split('/').slice(-2).join('/')}:${cf.lineNumber + 1}`;
  const st = [...stack, name];
  const self = (n.selfSize ?? 0);
  if (self > 0) out.push({ name, self, stack: st.slice(-6).join(' < ') });
  for (const c of n.children ?? []) walk(c, st);
}
walk(p.head as Node, []);
out.sort((a, b) => b.self - a.self);
for (const o of out.slice(0, 25)) console.log(o.self, o.stack);
