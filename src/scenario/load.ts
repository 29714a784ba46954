// load.ts — scenario text (JSON or YAML) → a validated, resolved Scenario.
//
// Three stages, each failing with one ScenarioError that names the path in the
// file ("vms[2].source.rateBps"), says what was expected and, when the text is
// at hand, the line and column: (1) syntax (JSON.parse / the yaml package,
// strict, unique keys), (2) the zod schema (schema.ts), (3) cross-field checks
// the schema cannot express (unique names and MACs, faults that name existing
// NICs and VMs, reservation ≤ limit via the API's own resolveVm, ...). Then
// units are resolved: ms → ns (rounded to whole ns), defaults filled in.
// Browser-safe (no node: imports); reading files is the CLI's business.

import YAML, { LineCounter } from 'yaml';
import type { z } from 'zod';
import { NicteamError } from '../errors.js';
import { resolveCapacity, resolveVm, normalizeMac } from '../api/config.js';
import { scenarioSchema, type ParsedScenarioFile, type ParsedSource, type ParsedNic, type ParsedVm } from './schema.js';
import type { Scenario, SimNicSpec, SimVmSpec, FaultSpec } from '../sim/types.js';
import type { SourceSpec } from '../sim/sources.js';
import type { SizeSpec } from '../sim/sizes.js';

export type ScenarioErrorKind = 'syntax' | 'schema' | 'semantic';

/** A scenario that cannot be used; `path` names the field, line/column locate it in the text (1-based). */
export class ScenarioError extends Error {
  readonly kind: ScenarioErrorKind;
  readonly path: string;
  readonly line: number | undefined;
  readonly column: number | undefined;
  readonly file: string | undefined;
  readonly detail: string;
  constructor(kind: ScenarioErrorKind, path: string, detail: string, loc?: { line: number; column: number }, file?: string) {
    const where = [file, loc ? `line ${loc.line}, column ${loc.column}` : undefined].filter(Boolean).join(' ');
    super(`${where ? `${where}: ` : ''}${path ? `${path}: ` : ''}${detail}`);
    this.name = 'ScenarioError';
    this.kind = kind; this.path = path; this.detail = detail;
    this.line = loc?.line; this.column = loc?.column; this.file = file;
  }
}

export type ScenarioFormat = 'json' | 'yaml';

export interface LoadOptions {
  /** Format of the text; default: by file extension, else JSON when it starts with "{", else YAML. */
  format?: ScenarioFormat;
  /** Name shown in errors. */
  fileName?: string;
}

/** Parses and validates scenario text. Throws ScenarioError. */
export function parseScenarioText(text: string, options: LoadOptions = {}): Scenario {
  const format = options.format ?? guessFormat(text, options.fileName);
  const file = options.fileName;
  let value: unknown;
  const lines = new LineCounter();
  let doc: YAML.Document.Parsed | undefined;
  if (format === 'json') {
    try { value = JSON.parse(text); } catch (e) {
      const m = /position (\d+)/.exec((e as Error).message);
      const loc = m ? lineCol(text, Number(m[1])) : undefined;
      throw new ScenarioError('syntax', '', `invalid JSON: ${(e as Error).message.replace(/ in JSON at position \d+.*$/, '')}`, loc, file);
    }
  } else {
    doc = YAML.parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true, strict: true });
    const err = doc.errors[0];
    if (err) {
      const pos = err.linePos?.[0] ?? lines.linePos(err.pos[0]);
      throw new ScenarioError('syntax', '', `invalid YAML: ${err.message.split('\n')[0]}`, pos ? { line: pos.line, column: pos.col } : undefined, file);
    }
    value = doc.toJS({ maxAliasCount: 1000 });
  }
  const locate = (path: (string | number)[]) => locatePath(text, format, path, doc, lines);
  return validateScenario(value, { locate, ...(file !== undefined ? { fileName: file } : {}) });
}

/** Validates an already parsed value (a JS object in the file format). Throws ScenarioError. */
export function validateScenario(value: unknown, ctx: { locate?: (path: (string | number)[]) => { line: number; column: number } | undefined; fileName?: string } = {}): Scenario {
  const fail = (kind: ScenarioErrorKind, path: (string | number)[], detail: string): never => {
    throw new ScenarioError(kind, pathText(path), detail, ctx.locate?.(path), ctx.fileName);
  };
  const r = scenarioSchema.safeParse(value);
  if (!r.success) {
    const { path, message } = describeIssue(r.error.issues[0]!, value);
    fail('schema', path, message);
  }
  const s = r.data!;
  checkSemantics(s, fail);
  return resolve(s);
}

// ------------------------------------------------------------------ schema issues → messages

function describeIssue(issue: z.core.$ZodIssue, input: unknown): { path: (string | number)[]; message: string } {
  const path = issue.path.map((p) => (typeof p === 'number' ? p : String(p)));
  const value = valueAt(input, path);
  const last = path[path.length - 1];
  if (issue.code === 'unrecognized_keys') {
    return { path: [...path, issue.keys[0]!], message: `unknown key "${issue.keys[0]}" (docs/simulator.md lists the fields of this object)` };
  }
  if (value === undefined && path.length > 0) {
    return { path, message: `missing required field${hintFor(last) ? `: expected ${hintFor(last)}` : ''}` };
  }
  if (issue.code === 'invalid_union') {
    const inner = (issue as unknown as { errors: { message: string; code: string }[][] }).errors.flat().find((e) => e.code === 'custom');
    if (inner && last !== 'sizeBytes') return { path, message: inner.message };
    if (issue.message && !/^Invalid input/.test(issue.message)) return { path, message: `${issue.message}, got ${JSON.stringify(value)}` };
    const hint = hintFor(last);
    return { path, message: hint ? `expected ${hint}, got ${JSON.stringify(value)}` : issue.message };
  }
  return { path, message: issue.message.replace(/^Invalid input: /, '') };
}

function hintFor(key: string | number | undefined): string | undefined {
  if (typeof key !== 'string') return undefined;
  if (key === 'sizeBytes') return 'a frame size: bytes (14..65535), "imix", { uniform: [min, max] } or { mix: [[bytes, weight], ...] }';
  if (key.endsWith('Bps') || key === 'speed' || key === 'reservation' || key === 'limit' || key === 'peak') return 'a rate in bit/s (a number or a string like "10Gbit")';
  if (key.endsWith('Ms')) return 'a time in milliseconds (a number)';
  if (key.endsWith('Us')) return 'a time in microseconds (a number)';
  if (key.endsWith('Bytes') || key === 'burst' || key === 'peakBurst') return 'a size in bytes (a number or a string like "9KiB")';
  if (key.endsWith('Packets')) return 'a whole number of frames';
  if (key === 'type') return 'a type name';
  if (key === 'name' || key === 'nic' || key === 'vm') return 'a name (string)';
  return undefined;
}

function valueAt(v: unknown, path: (string | number)[]): unknown {
  let cur = v;
  for (const p of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string | number, unknown>)[p];
  }
  return cur;
}

export function pathText(path: (string | number)[]): string {
  let s = '';
  for (const p of path) s += typeof p === 'number' ? `[${p}]` : s ? `.${p}` : p;
  return s;
}

// ------------------------------------------------------------------ cross-field checks

type Fail = (kind: ScenarioErrorKind, path: (string | number)[], detail: string) => never;

function checkSemantics(s: ParsedScenarioFile, fail: Fail): void {
  const nicNames = new Set<string>();
  s.nics.forEach((n, i) => {
    if (nicNames.has(n.name)) fail('semantic', ['nics', i, 'name'], `NIC name "${n.name}" is used twice`);
    nicNames.add(n.name);
  });
  let cap;
  try { cap = resolveCapacity(s.capacity, s.nics.length); } catch (e) { rethrow(e, fail, ['capacity']); }
  const vmNames = new Set<string>();
  const macs = new Set<string>();
  const baseOf = new Map<string, ReturnType<typeof resolveVm>>();
  const checkVm = (v: ParsedVm, at: (string | number)[]) => {
    if (vmNames.has(v.name)) fail('semantic', [...at, 'name'], `VM name "${v.name}" is used twice`);
    vmNames.add(v.name);
    const list = v.mac === undefined ? [] : Array.isArray(v.mac) ? v.mac : [v.mac];
    list.forEach((m, j) => {
      const k = normalizeMac(m);
      if (macs.has(k)) fail('semantic', Array.isArray(v.mac) ? [...at, 'mac', j] : [...at, 'mac'], `MAC ${k} already belongs to another VM`);
      macs.add(k);
    });
    const { source, ...engine } = v;
    try { baseOf.set(v.name, resolveVm(engine, cap!, undefined, pathText(at))); } catch (e) { rethrow(e, fail, at); }
    if (source) checkSource(source, [...at, 'source'], fail, s.durationMs);
  };
  s.vms.forEach((v, i) => checkVm(v, ['vms', i]));
  if (s.sampleIntervalMs !== undefined && s.sampleIntervalMs > s.durationMs)
    fail('semantic', ['sampleIntervalMs'], `sample interval ${s.sampleIntervalMs} ms is longer than the run (durationMs ${s.durationMs})`);
  if (s.durationMs / (s.sampleIntervalMs ?? defaultIntervalMs(s.durationMs)) > 1_000_000)
    fail('semantic', ['sampleIntervalMs'], 'more than 1,000,000 intervals: use a longer sampleIntervalMs');
  const order = (s.faults ?? []).map((f, i) => ({ f, i })).sort((a, b) => a.f.atMs - b.f.atMs || a.i - b.i);
  for (const { f, i } of order) {
    const at = ['faults', i];
    if (f.atMs > s.durationMs) fail('semantic', [...at, 'atMs'], `fault at ${f.atMs} ms is after the end of the run (durationMs ${s.durationMs})`);
    switch (f.type) {
      case 'link-down': case 'link-up': case 'remove-nic': case 'flap':
        if (!nicNames.has(f.nic)) fail('semantic', [...at, 'nic'], `no NIC named "${f.nic}" (known: ${[...nicNames].join(', ')})`);
        break;
      case 'add-nic':
        if (nicNames.has(f.nic.name)) fail('semantic', [...at, 'nic', 'name'], `NIC name "${f.nic.name}" is already in use`);
        nicNames.add(f.nic.name);
        break;
      case 'add-vm': checkVm(f.vm, [...at, 'vm']); break;
      case 'update-vm': case 'remove-vm': {
        if (!vmNames.has(f.vm)) fail('semantic', [...at, 'vm'], `no VM named "${f.vm}" at ${f.atMs} ms (known: ${[...vmNames].join(', ') || 'none'})`);
        if (f.type === 'update-vm') {
          try { baseOf.set(f.vm, resolveVm(f.changes, cap!, baseOf.get(f.vm), pathText([...at, 'changes']))); } catch (e) { rethrow(e, fail, [...at, 'changes']); }
        } else vmNames.delete(f.vm);
        break;
      }
    }
  }
}

function checkSource(src: ParsedSource, at: (string | number)[], fail: Fail, durationMs: number): void {
  const size = src.sizeBytes;
  if (size && typeof size === 'object' && 'uniform' in size && size.uniform[0] > size.uniform[1])
    fail('semantic', [...at, 'sizeBytes', 'uniform'], `uniform range [${size.uniform[0]}, ${size.uniform[1]}]: the minimum is above the maximum`);
  if (src.startMs !== undefined && src.stopMs !== undefined && src.stopMs <= src.startMs)
    fail('semantic', [...at, 'stopMs'], `stopMs ${src.stopMs} must be after startMs ${src.startMs}`);
  if (src.startMs !== undefined && src.startMs > durationMs)
    fail('semantic', [...at, 'startMs'], `startMs ${src.startMs} is after the end of the run (durationMs ${durationMs})`);
  if (src.type === 'tcp') {
    if (src.initialRateBps !== undefined && src.initialRateBps > src.maxRateBps)
      fail('semantic', [...at, 'initialRateBps'], `initialRateBps ${src.initialRateBps} exceeds maxRateBps ${src.maxRateBps}`);
    if (src.minRateBps !== undefined && src.minRateBps > src.maxRateBps)
      fail('semantic', [...at, 'minRateBps'], `minRateBps ${src.minRateBps} exceeds maxRateBps ${src.maxRateBps}`);
  }
}

/** A NicteamError from resolveVm/resolveCapacity → ScenarioError at the field it names. */
function rethrow(e: unknown, fail: Fail, at: (string | number)[]): never {
  if (e instanceof NicteamError) {
    const field = e.field ?? pathText(at);
    const detail = e.message.startsWith(`${field}: `) ? e.message.slice(field.length + 2) : e.message;
    return fail('semantic', parsePath(field), detail);
  }
  throw e;
}

/** "vms[2].source.rateBps" → ['vms', 2, 'source', 'rateBps'] */
export function parsePath(p: string): (string | number)[] {
  const out: (string | number)[] = [];
  for (const m of p.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) out.push(m[2] !== undefined ? Number(m[2]) : m[1]!);
  return out;
}

// ------------------------------------------------------------------ resolution (units, defaults)

const msToNs = (ms: number) => Math.round(ms * 1e6);

/** A "nice" interval (1, 2 or 5 × 10^k ms) giving at most ~600 intervals. */
export function defaultIntervalMs(durationMs: number): number {
  const raw = durationMs / 600;
  const p = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 5, 10]) if (m * p >= raw) return m * p;
  return 10 * p;
}

export const NIC_DEFAULTS = { txRingPackets: 1024, wireOverheadBytes: 24, txCoalesceFrames: 0, txCoalesceUs: 25 } as const;

export function resolveNic(n: ParsedNic): SimNicSpec {
  const { txRingPackets, wireOverheadBytes, txCoalesceFrames, txCoalesceUs, ...config } = n;
  return {
    config,
    txRingPackets: txRingPackets ?? NIC_DEFAULTS.txRingPackets,
    wireOverheadBytes: wireOverheadBytes ?? NIC_DEFAULTS.wireOverheadBytes,
    txCoalesceFrames: txCoalesceFrames ?? NIC_DEFAULTS.txCoalesceFrames,
    txCoalesceNs: Math.round((txCoalesceUs ?? NIC_DEFAULTS.txCoalesceUs) * 1000),
  };
}

function resolveSize(s: ParsedSource['sizeBytes']): SizeSpec {
  if (s === undefined) return { kind: 'fixed', bytes: 1500 };
  if (s === 'imix') return { kind: 'imix' };
  if (typeof s === 'number') return { kind: 'fixed', bytes: s };
  if ('uniform' in s) return { kind: 'uniform', minBytes: s.uniform[0], maxBytes: s.uniform[1] };
  return { kind: 'mix', entries: s.mix.map(([bytes, weight]) => ({ bytes, weight })) };
}

export function resolveSource(s: ParsedSource | undefined): SourceSpec {
  if (!s) return { type: 'greedy', size: { kind: 'fixed', bytes: 1500 } };
  const c = {
    size: resolveSize(s.sizeBytes),
    ...(s.startMs !== undefined ? { startNs: msToNs(s.startMs) } : {}),
    ...(s.stopMs !== undefined ? { stopNs: msToNs(s.stopMs) } : {}),
    ...(s.ringPackets !== undefined ? { ringPackets: s.ringPackets } : {}),
  };
  switch (s.type) {
    case 'greedy': return { type: 'greedy', ...c };
    case 'cbr': return { type: 'cbr', rateBps: s.rateBps, ...c };
    case 'poisson': return { type: 'poisson', rateBps: s.rateBps, ...c };
    case 'onoff': return { type: 'onoff', rateBps: s.rateBps, onNs: msToNs(s.onMs), offNs: msToNs(s.offMs), exponential: s.exponential ?? false, ...c };
    case 'tcp': return {
      type: 'tcp', maxRateBps: s.maxRateBps, initialRateBps: s.initialRateBps ?? Math.max(1e6, s.maxRateBps / 10),
      minRateBps: s.minRateBps ?? Math.min(1e6, s.maxRateBps), increaseBps: s.increaseBps ?? Math.max(1e5, s.maxRateBps / 100),
      rttNs: msToNs(s.rttMs ?? 1), decrease: s.decrease ?? 0.5, ...c,
    };
  }
}

export function resolveVmSpec(v: ParsedVm): SimVmSpec {
  const { source, ...config } = v;
  return { config, source: resolveSource(source) };
}

function resolve(s: ParsedScenarioFile): Scenario {
  const faults: FaultSpec[] = (s.faults ?? []).map((f): FaultSpec => {
    const atNs = msToNs(f.atMs);
    switch (f.type) {
      case 'link-down': case 'link-up': case 'remove-nic': return { atNs, type: f.type, nic: f.nic };
      case 'flap': return { atNs, type: 'flap', nic: f.nic, downNs: msToNs(f.downMs), upNs: msToNs(f.upMs), count: f.count };
      case 'add-nic': return { atNs, type: 'add-nic', nic: resolveNic(f.nic) };
      case 'update-vm': return { atNs, type: 'update-vm', vm: f.vm, changes: f.changes };
      case 'add-vm': return { atNs, type: 'add-vm', vm: resolveVmSpec(f.vm) };
      case 'remove-vm': return { atNs, type: 'remove-vm', vm: f.vm };
    }
  });
  return {
    name: s.name ?? 'scenario',
    ...(s.description !== undefined ? { description: s.description } : {}),
    seed: s.seed ?? 1,
    durationNs: msToNs(s.durationMs),
    sampleIntervalNs: Math.max(1, msToNs(s.sampleIntervalMs ?? defaultIntervalMs(s.durationMs))),
    hostBatchNs: Math.round((s.hostBatchUs ?? 2) * 1000),
    ...(s.teaming ? { teaming: s.teaming } : {}),
    ...(s.capacity ? { capacity: s.capacity } : {}),
    nics: s.nics.map(resolveNic),
    vms: s.vms.map(resolveVmSpec),
    faults,
  };
}

// ------------------------------------------------------------------ locations

function guessFormat(text: string, fileName?: string): ScenarioFormat {
  if (fileName) {
    if (/\.json$/i.test(fileName)) return 'json';
    if (/\.ya?ml$/i.test(fileName)) return 'yaml';
  }
  return text.trimStart().startsWith('{') ? 'json' : 'yaml';
}

function lineCol(text: string, offset: number): { line: number; column: number } {
  let line = 1, col = 1;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text[i] === '\n') { line++; col = 1; } else col++;
  }
  return { line, column: col };
}

/** Line/column of the deepest node that exists along `path` (JSON text is parsed as YAML for this). */
function locatePath(text: string, format: ScenarioFormat, path: (string | number)[], doc: YAML.Document.Parsed | undefined,
  lines: LineCounter): { line: number; column: number } | undefined {
  let d = doc, lc = lines;
  if (format === 'json' || !d) {
    lc = new LineCounter();
    d = YAML.parseDocument(text, { lineCounter: lc });
    if (d.errors.length) return undefined;
  }
  for (let k = path.length; k >= 0; k--) {
    const sub = path.slice(0, k);
    const node = (k === 0 ? d.contents : d.getIn(sub, true)) as { range?: [number, number, number] } | undefined;
    if (node && typeof node === 'object' && node.range) {
      // for a key that exists, point at its key when the value is a collection
      const pos = lc.linePos(node.range[0]);
      return { line: pos.line, column: pos.col };
    }
  }
  return undefined;
}
