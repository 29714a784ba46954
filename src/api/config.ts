// config.ts — configuration schemas, defaults and checks (config time only).
//
// Validated with zod; unknown keys are rejected; every error is a NicteamError
// naming the field and the allowed range. Rates are bit/s (numbers or strings
// such as "10Gbit"), sizes bytes (numbers or "256KiB"), see units.ts. The
// hot path never sees these objects: they are turned into plain numbers here
// and staged into Wasm memory by scheduler.ts.

import { z } from 'zod';
import { NicteamError, type NicteamErrorCode } from '../errors.js';
import { parseRate, parseSize } from '../units.js';

export const MIN_RATE = 1_000;          // bit/s: the fixed-point tags' floor (shaper.ts)
export const MAX_RATE = 1_000_000_000_000; // bit/s: 1 Tbit/s
export const MAX_FRAME = 65_535;        // bytes: the largest frame length the core accepts

const rate = (min: number, max: number) =>
  z.union([z.number(), z.string()]).transform((v, ctx) => {
    const r = parseRate(v);
    if (r === undefined) {
      ctx.addIssue({ code: 'custom', message: `expected a rate in bit/s (a number or a string like "10Gbit"), got ${JSON.stringify(v)}` });
      return z.NEVER;
    }
    if (r < min || r > max) {
      ctx.addIssue({ code: 'custom', message: `rate ${r} bit/s out of range: allowed ${min} to ${max} bit/s`, params: { range: true } });
      return z.NEVER;
    }
    return r;
  });

const size = (min: number, max: number) =>
  z.union([z.number(), z.string()]).transform((v, ctx) => {
    const r = parseSize(v);
    if (r === undefined) {
      ctx.addIssue({ code: 'custom', message: `expected a whole number of bytes (a number or a string like "256KiB"), got ${JSON.stringify(v)}` });
      return z.NEVER;
    }
    if (r < min || r > max) {
      ctx.addIssue({ code: 'custom', message: `size ${r} bytes out of range: allowed ${min} to ${max} bytes`, params: { range: true } });
      return z.NEVER;
    }
    return r;
  });

const int = (min: number, max: number) => z.number().int().min(min).max(max);

const MAC_RE = /^[0-9a-fA-F]{2}([:-])[0-9a-fA-F]{2}(\1[0-9a-fA-F]{2}){4}$/;
export const macSchema = z.string().regex(MAC_RE, 'expected a MAC address like "00:50:56:00:00:01"');

/** Teaming policies; the index is the core's POL_* code (assembly/layout.ts). */
export const POLICIES = ['round-robin', 'least-load', 'port-id', 'failover-order', 'src-mac-hash', 'flow-hash', 'load-based', 'flowlet'] as const;
export const PINNED_POLICIES: readonly TeamingPolicyName[] = ['port-id', 'failover-order', 'src-mac-hash', 'load-based'];
type TeamingPolicyName = (typeof POLICIES)[number];
export type TeamingPolicy = (typeof POLICIES)[number];
export const HASH_MODES = ['l2', 'l2+3', 'l3+4'] as const;
export type HashMode = (typeof HASH_MODES)[number];

export const nicSchema = z.strictObject({
  name: z.string().min(1).max(64),
  speed: rate(1e6, MAX_RATE),
  inFlightBytes: size(64, 64 * 1024 * 1024).optional(),
  up: z.boolean().optional(),
});

export const loadBasedSchema = z.strictObject({
  thresholdPercent: z.number().min(1).max(100).optional(),
  windowMs: int(1, 3_600_000).optional(),
  cooldownMs: int(0, 86_400_000).optional(),
  intervalMs: int(1, 60_000).optional(),
});

export const teamingSchema = z.strictObject({
  policy: z.enum(POLICIES).optional(),
  failback: z.boolean().optional(),
  notifySwitches: z.boolean().optional(),
  notifyCount: int(1, 16).optional(),
  notifyIntervalMs: int(0, 60_000).optional(),
  hash: z.enum(HASH_MODES).optional(),
  flowletGapUs: z.number().min(1).max(10_000_000).optional(),
  downDelayMs: int(0, 600_000).optional(),
  upDelayMs: int(0, 600_000).optional(),
  pauseOnFailoverMs: int(0, 600_000).optional(),
  loadBased: loadBasedSchema.optional(),
});

export const capacitySchema = z.strictObject({
  maxVms: int(1, 65_536).optional(),
  maxNics: int(1, 63).optional(),
  queuePackets: int(1, 65_536).optional(),
  poolPackets: int(1, 1 << 24).optional(),
  batchSize: int(1, 4096).optional(),
  eventCapacity: int(16, 65_536).optional(),
  frameBufferBytes: size(64, 64 * 1024 * 1024).optional(),
  maxMacs: int(1, 1 << 20).optional(),
  mtu: size(64, MAX_FRAME).optional(),
  flowletSlots: int(16, 1 << 20).refine((n) => (n & (n - 1)) === 0, 'must be a power of two').optional(),
});

export const schedulerSchema = z.strictObject({
  nics: z.array(nicSchema).min(1).max(63),
  teaming: teamingSchema.optional(),
  capacity: capacitySchema.optional(),
  clock: z.custom<() => bigint>((v) => typeof v === 'function', 'expected a function returning bigint nanoseconds').optional(),
  /** frames from a VM's port whose source MAC is not the VM's: 'reject' (status forged) or 'accept' (charged to the port's VM) */
  forgedTransmits: z.enum(['reject', 'accept']).optional(),
  /** advice (suspend / migrate) thresholds, validated by src/api/advice.ts; false turns advice off */
  advice: z.union([z.literal(false), z.record(z.string(), z.unknown())]).optional(),
});

const vmFields = {
  name: z.string().min(1).max(64),
  mac: z.union([macSchema, z.array(macSchema).max(64)]).optional(),
  shares: int(1, 10_000).optional(),
  reservation: z.union([z.literal(0), rate(MIN_RATE, MAX_RATE)]).optional(),
  /** 0 = no limit (so updateVm can clear one) */
  limit: z.union([z.literal(0), rate(MIN_RATE, MAX_RATE)]).optional(),
  burst: size(64, 1 << 30).optional(),
  peak: z.union([z.literal(0), rate(MIN_RATE, MAX_RATE)]).optional(),
  peakBurst: size(64, 1 << 30).optional(),
  priority: int(0, 7).optional(),
  queuePackets: int(1, 65_536).optional(),
  queueBytes: size(64, 0x7fff_ffff).optional(),
  highWatermark: int(0, 65_536).optional(),
  lowWatermark: int(0, 65_536).optional(),
  policy: z.enum(POLICIES).optional(),
  failoverOrder: z.array(z.string().min(1).max(64)).min(1).max(8).optional(),
};
export const vmSchema = z.strictObject(vmFields);
export const vmUpdateSchema = z.strictObject(vmFields).partial().omit({ name: true, mac: true, policy: true, failoverOrder: true });

export type NicConfigInput = z.input<typeof nicSchema>;
export type TeamingConfig = z.input<typeof teamingSchema>;
export type CapacityConfig = z.input<typeof capacitySchema>;
export type SchedulerConfigInput = z.input<typeof schedulerSchema>;
export type VmConfigInput = z.input<typeof vmSchema>;
export type VmUpdateInput = z.input<typeof vmUpdateSchema>;

function pathOf(prefix: string, path: readonly PropertyKey[]): string {
  let s = prefix;
  for (const p of path) s += typeof p === 'number' ? `[${p}]` : s ? `.${String(p)}` : String(p);
  return s || '(root)';
}

/** Parses with a schema, turning the first zod issue into a NicteamError naming the field. */
export function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown, prefix: string): z.output<S> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  let code: NicteamErrorCode = 'INVALID_CONFIG';
  let field = pathOf(prefix, issue.path);
  let message = issue.message;
  switch (issue.code) {
    case 'unrecognized_keys':
      code = 'UNKNOWN_KEY';
      field = pathOf(prefix, [...issue.path, issue.keys[0]!]);
      message = `unknown key (allowed keys are listed in the README); unknown: ${issue.keys.join(', ')}`;
      break;
    case 'too_small':
    case 'too_big': {
      code = 'OUT_OF_RANGE';
      break;
    }
    case 'custom':
      if ((issue as { params?: { range?: boolean } }).params?.range) code = 'OUT_OF_RANGE';
      break;
    case 'invalid_union': {
      // surface the most specific branch's message (e.g. a rate string that does not parse)
      const inner = (issue as unknown as { errors: { message: string; code: string; params?: { range?: boolean } }[][] }).errors
        .flat().find((e) => e.code === 'custom');
      if (inner) { message = inner.message; if (inner.params?.range) code = 'OUT_OF_RANGE'; }
      break;
    }
  }
  throw new NicteamError(code, message, field);
}

export interface ResolvedCapacity {
  maxVms: number; maxNics: number; queuePackets: number; poolPackets: number; batchSize: number;
  eventCapacity: number; frameBufferBytes: number; macSlots: number; mtu: number; flowletSlots: number;
}

export function resolveCapacity(c: z.output<typeof capacitySchema> | undefined, nicCount: number): ResolvedCapacity {
  const maxVms = c?.maxVms ?? 256;
  const maxNics = c?.maxNics ?? Math.max(8, nicCount);
  if (nicCount > maxNics) throw new NicteamError('CAPACITY', `${nicCount} NICs configured but capacity.maxNics is ${maxNics}`, 'capacity.maxNics');
  const queuePackets = c?.queuePackets ?? 1024;
  const batchSize = c?.batchSize ?? 256;
  const maxMacs = c?.maxMacs ?? maxVms * 4;
  let macSlots = 16;
  while (macSlots < maxMacs * 2) macSlots *= 2;
  const poolPackets = c?.poolPackets ?? Math.min(maxVms * queuePackets + 65_536, 1 << 22);
  return {
    maxVms, maxNics, queuePackets, poolPackets, batchSize,
    eventCapacity: c?.eventCapacity ?? 4096,
    frameBufferBytes: c?.frameBufferBytes ?? batchSize * 2048,
    macSlots, mtu: c?.mtu ?? 1518, flowletSlots: c?.flowletSlots ?? 4096,
  };
}

/** A VM's settings as plain numbers, ready to stage into Wasm. */
export interface ResolvedVm {
  shares: number; reservationBps: number; limitBps: number; burstBytes: number; peakBps: number;
  peakBurstBytes: number; priority: number; queuePackets: number; queueBytes: number;
  highWatermark: number; lowWatermark: number;
  /** POL_* code of a per-VM policy override, or undefined for the team's */
  policy: number | undefined;
  /** NIC indices for failover-order (filled by the scheduler from NIC names) */
  failoverOrder: number[];
  /** hash of the primary MAC, for src-mac-hash placement (filled by the scheduler) */
  macHash: number;
}

export function resolveVm(v: Partial<z.output<typeof vmSchema>>, cap: ResolvedCapacity, base?: ResolvedVm, prefix = 'vm'): ResolvedVm {
  const limitBps = v.limit ?? base?.limitBps ?? 0;
  const peakBps = v.peak ?? base?.peakBps ?? 0;
  const queuePackets = v.queuePackets ?? base?.queuePackets ?? cap.queuePackets;
  const r: ResolvedVm = {
    shares: v.shares ?? base?.shares ?? 100,
    reservationBps: v.reservation ?? base?.reservationBps ?? 0,
    limitBps,
    // default burst: 1 ms at the limit rate, at least two MTUs
    burstBytes: v.burst ?? base?.burstBytes ?? (limitBps ? Math.max(2 * cap.mtu, Math.round(limitBps / 8 / 1000)) : 0),
    peakBps,
    peakBurstBytes: v.peakBurst ?? base?.peakBurstBytes ?? cap.mtu,
    priority: v.priority ?? base?.priority ?? 4,
    queuePackets,
    queueBytes: v.queueBytes ?? base?.queueBytes ?? Math.min(0x7fff_ffff, queuePackets * cap.mtu),
    highWatermark: v.highWatermark ?? base?.highWatermark ?? 0,
    lowWatermark: v.lowWatermark ?? base?.lowWatermark ?? 0,
    policy: v.policy !== undefined ? POLICIES.indexOf(v.policy) : base?.policy,
    failoverOrder: base?.failoverOrder ?? [],
    macHash: base?.macHash ?? 0,
  };
  if (v.limit !== undefined && v.burst === undefined && base) r.burstBytes = Math.max(2 * cap.mtu, Math.round(limitBps / 8 / 1000));
  if (r.reservationBps && r.limitBps && r.reservationBps > r.limitBps)
    throw new NicteamError('INCONSISTENT', `reservation ${r.reservationBps} bit/s exceeds limit ${r.limitBps} bit/s`, `${prefix}.reservation`);
  if (r.peakBps && r.limitBps && r.peakBps < r.limitBps)
    throw new NicteamError('INCONSISTENT', `peak ${r.peakBps} bit/s is below limit ${r.limitBps} bit/s`, `${prefix}.peak`);
  if (r.peakBps && r.reservationBps > r.peakBps)
    throw new NicteamError('INCONSISTENT', `reservation ${r.reservationBps} bit/s exceeds peak ${r.peakBps} bit/s`, `${prefix}.reservation`);
  if (r.limitBps && r.burstBytes < cap.mtu)
    throw new NicteamError('OUT_OF_RANGE', `burst ${r.burstBytes} bytes is below the MTU (${cap.mtu} bytes): allowed ${cap.mtu} to ${1 << 30}`, `${prefix}.burst`);
  if (r.peakBps && r.peakBurstBytes < 64)
    throw new NicteamError('OUT_OF_RANGE', `peakBurst must be at least 64 bytes`, `${prefix}.peakBurst`);
  if (r.highWatermark > r.queuePackets)
    throw new NicteamError('OUT_OF_RANGE', `highWatermark ${r.highWatermark} exceeds queuePackets ${r.queuePackets}: allowed 0 to ${r.queuePackets}`, `${prefix}.highWatermark`);
  if (r.highWatermark && r.lowWatermark >= r.highWatermark)
    throw new NicteamError('INCONSISTENT', `lowWatermark ${r.lowWatermark} must be below highWatermark ${r.highWatermark}`, `${prefix}.lowWatermark`);
  return r;
}

/** MAC string → [hi16, lo32]. */
export function macToWords(mac: string): [number, number] {
  const b = mac.split(/[:-]/).map((x) => parseInt(x, 16));
  return [(b[0]! << 8) | b[1]!, ((b[2]! << 24) | (b[3]! << 16) | (b[4]! << 8) | b[5]!) >>> 0];
}

export function normalizeMac(mac: string): string {
  return mac.toLowerCase().replace(/-/g, ':');
}

// Field builders shared with the scenario schema (src/scenario/schema.ts): the same
// rate/size parsing and messages as the API config.
export { rate as rateField, size as sizeField, int as intField };
