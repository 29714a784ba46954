// sol.ts — loads the speed-of-light module (bench/assembly/sol.ts) and runs it
// the way the host runs the engine: copy n descriptors into the in-ring
// columns (the same loop Scheduler.enqueue runs), ONE call that reads them and
// writes n decisions, then read the n decisions back (the host's completion
// count). Nothing is scheduled; it is the floor for one batch's memory traffic
// and boundary crossing. Compiled with asc into build/sol.wasm when stale.

import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SRC = resolve(root, 'bench/assembly/sol.ts');
const OUT = resolve(root, 'build/sol.wasm');

/** Builds build/sol.wasm from bench/assembly/sol.ts if it is missing or older than its source. */
export function buildSol(force = false): string {
  if (!force && existsSync(OUT) && statSync(OUT).mtimeMs >= statSync(SRC).mtimeMs) return OUT;
  const asc = resolve(root, 'node_modules/.bin/asc');
  execFileSync(asc, ['bench/assembly/sol.ts', '-o', 'build/sol.wasm', '-t', 'build/sol.wat', '-O3', '--runtime', 'stub', '--noAssert'],
    { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
  return OUT;
}

interface SolExports { memory: WebAssembly.Memory; setup(batch: number): number; stride(): number; run(n: number, nics: number): number }

export class SolRunner {
  private readonly inVm: Uint32Array; private readonly inLen: Uint32Array;
  private readonly inHandle: Uint32Array; private readonly inHash: Uint32Array;
  private readonly outNic: Uint32Array; private readonly outVm: Uint32Array;
  private readonly vms: Uint32Array; private readonly lens: Uint32Array; private readonly hashes: Uint32Array;
  private handle = 0;
  sink = 0;

  private constructor(private readonly ex: SolExports, readonly B: number, private readonly nics: number, vmsN: number) {
    const base = ex.setup(B);
    if (!base) throw new Error('sol: setup failed');
    const st = ex.stride(), buf = ex.memory.buffer;
    const col = (k: number) => new Uint32Array(buf, base + k * st, B);
    this.inVm = col(0); this.inLen = col(1); this.inHandle = col(2); this.inHash = col(3);
    this.outNic = col(5); this.outVm = col(6);
    this.vms = new Uint32Array(B); this.lens = new Uint32Array(B).fill(64); this.hashes = new Uint32Array(B);
    for (let i = 0; i < B; i++) { this.vms[i] = i % vmsN; this.hashes[i] = Math.imul(i + 1, 0x9e3779b1) >>> 0; }
  }

  static async create(batch: number, nics: number, vms: number): Promise<SolRunner> {
    const bytes = readFileSync(buildSol());
    const { instance } = await WebAssembly.instantiate(bytes, { env: { abort() { throw new Error('sol: abort'); } } });
    return new SolRunner(instance.exports as unknown as SolExports, batch, nics, vms);
  }

  /** One batch: copy in, one call, read the decisions. */
  step(): number {
    const B = this.B;
    for (let i = 0; i < B; i++) {
      this.inVm[i] = this.vms[i]!; this.inLen[i] = this.lens[i]!;
      this.inHandle[i] = (this.handle + i) >>> 0; this.inHash[i] = this.hashes[i]!;
    }
    this.handle = (this.handle + B) >>> 0;
    const c = this.ex.run(B, this.nics);
    let s = 0;
    for (let i = 0; i < c; i++) s += this.outNic[i]! + this.outVm[i]!;
    this.sink = (this.sink + s) | 0;
    return c;
  }
}
