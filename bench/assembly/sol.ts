// sol.ts — the speed-of-light loop: exactly a batch's memory traffic, nothing else.
//
// Same column layout as the core's in-ring and out-ring (assembly/layout.ts):
// u32 columns vm, len, handle, hash in; handle, nic, vm, len out. One call per
// batch reads n descriptors and writes n decisions (nic = a rotating choice
// among `nics`, the cheapest per-packet decision there is). No scheduling, no
// state: what is left of the engine's ns/packet above this is the engine.
// Built by bench/sol.ts with `asc --runtime stub -O3 --noAssert` into build/sol.wasm.

let inVm: usize = 0;
let inLen: usize = 0;
let inHandle: usize = 0;
let inHash: usize = 0;
let outHandle: usize = 0;
let outNic: usize = 0;
let outVm: usize = 0;
let outLen: usize = 0;
let batchMax: u32 = 0;
let rr: u32 = 0;

/** Lays out the 8 columns for batches of up to `batch`; returns the first column's address (or 0). */
export function setup(batch: u32): usize {
  const col = (<usize>batch * 4 + 15) & ~(<usize>15);
  const base = (__heap_base + 15) & ~(<usize>15);
  const end = base + col * 8;
  const have = <usize>memory.size() << 16;
  if (end > have && memory.grow(<i32>((end - have + 0xffff) >> 16)) < 0) return 0;
  inVm = base; inLen = base + col; inHandle = base + col * 2; inHash = base + col * 3;
  outHandle = base + col * 4; outNic = base + col * 5; outVm = base + col * 6; outLen = base + col * 7;
  batchMax = batch;
  return base;
}

/** Column stride in bytes (the host finds column k at base + k * stride). */
export function stride(): usize { return inLen - inVm; }

/** Reads n descriptors, writes n decisions; returns n. */
export function run(n: u32, nics: u32): u32 {
  if (n > batchMax) n = batchMax;
  let nic = rr;
  for (let i: u32 = 0; i < n; i++) {
    const o = <usize>i << 2;
    const vm = load<u32>(inVm + o), len = load<u32>(inLen + o), handle = load<u32>(inHandle + o);
    const hash = load<u32>(inHash + o);
    store<u32>(outHandle + o, handle);
    store<u32>(outNic + o, nic);
    store<u32>(outVm + o, vm);
    store<u32>(outLen + o, len + (hash & 0)); // the hash is read, like the core reads it
    nic = nic + 1 == nics ? 0 : nic + 1;
  }
  rr = nic;
  return n;
}
