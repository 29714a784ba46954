// events.ts — the event ring the host drains after every call.
//
// evCap entries of EV_STRIDE (32) bytes: u32 type, u32 a, u32 b, u32 c, u64 x, u64 y.
// The count lives in the header word H_EV_COUNT; the host reads that many
// entries and writes 0 back. An event that does not fit is counted in
// H_EV_LOST (the host reports it as an `events-lost` event), never dropped silently.

import { EV_STRIDE, H_EV_COUNT, H_EV_LOST, evBase, evCap, hdrWord, setHdrWord } from './layout';

export function emit(type: u32, a: u32, b: u32, c: u32, x: u64, y: u64): void {
  const n = hdrWord(H_EV_COUNT);
  if (n >= evCap) { setHdrWord(H_EV_LOST, hdrWord(H_EV_LOST) + 1); return; }
  const e = evBase + <usize>n * EV_STRIDE;
  store<u32>(e, type); store<u32>(e, a, 4); store<u32>(e, b, 8); store<u32>(e, c, 12);
  store<u64>(e, x, 16); store<u64>(e, y, 24);
  setHdrWord(H_EV_COUNT, n + 1);
}
