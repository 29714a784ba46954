// report.test.ts — the HTML report is self-contained (uPlot inlined, no
// http(s) URL in any script or link tag, no external resource at all), carries
// the chart data of the run and the VM and NIC tables; the terminal table has
// one row per VM and NIC with the allocation, ideal and achieved rates.

import { describe, it, expect, beforeAll } from 'vitest';
import { runSimulation } from '../src/sim/simulation.js';
import { validateScenario } from '../src/scenario/load.js';
import { renderHtmlReport } from '../src/report/html.js';
import { renderTable } from '../src/report/table.js';
import { loadReportAssets } from '../src/report/assets.js';
import type { SimResult } from '../src/sim/types.js';

let result: SimResult;
let html: string;

beforeAll(async () => {
  result = await runSimulation(validateScenario({
    name: 'report <test> & co', durationMs: 60, sampleIntervalMs: 2, seed: 5,
    nics: [{ name: 'vmnic0', speed: '10Gbit' }, { name: 'vmnic1', speed: '10Gbit' }],
    vms: [
      { name: 'alpha', shares: 200, reservation: '1Gbit', source: { type: 'greedy' } },
      { name: 'beta</script>', limit: '2Gbit', priority: 6, source: { type: 'cbr', rateBps: '3Gbit', sizeBytes: 'imix' } },
    ],
    faults: [{ type: 'link-down', nic: 'vmnic1', atMs: 20 }, { type: 'link-up', nic: 'vmnic1', atMs: 40 }],
  }));
  html = renderHtmlReport(result, loadReportAssets());
});

describe('HTML report', () => {
  it('is self-contained: no external scripts, stylesheets or URLs in tags', () => {
    expect(html.startsWith('<!doctype html>')).toBe(true);
    const tags = html.match(/<(script|link|img|iframe)\b[^>]*>/gi) ?? [];
    expect(tags.length).toBeGreaterThanOrEqual(3);
    for (const t of tags) {
      expect(t).not.toMatch(/https?:\/\//i);
      expect(t).not.toMatch(/\bsrc=/i);
      expect(t).not.toMatch(/\bhref=/i);
    }
    expect(html).not.toMatch(/@import|url\(\s*['"]?https?:/i);
    // uPlot's code and CSS are inlined
    const { uplotJs, uplotCss } = loadReportAssets();
    expect(html).toContain(uplotCss.slice(0, 200));
    expect(html).toContain(uplotJs.slice(200, 400));
    expect(html).toContain('new uPlot(');
  });

  it('embeds the chart data of the run', () => {
    const m = /<script id="nicteam-data" type="application\/json">([\s\S]*?)<\/script>/.exec(html);
    expect(m).not.toBeNull();
    const data = JSON.parse(m![1]!) as { timeS: number[]; vms: { name: string; sent: (number | null)[]; ideal: (number | null)[] }[];
      nics: { name: string; util: number[] }[]; linkEvents: { nic: string; up: boolean }[]; downPeriods: { from: number; to: number }[] };
    expect(data.timeS).toHaveLength(result.timeNs.length);
    expect(data.timeS).toHaveLength(30);
    expect(data.vms.map((v) => v.name)).toEqual(['alpha', 'beta</script>']);
    expect(data.vms[0]!.sent[5]).toBeCloseTo(result.vms[0]!.series.sentBps[5]! / 1e9, 3);
    expect(data.vms[0]!.ideal).toHaveLength(30);
    expect(data.nics.map((n) => n.name)).toEqual(['vmnic0', 'vmnic1']);
    expect(data.nics[1]!.util[15]).toBe(0);
    expect(data.linkEvents).toEqual([{ t: 0.02, nic: 'vmnic1', up: false }, { t: 0.04, nic: 'vmnic1', up: true }]);
    expect(data.downPeriods).toEqual([{ nic: 'vmnic1', from: 0.02, to: 0.04 }]);
    // a name that looks like a closing tag does not break out of the script element
    expect(m![1]).not.toContain('</script');
    for (const id of ['chart-throughput', 'chart-nics', 'chart-delay', 'chart-events']) expect(html).toContain(`id="${id}"`);
  });

  it('contains the VM and NIC tables, with escaped names', () => {
    const vmTable = /<table id="vm-table">([\s\S]*?)<\/table>/.exec(html)![1]!;
    expect(vmTable).toContain('alpha');
    expect(vmTable).toContain('beta&lt;/script&gt;');
    expect(vmTable).toMatch(/achieved/);
    expect((vmTable.match(/<tr>/g) ?? []).length).toBe(3);
    const nicTable = /<table id="nic-table">([\s\S]*?)<\/table>/.exec(html)![1]!;
    expect(nicTable).toContain('vmnic0');
    expect(nicTable).toContain('vmnic1');
    expect(html).toContain('report &lt;test&gt; &amp; co');
    expect(html).toContain('failover');
  });

  it('is deterministic', () => {
    expect(renderHtmlReport(result, loadReportAssets())).toBe(html);
  });
});

describe('terminal table', () => {
  it('lists each VM with allocation, ideal, achieved and delay, and each NIC', () => {
    const t = renderTable(result);
    const lines = t.split('\n');
    const alpha = lines.find((l) => l.startsWith('alpha'))!;
    expect(alpha).toMatch(/^alpha\s+200\s+1G\s+-\s+4\s+/);
    const beta = lines.find((l) => l.startsWith('beta'))!;
    expect(beta).toMatch(/\s2G\s+6\s+/);
    expect(lines.some((l) => /^vmnic1\s+10G\s+[\d.]+%/.test(l))).toBe(true);
    expect(t).toMatch(/conservation: ok/);
    expect(t).toMatch(/events: .*failover 1/);
    // achieved column of alpha matches the result
    const achieved = result.vms[0]!.achievedBps;
    expect(achieved).toBeGreaterThan(1e9);
  });
});
