// machash.ts — the hash of a VM's primary MAC used by src-mac-hash placement.
// The same mix/fin steps as the core's flow hash (assembly/parse.ts), over the
// MAC's 16-bit high and 32-bit low words; computed once at config time.

export function mix(h: number, x: number): number {
  const y = Math.imul((h ^ x) >>> 0, 0x9e3779b1) >>> 0;
  return (y ^ (y >>> 15)) >>> 0;
}

export function fin(h: number): number {
  h = (h ^ (h >>> 16)) >>> 0; h = Math.imul(h, 0x85ebca6b) >>> 0;
  h = (h ^ (h >>> 13)) >>> 0; h = Math.imul(h, 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

export function macHash(hi: number, lo: number): number {
  return fin(mix(mix(0x811c9dc5, hi & 0xffff), lo >>> 0));
}
