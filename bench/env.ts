// env.ts — the machine a result was measured on, and access to the garbage collector.

import os from 'node:os';
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';

export interface MachineInfo { os: string; cpu: string; cores: number; node: string; v8: string; date: string; memGiB: number }

export function machine(): MachineInfo {
  const cpus = os.cpus();
  return {
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    node: process.version,
    v8: process.versions.v8,
    date: new Date().toISOString(),
    memGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
  };
}

/**
 * A full, synchronous GC. Uses global.gc when node runs with --expose-gc;
 * otherwise turns the flag on at run time (works in Node 20) so `npm run bench`
 * needs no extra flags.
 */
export function getGc(): () => void {
  const g = (globalThis as { gc?: () => void }).gc;
  if (typeof g === 'function') return g;
  v8.setFlagsFromString('--expose-gc');
  const fn = runInNewContext('gc') as () => void;
  return fn;
}
