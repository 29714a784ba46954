// shaper.ts — rate tags in virtual-clock (GCRA) form, fixed point, no division.
//
// A shaper is a token bucket written as a theoretical arrival time `tat`
// (ns, i64) plus a sub-nanosecond remainder `frac` (Q20, u32), with
//   inv   = ns per byte at the rate, Q20 fixed point: (8e9 << 20) / rate_bps,
//           computed once at config time so the hot path multiplies;
//   depth = bucket depth expressed in ns at the rate: (depthBytes * inv) >> 20.
// Tokens at time t are depthBytes - (tat - t) * rate, capped at depthBytes when
// tat <= t. A packet of `len` bytes conforms at t iff
//   eligibleAt(len) = tat + cost(len) - depth <= t,     cost(len) = len * inv (Q20)
// which is the token-bucket test tokens >= len (Turner's GCRA, ITU-T I.371).
// Charging a packet at t: tat = max(tat, t) + cost(len), keeping the remainder
// so a long run of small packets accumulates no rounding drift.
//
// Bounds: rates from 1 kbit/s (inv = 2^43) to 1 Tbit/s (inv ≈ 8389, 1e-4 relative
// precision); len < 2^16, so len * inv < 2^59 never overflows u64; tat stays
// within ~2^58 ns (9 years at 2^58) plus one cost, exact for 18 years of uptime.
// Layout of a shaper inside the VM record: tat (i64) at +0, inv (u64) at +8,
// depth (i64) at +16; frac (u32) in a separate word.

export const Q: u64 = 20;
export const QMASK: u64 = (1 << 20) - 1;

/** ns-per-byte in Q20 for a rate in bit/s (0 → 0 meaning "no rate"). */
export function invFromBps(bps: u64): u64 {
  if (bps == 0) return 0;
  return (<u64>8_000_000_000 << Q) / bps;
}

@inline export function eligibleAt(rec: usize, fracPtr: usize, len: u32): i64 {
  const inv = load<u64>(rec, 8);
  const total = <u64>load<u32>(fracPtr) + <u64>len * inv;
  return load<i64>(rec) + <i64>(total >> Q) - load<i64>(rec, 16);
}

/** mClock R tag of the head packet: the time by which it is due (tat + cost). Served when due, earliest first. */
@inline export function deadline(rec: usize, fracPtr: usize, len: u32): i64 {
  const total = <u64>load<u32>(fracPtr) + <u64>len * load<u64>(rec, 8);
  return load<i64>(rec) + <i64>(total >> Q);
}

/** tat = max(tat, now) + cost(len). */
@inline export function charge(rec: usize, fracPtr: usize, len: u32, now: i64): void {
  let tat = load<i64>(rec);
  let frac = <u64>load<u32>(fracPtr);
  if (tat < now) { tat = now; frac = 0; }
  const total = frac + <u64>len * load<u64>(rec, 8);
  store<i64>(rec, tat + <i64>(total >> Q));
  store<u32>(fracPtr, <u32>(total & QMASK));
}

/**
 * Reservation charge for a backlogged VM (mClock's R tags): the tag advances
 * by cost(len) from where it was, not from now, so credit earned while the VM
 * waited for NIC room or for earlier-due VMs is kept (at most `creditNs`
 * behind now, which bounds the catch-up after a long wait); then the tag is
 * floored at now: service beyond the reservation (share phase) counts toward
 * it up to the present but builds no debt, so the guarantee holds over every
 * interval, not only from the VM's start.
 * A VM that was idle restarts from a full bucket (resetIfIdle).
 */
@inline export function chargeReservation(rec: usize, fracPtr: usize, len: u32, now: i64, creditNs: i64): void {
  let tat = load<i64>(rec);
  let frac = <u64>load<u32>(fracPtr);
  if (tat < now - creditNs) { tat = now - creditNs; frac = 0; }
  const total = frac + <u64>len * load<u64>(rec, 8);
  tat += <i64>(total >> Q);
  frac = total & QMASK;
  if (tat > now) { tat = now; frac = 0; }
  store<i64>(rec, tat);
  store<u32>(fracPtr, <u32>frac);
}

/** A VM becoming backlogged after idling earns no credit for the idle time (mClock: R = max(R, t)). */
@inline export function resetIfIdle(rec: usize, fracPtr: usize, now: i64): void {
  if (load<i64>(rec) < now) { store<i64>(rec, now); store<u32>(fracPtr, 0); }
}
