// units.ts — parsing of rate and size strings used in configs and scenario files.
//
// Rates are bit/s: a number, or a string like "10Gbit", "500 Mbit", "64Kbit",
// "1.5Gbps", "100M" (decimal SI prefixes k/K, M, G, T; "bit", "bps", "b/s" or nothing).
// Sizes are bytes: a number, or "256KiB", "1MB", "9000", "64 B" (SI decimal
// k/M/G and IEC binary Ki/Mi/Gi). Results must be finite, non-negative integers
// (rates are rounded to whole bit/s, sizes must be whole bytes).

const SI: Record<string, number> = { '': 1, k: 1e3, K: 1e3, M: 1e6, G: 1e9, T: 1e12 };
const IEC: Record<string, number> = { Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3, Ti: 1024 ** 4 };

const RATE_RE = /^\s*(\d+(?:\.\d+)?(?:e\d+)?)\s*([kKMGT]?)(bit\/s|bits\/s|bit|bps|b\/s)?\s*$/;
const SIZE_RE = /^\s*(\d+(?:\.\d+)?)\s*(Ki|Mi|Gi|Ti|k|K|M|G|T)?(B|bytes?)?\s*$/;

/** Parses a rate; returns bit/s or undefined when the text is not a rate. */
export function parseRate(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) && v >= 0 ? Math.round(v) : undefined;
  if (typeof v !== 'string') return undefined;
  const m = RATE_RE.exec(v);
  if (!m) return undefined;
  const n = Number(m[1]) * SI[m[2] ?? '']!;
  return Number.isFinite(n) ? Math.round(n) : undefined;
}

/** Parses a size; returns bytes or undefined when the text is not a whole size. */
export function parseSize(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isInteger(v) && v >= 0 ? v : undefined;
  if (typeof v !== 'string') return undefined;
  const m = SIZE_RE.exec(v);
  if (!m) return undefined;
  const p = m[2] ?? '';
  const mult = IEC[p] ?? SI[p]!;
  const n = Number(m[1]) * mult;
  return Number.isInteger(n) ? n : undefined;
}

/** Formats bit/s for humans: "9.87 Gbit/s". */
export function formatRate(bps: number): string {
  const units: [number, string][] = [[1e12, 'Tbit/s'], [1e9, 'Gbit/s'], [1e6, 'Mbit/s'], [1e3, 'kbit/s']];
  for (const [d, u] of units) if (Math.abs(bps) >= d) return `${(bps / d).toFixed(2)} ${u}`;
  return `${bps.toFixed(0)} bit/s`;
}
