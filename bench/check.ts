// check.ts — quick smoke: the benches' decision self-check only, on every workload.
//
// For each workload of the matrix, the Wasm engine (the inlined build, or the
// modules given with --engine name=path.wasm) and the TypeScript model run the
// same traffic for the first --packets released packets (default 2048; the
// backlogged prefill is checked too) and must agree on every status,
// classification, decision (handle, NIC, VM, length), completion count and wake
// time. Prints one line per workload; exits 1 on the first mismatch, naming it.
// No timing. Usage: npx tsx bench/check.ts [--only substr,...] [--packets n] [--engine name=path]

import { MATRIX, describe } from './workloads.js';
import { setupRow, parseEngine, Skip, Mismatch, type EngineSpec } from './harness.js';

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  let packets = 2048;
  const only: string[] = [];
  const engines: EngineSpec[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--packets') packets = Number(argv[++i]);
    else if (a === '--only') only.push(...argv[++i]!.split(','));
    else if (a === '--engine') engines.push(parseEngine(argv[++i]!));
    else { console.error(`unknown option ${a}`); return 2; }
  }
  if (!engines.length) engines.push({ name: 'wasm' });
  const rows = only.length ? MATRIX.filter((w) => only.some((s) => w.id.includes(s))) : MATRIX;
  const t0 = Date.now();
  let ok = 0, skipped = 0;
  for (const wl of rows) {
    const t = Date.now();
    try {
      const r = await setupRow(wl, engines, packets);
      console.log(`ok    ${describe(wl)}: ${r.checked} packets identical (${Date.now() - t} ms)`);
      ok++;
    } catch (e) {
      if (e instanceof Skip) { console.log(`skip  ${describe(wl)}: ${e.message}`); skipped++; continue; }
      if (e instanceof Mismatch) { console.error(`FAIL  ${describe(wl)} [${wl.id}]\n      ${e.message}`); return 1; }
      throw e;
    }
  }
  console.log(`self-check: ${ok} workloads identical, ${skipped} skipped (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  return 0;
}

main().then((code) => process.exit(code), (e) => { console.error(e); process.exit(2); });
