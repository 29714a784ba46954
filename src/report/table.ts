// table.ts — the terminal summary of a simulation or replay: one table of
// VMs (allocation, ideal vs achieved, delay, losses), one of NICs
// (utilization, failovers), then advice and event counts. Plain text,
// fixed-width columns, no colours (pipes and CI logs stay readable).
// Rates bit/s ("9.84G"), delays as durations. Cost: O(VMs + NICs + events).

import type { SimResult, SimVmResult } from '../sim/types.js';
import * as F from './format.js';

/** Rows and columns laid out with padding; numbers right-aligned. */
export function layout(header: string[], rows: string[][], rightAlign: boolean[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (rightAlign[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(header), widths.map((w) => '─'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

function allocation(v: SimVmResult): string[] {
  const a = v.allocation;
  return [String(a.shares), F.rate(a.reservationBps, true), F.rate(a.limitBps, true), String(a.priority)];
}

/** Advice events (engine type 'advice', if the engine emits any), one line each. */
export function adviceLines(r: SimResult): string[] {
  return r.events.filter((e) => e.type === 'advice' || e.type.startsWith('advice')).map((e) => {
    const { tNs, type, ...rest } = e;
    return `${F.duration(tNs).padStart(9)}  ${type}  ${JSON.stringify(rest)}`;
  });
}

export function renderTable(r: SimResult): string {
  const out: string[] = [];
  const secs = r.scenario.durationNs / 1e9;
  out.push(`nicteam — ${r.scenario.name}`);
  out.push(`policy ${r.scenario.policy}, ${F.duration(r.scenario.durationNs)} simulated (${secs.toFixed(3)} s), seed ${r.scenario.seed}, `
    + `${r.timeNs.length} intervals of ${F.duration(r.scenario.sampleIntervalNs)}`);
  out.push('');
  const adviceByVm = new Map<string, number>();
  for (const e of r.events) {
    if (e.type !== 'advice') continue;
    // suspend advice names one VM; migrate advice lists candidate VMs
    const names = typeof e.name === 'string' ? [e.name] : Array.isArray(e.vms) ? (e.vms as { name?: string }[]).map((v) => v.name) : [];
    for (const n of names) if (typeof n === 'string') adviceByVm.set(n, (adviceByVm.get(n) ?? 0) + 1);
  }
  const vmRows = r.vms.map((v) => {
    const raw = v.idealBps > 0 ? (v.achievedBps - v.idealBps) / v.idealBps : 0;
    const diff = Math.abs(raw) < 0.0005 ? 0 : raw;
    return [
      v.name + (v.removedAtNs !== null ? ' (removed)' : ''), ...allocation(v),
      F.rate(v.idealBps), F.rate(v.achievedBps), v.idealBps > 0 ? `${diff >= 0 ? '+' : ''}${(diff * 100).toFixed(1)}%` : '-',
      v.delay.count ? F.duration(v.delay.p50Ns) : '-', v.delay.count ? F.duration(v.delay.p99Ns) : '-',
      F.count(v.hostDrops), F.count(v.fullStatuses), F.count(v.pauses), String(adviceByVm.get(v.name) ?? '-'),
    ];
  });
  out.push(layout(
    ['VM', 'shares', 'resv', 'limit', 'prio', 'ideal', 'achieved', 'Δ', 'delay p50', 'delay p99', 'drops', 'full', 'pauses', 'advice'],
    vmRows, [false, true, true, true, true, true, true, true, true, true, true, true, true, true],
  ));
  out.push('rates in bit/s of frame bytes; ideal = DESIGN §2 allocation for the measured demand and the capacity up in each interval;');
  out.push('drops = frames lost when a VM\'s host (vNIC) ring overflowed; full = `full` statuses (frame kept and retried).');
  out.push('');
  const nicRows = r.nics.map((n) => [
    n.name, F.rate(n.speedBps), F.percent(n.utilization), F.count(n.sentPackets), F.bytes(n.sentBytes), String(n.failovers),
    n.series.up.every((u) => u === 1) ? 'up' : n.series.up.at(-1) === 1 ? `up (down ${n.series.up.filter((u) => u === 0).length} intervals)` : 'down',
  ]);
  out.push(layout(['NIC', 'speed', 'util', 'frames', 'bytes', 'failovers', 'link'], nicRows, [false, true, true, true, true, true, false]));
  const advice = adviceLines(r);
  if (advice.length) {
    out.push('');
    out.push('advice:');
    out.push(...advice.slice(0, 20).map((l) => `  ${l}`));
    if (advice.length > 20) out.push(`  … ${advice.length - 20} more`);
  }
  out.push('');
  const counts = Object.entries(r.eventCounts).sort((a, b) => a[0].localeCompare(b[0])).map(([k, v]) => `${k} ${v}`).join(', ');
  out.push(`events: ${counts || 'none'}`);
  const c = r.conservation;
  out.push(`conservation: ${c.ok ? 'ok' : 'VIOLATED'} — accepted ${F.count(c.accepted)} = sent ${F.count(c.completed)} + queued ${F.count(c.queued)}`
    + ` + in flight ${F.count(c.inFlight)} + returned ${F.count(c.returned)}${c.violations ? `, ${c.violations} violations` : ''}`);
  return out.join('\n');
}
