// core.ts — loads the Wasm core and gives it a typed face.
//
// The release module is inlined as base64 (wasm/inline.ts, generated at build),
// compiled once per process and instantiated once per scheduler, so every
// scheduler owns its own linear memory. No I/O, no Node built-ins: the same
// code runs in Node, browsers and bundlers. Hosts may pass their own module
// bytes (for example the debug build, or bytes fetched from a URL).
// The only import is env.abort, called by the core only on an internal
// assertion in debug builds; it surfaces as a NicteamError('WASM').

import { WASM_BASE64 } from './inline.js';
import { NicteamError } from '../errors.js';

/** The raw exports of the core; see assembly/index.ts for each contract. */
export interface CoreExports {
  memory: WebAssembly.Memory;
  init(vms: number, nics: number, pool: number, batch: number, events: number, frameBytes: number, macSlots: number, flowletSlots: number): number;
  setTeam(policy: number, failback: number, hashMode: number, flowletGapNs: bigint): number;
  vmMove(vm: number, nic: number, now: bigint): number;
  nicDelete(nic: number): number;
  nicSet(i: number, speedBps: bigint, inFlightLimitBytes: bigint, up: number): number;
  setLink(i: number, up: number, now: bigint): number;
  vmAdd(now: bigint): number;
  vmUpdate(vm: number, now: bigint): number;
  vmRemove(vm: number): number;
  vmTakeQueued(vm: number, max: number): number;
  vmState(vm: number): number;
  macSet(vm: number, hi: number, lo: number): number;
  macRemove(hi: number, lo: number): number;
  macFind(hi: number, lo: number): number;
  enqueue(n: number, now: bigint): number;
  enqueueFrames(n: number, now: bigint): number;
  enqueueFramesFromPorts(n: number, now: bigint): number;
  setForgedPolicy(accept: number): void;
  setFlowHashing(on: number): void;
  poll(now: bigint, max: number): number;
  completed(nic: number, count: number): number;
  clock(): bigint;
  reserved(): bigint;
}

export const CORE_EXPORTS: readonly (keyof CoreExports)[] = [
  'memory', 'init', 'setTeam', 'nicSet', 'setLink', 'vmAdd', 'vmUpdate', 'vmRemove', 'vmTakeQueued', 'vmState',
  'macSet', 'macRemove', 'macFind', 'enqueue', 'enqueueFrames', 'poll', 'completed', 'vmMove', 'nicDelete', 'enqueueFramesFromPorts', 'setForgedPolicy', 'setFlowHashing', 'clock', 'reserved',
];

let cached: Promise<WebAssembly.Module> | undefined;

export function decodeBase64(b64: string): Uint8Array {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

function compile(bytes: Uint8Array | ArrayBuffer): Promise<WebAssembly.Module> {
  return WebAssembly.compile(bytes as BufferSource);
}

/** Compiles (once) and instantiates the core; checks that every export is there. */
export async function instantiateCore(bytes?: Uint8Array | ArrayBuffer): Promise<CoreExports> {
  let mod: WebAssembly.Module;
  try {
    if (bytes) mod = await compile(bytes);
    else {
      cached ??= compile(decodeBase64(WASM_BASE64));
      mod = await cached.catch((e) => { cached = undefined; throw e; });
    }
  } catch (e) {
    throw new NicteamError('WASM', `the Wasm core failed to compile: ${(e as Error).message}`);
  }
  const imports = {
    env: {
      abort(_msg: number, _file: number, line: number, col: number): never {
        throw new NicteamError('WASM', `Wasm core assertion failed at line ${line}:${col}`);
      },
    },
  };
  const inst = await WebAssembly.instantiate(mod, imports);
  const ex = inst.exports as unknown as CoreExports;
  for (const name of CORE_EXPORTS) {
    if (!(name in ex)) throw new NicteamError('WASM', `the Wasm core lacks the export "${name}" (mismatched build?)`);
  }
  return ex;
}
