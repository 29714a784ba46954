// whatif.ts — times the host loop of one workload for several core builds
// WITHOUT the decision self-check, for what-if experiments: a build with a
// piece of work removed (e.g. no share-heap update, no stats) shows what that
// piece costs, even though its decisions are wrong. Numbers from here are never
// posted; `npm run bench` (which checks every engine against the model) is.
// Engines alternate in 15 rounds of 2000 batches; prints the median ns/pkt and
// the ratio to the first build.
// Run: npx tsx bench/whatif.ts WORKLOAD_ID a.wasm b.wasm ...   (ids: bench/workloads.ts)
import { readFileSync } from 'node:fs';
import { WasmRunner, Traffic } from './harness.js';
import { MATRIX } from './workloads.js';
const [id, ...files] = process.argv.slice(2);
const wl = MATRIX.find((w) => w.id === id);
if (!wl || files.length === 0) { console.error('usage: npx tsx bench/whatif.ts WORKLOAD_ID a.wasm [b.wasm ...]'); process.exit(2); }
const traffic = new Traffic(wl);
const rs = [] as WasmRunner[];
for (const f of files) {
  const r = await WasmRunner.create(wl, traffic, { name: f, wasm: new Uint8Array(readFileSync(f)) });
  for (let k = 0; r.prefill(k); k++);
  for (let i = 0; i < 20000; i++) r.step();
  rs.push(r);
}
const res: number[][] = files.map(() => []);
for (let round = 0; round < 15; round++) {
  rs.forEach((r, j) => {
    const p0 = r.released, t0 = process.hrtime.bigint();
    for (let i = 0; i < 2000; i++) r.step();
    res[j]!.push(Number(process.hrtime.bigint() - t0) / (r.released - p0));
  });
}
files.forEach((f, j) => { const med = (x: number[]) => [...x].sort((p, q) => p - q)[x.length >> 1]!;
  console.log(f, 'ns/pkt median', med(res[j]!).toFixed(1), 'ratio', (med(res[j]!) / med(res[0]!)).toFixed(3)); });
