// metrics.test.ts — formatMetrics output parsed by an independent Prometheus
// text-format parser and compared value by value with stats(); label escaping
// with hostile VM names; the delay histogram cumulative with +Inf = count.
import { describe, it, expect, beforeAll } from 'vitest';
import { createRequire } from 'node:module';
import { createScheduler, type Scheduler, type StatsSnapshot } from '../src/index.js';
import { formatMetrics, escapeLabelValue } from '../src/api/metrics.js';
import { RateTracker } from '../src/api/rates.js';
import { bucketUpperNs } from '../src/api/stats.js';
import { HostLoop } from './support/advice-loop.js';

interface Sample { value?: string; labels?: Record<string, string>; buckets?: Record<string, string>; count?: string; sum?: string }
interface Family { name: string; help: string; type: string; metrics: Sample[] }
const parse = createRequire(import.meta.url)('parse-prometheus-text-format') as (text: string) => Family[];

const HOSTILE = ['web "prod"', 'C:\\vm\\1', 'line\nbreak', 'ünïcødé-虚拟机-🚀', 'trail\\', '\\"\n\\n', 'a,b="c"}'];

let s: Scheduler;
let stats: StatsSnapshot;
let rates: RateTracker;
let text: string;
let families: Map<string, Sample[]>;

beforeAll(async () => {
  s = await createScheduler({
    nics: [{ name: 'vmnic0', speed: 100e6, inFlightBytes: 8000 }, { name: 'vm"nic\\1', speed: 100e6, inFlightBytes: 8000 }],
    teaming: { policy: 'port-id' }, capacity: { queuePackets: 32 }, clock: () => 0n,
  });
  const ids = HOSTILE.map((name, i) => s.addVm({ name, limit: 5e6 * (i + 1), reservation: i === 0 ? 1e6 : 0, highWatermark: 24, lowWatermark: 8 }, 0n));
  const loop = new HostLoop(s, 1_000_000n, ids.map((vm, i) => ({ vm, rateBps: 12e6 * (i % 3 + 1), packetBytes: 200 + 100 * i, mode: 'discard' as const })));
  rates = new RateTracker();
  rates.update(0n, s.stats());
  loop.run(1_500_000_000n);
  s.setLink(1, false, loop.t); // failover: resteered and failover counters move
  loop.refreshNics();
  loop.run(2_000_000_000n);
  s.enqueue(9999, [100], [1], undefined, loop.t); // unknown VM
  s.enqueue(ids[0]!, [0], [2], undefined, loop.t); // malformed
  s.completed(0, 1000); // bad completions
  stats = s.stats();
  rates.update(loop.t, stats);
  text = formatMetrics(stats, rates, { fairnessIndex: 0.75, reservationConformance: 1, adviceTotal: { suspend: 2, migrate: 1 } });
  // a labelled histogram loses its labels in this parser: read its samples as untyped series instead
  const flat = parse(text.replace('# TYPE nicteam_vm_queue_delay_seconds histogram', '# TYPE nicteam_vm_queue_delay_seconds untyped'));
  families = new Map();
  for (const f of flat) families.set(f.name, [...(families.get(f.name) ?? []), ...f.metrics]);
});

const num = (v: string | undefined) => (v === '+Inf' ? Infinity : v === '-Inf' ? -Infinity : Number(v));
function value(name: string, labels: Record<string, string>): number {
  const hits = (families.get(name) ?? []).filter((m) => Object.keys(labels).every((k) => m.labels?.[k] === labels[k]) && Object.keys(m.labels ?? {}).length === Object.keys(labels).length);
  expect(hits, `${name} ${JSON.stringify(labels)}`).toHaveLength(1);
  return num(hits[0]!.value);
}

describe('formatMetrics', () => {
  it('parses, with HELP and TYPE on every family and counters named _total', () => {
    const fams = parse(text);
    expect(fams.length).toBeGreaterThan(40);
    const names = new Set<string>();
    for (const f of fams) {
      expect(names.has(f.name), `family ${f.name} appears in one group`).toBe(false);
      names.add(f.name);
      expect(f.name).toMatch(/^nicteam_[a-z0-9_]+$/);
      expect(f.help.length).toBeGreaterThan(5);
      expect(['COUNTER', 'GAUGE', 'HISTOGRAM']).toContain(f.type);
      if (f.type === 'COUNTER') expect(f.name.endsWith('_total')).toBe(true);
      else expect(f.name.endsWith('_total')).toBe(false);
    }
    expect(fams.find((f) => f.name === 'nicteam_vm_queue_delay_seconds')!.type).toBe('HISTOGRAM');
    expect(text.endsWith('\n')).toBe(true);
    // sanity: the run exercised the counters being compared
    expect(stats.team.failovers).toBe(1);
    expect(stats.vms.some((v) => v.fullPackets > 0)).toBe(true);
    expect(stats.vms.some((v) => v.resteeredPackets > 0)).toBe(true);
  });

  it('every per-VM value equals stats(), keyed by the unescaped hostile names', () => {
    const fields: [string, (v: StatsSnapshot['vms'][number]) => number][] = [
      ['accepted_packets_total', (v) => v.acceptedPackets], ['accepted_bytes_total', (v) => v.acceptedBytes],
      ['released_packets_total', (v) => v.releasedPackets], ['released_bytes_total', (v) => v.releasedBytes],
      ['sent_packets_total', (v) => v.sentPackets], ['sent_bytes_total', (v) => v.sentBytes],
      ['full_packets_total', (v) => v.fullPackets], ['full_bytes_total', (v) => v.fullBytes],
      ['returned_packets_total', (v) => v.returnedPackets], ['returned_bytes_total', (v) => v.returnedBytes],
      ['dropped_packets_total', (v) => v.droppedPackets], ['resteered_packets_total', (v) => v.resteeredPackets],
      ['forged_packets_total', (v) => v.forgedPackets], ['forged_bytes_total', (v) => v.forgedBytes],
      ['pauses_total', (v) => v.pauses], ['reservation_bytes_total', (v) => v.reservationBytes],
      ['queue_packets', (v) => v.queuedPackets], ['queue_bytes', (v) => v.queuedBytes],
      ['in_flight_packets', (v) => v.inFlightPackets], ['paused', (v) => (v.paused ? 1 : 0)],
      ['queue_delay_max_seconds', (v) => v.delayMaxNs / 1e9],
    ];
    expect(stats.vms.map((v) => v.name)).toEqual(HOSTILE);
    for (const v of stats.vms) {
      const l = { vm: v.name, vm_id: String(v.id) };
      for (const [suffix, get] of fields) expect(value(`nicteam_vm_${suffix}`, l), suffix).toBe(get(v));
      const r = rates.vm(v.id, v.name)!;
      expect(value('nicteam_vm_sent_bits_per_second', l)).toBe(r.sentBps);
      expect(value('nicteam_vm_released_bits_per_second', l)).toBe(r.releasedBps);
      expect(value('nicteam_vm_accepted_bits_per_second', l)).toBe(r.acceptedBps);
      expect(value('nicteam_vm_offered_bits_per_second', l)).toBe(r.offeredBps);
      if (v.fullBytes > 0) expect(r.offeredBps).toBeGreaterThan(r.acceptedBps); // full refusals counted as offered
      else expect(r.offeredBps).toBe(r.acceptedBps);
    }
  });

  it('the delay histogram is cumulative, +Inf = _count, buckets and sum match stats()', () => {
    let checked = 0;
    for (const v of stats.vms) {
      const l = { vm: v.name, vm_id: String(v.id) };
      let acc = 0, prev = -1;
      for (let b = 0; b < v.delayHistogram.length - 1; b++) {
        acc += v.delayHistogram[b]!;
        const got = value('nicteam_vm_queue_delay_seconds_bucket', { ...l, le: String(bucketUpperNs(b) / 1e9) });
        expect(got).toBe(acc);
        expect(got).toBeGreaterThanOrEqual(prev);
        prev = got;
      }
      const total = v.delayHistogram.reduce((a, x) => a + x, 0);
      expect(value('nicteam_vm_queue_delay_seconds_bucket', { ...l, le: '+Inf' })).toBe(total);
      expect(value('nicteam_vm_queue_delay_seconds_count', l)).toBe(total);
      expect(total).toBe(v.releasedPackets);
      expect(value('nicteam_vm_queue_delay_seconds_sum', l)).toBeCloseTo((v.delayMeanNs * v.releasedPackets) / 1e9, 12);
      if (total > 0 && v.delayHistogram.filter((x) => x > 0).length > 1) checked++;
    }
    expect(checked).toBeGreaterThan(0); // some VM spread over several buckets
  });

  it('the histogram parses as a real histogram (single VM)', async () => {
    const one = { ...stats, vms: [stats.vms.find((v) => v.delayHistogram.filter((x) => x > 0).length > 1)!] };
    const h = parse(formatMetrics(one)).find((f) => f.name === 'nicteam_vm_queue_delay_seconds')!;
    expect(h.type).toBe('HISTOGRAM');
    const buckets = h.metrics[0]!.buckets!;
    expect(Object.keys(buckets)).toHaveLength(32);
    const les = Object.keys(buckets).filter((k) => k !== '+Inf').map(Number).sort((a, b) => a - b);
    const counts = les.map((le) => Number(buckets[String(le)]));
    for (let i = 1; i < counts.length; i++) expect(counts[i]!).toBeGreaterThanOrEqual(counts[i - 1]!);
    expect(Number(buckets['+Inf'])).toBe(one.vms[0]!.releasedPackets);
  });

  it('every per-NIC and team value equals stats()', () => {
    for (const n of stats.nics) {
      const l = { nic: n.name };
      const want: [string, number][] = [
        ['released_packets_total', n.releasedPackets], ['released_bytes_total', n.releasedBytes],
        ['sent_packets_total', n.sentPackets], ['sent_bytes_total', n.sentBytes],
        ['in_flight_packets', n.inFlightPackets], ['in_flight_bytes', n.inFlightBytes], ['in_flight_limit_bytes', n.inFlightLimitBytes],
        ['up', n.up ? 1 : 0], ['speed_bits_per_second', n.speedBps], ['failovers_total', n.failovers],
        ['resteered_packets_total', n.resteeredPackets], ['bad_completions_total', n.badCompletions],
        ['pinned_vms', n.pinnedVms], ['reserved_bits_per_second', n.reservedBps],
        ['sent_bits_per_second', rates.nic(n.index)!.sentBps], ['utilization_ratio', rates.nic(n.index)!.utilization],
      ];
      for (const [suffix, x] of want) expect(value(`nicteam_nic_${suffix}`, l), suffix).toBe(x);
    }
    expect(stats.nics.map((n) => n.up)).toEqual([true, false]);
    const t = stats.team;
    const team: [string, number][] = [
      ['malformed_packets_total', t.malformed], ['unknown_vm_packets_total', t.unknownVm], ['bad_length_packets_total', t.badLength],
      ['bad_completions_total', t.badCompletions], ['polls_total', t.polls], ['resteered_packets_total', t.resteered],
      ['failovers_total', t.failovers], ['clock_backwards_total', t.clockBackwards], ['forged_packets_total', t.forged], ['pool_free_packets', t.poolFree], ['pool_packets', t.poolPackets],
      ['fairness_index', 0.75], ['reservation_conformance_ratio', 1],
    ];
    for (const [suffix, x] of team) expect(value(`nicteam_${suffix}`, {}), suffix).toBe(x);
    expect(t.unknownVm).toBe(1);
    expect(t.malformed).toBe(1);
    expect(t.badCompletions).toBeGreaterThan(0);
    expect(value('nicteam_advice_total', { kind: 'suspend' })).toBe(2);
    expect(value('nicteam_advice_total', { kind: 'migrate' })).toBe(1);
  });

  it('escapes label values exactly as the format requires', () => {
    expect(escapeLabelValue('a"b\\c\nd')).toBe('a\\"b\\\\c\\nd');
    expect(escapeLabelValue('ünï🚀')).toBe('ünï🚀');
    // no raw line feed inside any sample line: every line is a comment, a sample, or the final empty line
    const lines = text.split('\n');
    expect(lines.at(-1)).toBe('');
    for (const line of lines.slice(0, -1)) expect(line).toMatch(/^(# (HELP|TYPE) nicteam_[a-z0-9_]+ .+|nicteam_[a-z0-9_]+(\{.*\})? \S+)$/);
  });

  it('omits optional families when rates and summaries are absent; null summaries are omitted', () => {
    const bare = formatMetrics(stats);
    expect(bare).not.toContain('bits_per_second{vm');
    expect(bare).not.toContain('utilization');
    expect(bare).not.toContain('nicteam_fairness_index');
    expect(formatMetrics(stats, undefined, { fairnessIndex: null })).not.toContain('nicteam_fairness_index');
    expect(() => parse(bare)).not.toThrow();
  });
});
