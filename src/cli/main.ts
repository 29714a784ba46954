#!/usr/bin/env node
// main.ts — the `nicteam` command line: simulate, replay, validate.
//
// Thin glue: read files, call the simulator (src/sim), print the terminal
// table or JSON (stdout), write report.html, show a progress bar (stderr, only
// on a TTY and only once a run has taken more than a second). Output with
// --json is deterministic (no wall-clock times in it). Exit codes are part of
// the interface (see EXIT below and --help). Node only.

import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import cliProgress from 'cli-progress';
import { parseScenarioText, ScenarioError } from '../scenario/load.js';
import { defaultScenario, DEFAULT_SCENARIO_FILE } from '../scenario/default.js';
import { runSimulation } from '../sim/simulation.js';
import { replayCapture } from '../sim/replay.js';
import { CaptureError } from '../pcap/reader.js';
import { NicteamError } from '../errors.js';
import { renderTable } from '../report/table.js';
import { renderHtmlReport } from '../report/html.js';
import { loadReportAssets } from '../report/assets.js';
import type { Scenario, SimResult } from '../sim/types.js';
import * as F from '../report/format.js';

export const EXIT = { ok: 0, runFailed: 1, usage: 2, badInput: 3 } as const;

const EXIT_HELP = `
Exit codes:
  0  success
  1  the run failed (an engine or simulator error during the run)
  2  usage or validation error (bad option, invalid scenario file)
  3  an input file is unreadable or corrupt (missing file, malformed capture)`;

/** An error with the exit code it should produce. */
class CliError extends Error {
  constructor(readonly exitCode: number, message: string) { super(message); }
}

function readInput(file: string): Uint8Array {
  try {
    const b = readFileSync(file);
    return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const why = err.code === 'ENOENT' ? 'no such file' : err.code === 'EISDIR' ? 'is a directory' : err.code === 'EACCES' ? 'permission denied' : err.message;
    throw new CliError(EXIT.badInput, `cannot read ${file}: ${why}`);
  }
}

function loadScenario(file: string | undefined): Scenario {
  if (file === undefined) return defaultScenario();
  const bytes = readInput(file);
  let text: string;
  try { text = new TextDecoder('utf-8', { fatal: true }).decode(bytes); } catch {
    throw new CliError(EXIT.badInput, `cannot read ${file}: not UTF-8 text`);
  }
  return parseScenarioText(text, { fileName: file });
}

/** A progress bar on stderr that appears only after a second, and only on a TTY. */
function progress(label: string): { update: (done: number, total: number) => void; stop: () => void } {
  const started = Date.now();
  let bar: cliProgress.SingleBar | undefined;
  const tty = process.stderr.isTTY === true;
  return {
    update(done, total) {
      if (!tty) return;
      if (!bar) {
        if (Date.now() - started < 1000) return;
        bar = new cliProgress.SingleBar({
          stream: process.stderr, format: `${label} [{bar}] {percentage}% | {value}/{total} ms simulated`, hideCursor: true, clearOnComplete: true,
        }, cliProgress.Presets.shades_classic);
        bar.start(Math.round(total / 1e6), 0);
      }
      bar.update(Math.round(done / 1e6));
    },
    stop() { bar?.stop(); },
  };
}

interface OutputOptions { json?: boolean; out?: string; report?: boolean }

function emit(result: SimResult, opts: OutputOptions, subtitle: string): void {
  if (opts.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  else process.stdout.write(`${renderTable(result)}\n`);
  if (opts.report !== false) {
    const out = opts.out ?? 'report.html';
    const html = renderHtmlReport(result, loadReportAssets(), { subtitle });
    try { writeFileSync(out, html); } catch (e) {
      throw new CliError(EXIT.runFailed, `cannot write the report to ${out}: ${(e as Error).message}`);
    }
    process.stderr.write(`report written to ${path.resolve(out)}\n`);
  }
}

function parseSpeed(v: string): number | 'max' {
  if (v === 'max') return 'max';
  const x = Number(v);
  if (!Number.isFinite(x) || x <= 0) throw new CliError(EXIT.usage, `--speed must be a positive number or "max", got "${v}"`);
  return x;
}

export function buildProgram(): Command {
  const program = new Command();
  program
    .name('nicteam')
    .description('Simulate and replay traffic through the nicteam per-VM NIC-team scheduler (the real Wasm engine).')
    .version('0.1.0')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) })
    .addHelpText('after', EXIT_HELP);

  const outputs = (c: Command) => c
    .option('--json', 'print the full result as JSON on stdout instead of the table (deterministic)')
    .option('--out <file>', 'where to write the HTML report', 'report.html')
    .option('--no-report', 'do not write the HTML report');

  outputs(program.command('simulate')
    .description('run a scenario file (JSON or YAML); without one, the built-in default scenario')
    .argument('[scenario]', 'scenario file (.json, .yaml or .yml); see docs/simulator.md')
    .addOption(new Option('--seed <n>', 'override the scenario\'s seed').argParser((v) => {
      const n = Number(v);
      if (!Number.isSafeInteger(n) || n < 0) throw new CliError(EXIT.usage, `--seed must be a non-negative integer, got "${v}"`);
      return n;
    }))
    .addHelpText('after', `\nWithout a file: "${DEFAULT_SCENARIO_FILE.name}".\n${EXIT_HELP}`))
    .action(async (file: string | undefined, opts: OutputOptions & { seed?: number }) => {
      const scenario = loadScenario(file);
      if (opts.seed !== undefined) scenario.seed = opts.seed;
      const bar = progress('simulating');
      let result: SimResult;
      try { result = await runSimulation(scenario, { onProgress: bar.update }); } finally { bar.stop(); }
      emit(result, opts, `${file ? path.basename(file) : 'built-in default scenario'} · policy ${result.scenario.policy} · seed ${result.scenario.seed}`);
    });

  outputs(program.command('replay')
    .description('replay a pcap/pcapng capture through the engine (frames classified by source MAC)')
    .argument('<capture>', 'capture file (pcap or pcapng)')
    .option('--config <file>', 'scenario file for the team, NICs, VMs (matched by MAC) and faults; other MACs get default VMs')
    .option('--speed <x>', 'timing: 1 = as captured, 2 = twice as fast, "max" = as fast as the team drains', '1')
    .addHelpText('after', EXIT_HELP))
    .action(async (file: string, opts: OutputOptions & { config?: string; speed: string }) => {
      const speed = parseSpeed(opts.speed);
      const scenario = opts.config ? loadScenario(opts.config) : undefined;
      const bytes = readInput(file);
      const bar = progress('replaying');
      let result;
      try {
        result = await replayCapture(bytes, { speed, ...(scenario ? { scenario } : {}), onProgress: bar.update });
      } finally { bar.stop(); }
      if (!opts.json) {
        const r = result.replay;
        process.stdout.write(`capture ${path.basename(file)}: ${r.format}, ${F.count(r.frames)} frames over ${F.duration(r.captureSpanNs)}, `
          + `speed ${r.speed}; accepted ${F.count(r.accepted)}, unknown-vm ${r.refused.unknownVm}, malformed ${r.refused.malformed}\n\n`);
      }
      emit(result, opts, `replay of ${path.basename(file)} · speed ${speed} · policy ${result.scenario.policy}`);
    });

  program.command('validate')
    .description('check a scenario file and say what is wrong (path, line and column)')
    .argument('<scenario>', 'scenario file (.json, .yaml or .yml)')
    .option('--json', 'print the verdict as JSON')
    .addHelpText('after', EXIT_HELP)
    .action((file: string, opts: { json?: boolean }) => {
      const s = loadScenario(file);
      const summary = { ok: true, name: s.name, nics: s.nics.length, vms: s.vms.length, faults: s.faults.length, durationNs: s.durationNs, seed: s.seed };
      if (opts.json) process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
      else process.stdout.write(`${file}: ok — "${s.name}": ${s.nics.length} NICs, ${s.vms.length} VMs, ${s.faults.length} faults, ${F.duration(s.durationNs)}\n`);
    });
  return program;
}

/** Runs the CLI; resolves to the exit code (never calls process.exit itself). */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  const json = argv.includes('--json');
  try {
    await program.parseAsync(argv, { from: 'user' });
    return EXIT.ok;
  } catch (e) {
    let code: number = EXIT.runFailed;
    let message: string;
    let extra: Record<string, unknown> = {};
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return EXIT.ok;
      return EXIT.usage; // commander already printed the message
    } else if (e instanceof CliError) { code = e.exitCode; message = e.message; }
    else if (e instanceof ScenarioError) {
      code = EXIT.usage; message = e.message;
      extra = { path: e.path, line: e.line ?? null, column: e.column ?? null, kind: e.kind };
    } else if (e instanceof CaptureError) {
      code = EXIT.badInput; message = `corrupt capture: ${e.message}`;
      extra = { captureError: e.code, byteOffset: e.byteOffset };
    } else if (e instanceof NicteamError && (e.code === 'INVALID_CONFIG' || e.code === 'UNKNOWN_KEY' || e.code === 'OUT_OF_RANGE' || e.code === 'INCONSISTENT')) {
      code = EXIT.usage; message = e.message;
    } else {
      message = `run failed: ${(e as Error)?.stack ?? String(e)}`;
    }
    if (json && (e instanceof ScenarioError || e instanceof CaptureError || e instanceof CliError)) {
      process.stdout.write(`${JSON.stringify({ ok: false, exitCode: code, error: message, ...extra }, null, 2)}\n`);
    }
    process.stderr.write(`nicteam: ${message}\n`);
    return code;
  }
}

process.stdout.on('error', (e: NodeJS.ErrnoException) => { if (e.code === 'EPIPE') process.exit(0); });
main(process.argv.slice(2)).then((code) => { process.exitCode = code; });
