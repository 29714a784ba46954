// format.ts — compact human formatting shared by the terminal table and the
// HTML report: rates (bit/s), times (ns), sizes (bytes), counts.
// Pure functions, browser-safe, O(1).

/** 9.84G, 200M, 64k, or "-" for 0 when `dashZero`. Input bit/s. */
export function rate(bps: number, dashZero = false): string {
  if (dashZero && bps === 0) return '-';
  const a = Math.abs(bps);
  if (a >= 1e12) return `${trim(bps / 1e12)}T`;
  if (a >= 1e9) return `${trim(bps / 1e9)}G`;
  if (a >= 1e6) return `${trim(bps / 1e6)}M`;
  if (a >= 1e3) return `${trim(bps / 1e3)}k`;
  return `${Math.round(bps)}`;
}

/** Rate with its unit: "9.84 Gbit/s". */
export function rateLong(bps: number): string {
  const r = rate(bps);
  const last = r[r.length - 1]!;
  return /[kMGT]/.test(last) ? `${r.slice(0, -1)} ${last}bit/s` : `${r} bit/s`;
}

function trim(v: number): string {
  const s = Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 10 ? v.toFixed(1) : v.toFixed(2);
  return s.includes('.') ? s.replace(/\.?0+$/, '') : s;
}

/** 850 ns, 12.3 µs, 4.56 ms, 1.2 s. */
export function duration(ns: number): string {
  if (ns < 1e3) return `${Math.round(ns)} ns`;
  if (ns < 1e6) return `${trim(ns / 1e3)} µs`;
  if (ns < 1e9) return `${trim(ns / 1e6)} ms`;
  return `${trim(ns / 1e9)} s`;
}

/** 1,234,567 */
export function count(n: number): string {
  return Math.round(n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** 97.3% */
export function percent(x: number): string {
  return `${(x * 100).toFixed(1)}%`;
}

/** 1.50 GB, 12.3 MB, 512 B */
export function bytes(n: number): string {
  if (n >= 1e9) return `${trim(n / 1e9)} GB`;
  if (n >= 1e6) return `${trim(n / 1e6)} MB`;
  if (n >= 1e3) return `${trim(n / 1e3)} kB`;
  return `${n} B`;
}
