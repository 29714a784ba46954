// schema.ts — the scenario file format (JSON or YAML), as zod schemas.
//
// A scenario describes a team, its VMs with their traffic sources, faults to
// inject and how long to run. Objects are strict (unknown keys are errors);
// engine fields (nics[*] name/speed/inFlightBytes/up, teaming, capacity, VM
// allocation fields) reuse the API's own schemas (src/api/config.ts), so a
// scenario accepts exactly what createScheduler/addVm accept. Simulator fields
// carry their unit in their name: ...Ms (milliseconds, fractions allowed),
// ...Us (microseconds), ...Bps (bit/s: a number or "10Gbit"), ...Bytes (bytes:
// a number or "1500", "9KiB"), ...Packets (frames). docs/simulator.md is the
// reference for every field. Cost: config time only.

import { z } from 'zod';
import {
  nicSchema, teamingSchema, capacitySchema, vmSchema, vmUpdateSchema, rateField, sizeField, intField, MAX_RATE, MAX_FRAME,
} from '../api/config.js';

/** Times in the file: milliseconds, fractions allowed (0.001 ms = 1 µs). */
const ms = (min: number, max: number) => z.number().min(min).max(max);
const MAX_MS = 366 * 24 * 3600 * 1000; // a year of simulated time

const frameBytes = () => sizeField(14, MAX_FRAME);

/** sizeBytes: 1500 | "1500" | "imix" | { uniform: [min, max] } | { mix: [[bytes, weight], ...] } */
export const sizeSpecSchema = z.union([
  z.literal('imix'),
  frameBytes(),
  z.strictObject({ uniform: z.tuple([frameBytes(), frameBytes()]) }),
  z.strictObject({ mix: z.array(z.tuple([frameBytes(), z.number().positive()])).min(1).max(64) }),
]);

const common = {
  sizeBytes: sizeSpecSchema.optional(),
  startMs: ms(0, MAX_MS).optional(),
  stopMs: ms(0, MAX_MS).optional(),
  ringPackets: intField(1, 1 << 20).optional(),
};
const rate = () => rateField(1_000, MAX_RATE);

export const sourceSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('greedy'), ...common }),
  z.strictObject({ type: z.literal('cbr'), rateBps: rate(), ...common }),
  z.strictObject({ type: z.literal('poisson'), rateBps: rate(), ...common }),
  z.strictObject({
    type: z.literal('onoff'), rateBps: rate(), onMs: ms(0.001, MAX_MS), offMs: ms(0, MAX_MS),
    exponential: z.boolean().optional(), ...common,
  }),
  z.strictObject({
    type: z.literal('tcp'), maxRateBps: rate(), initialRateBps: rate().optional(), minRateBps: rate().optional(),
    increaseBps: rate().optional(), rttMs: ms(0.001, 60_000).optional(), decrease: z.number().gt(0).lt(1).optional(), ...common,
  }),
], { error: () => 'expected a source type: one of "greedy", "cbr", "poisson", "onoff", "tcp"' });

export const scenarioNicSchema = nicSchema.extend({
  txRingPackets: intField(1, 1 << 20).optional(),
  wireOverheadBytes: intField(0, 4096).optional(),
  txCoalesceFrames: intField(0, 1 << 20).optional(),
  txCoalesceUs: z.number().min(0).max(1_000_000).optional(),
});

export const scenarioVmSchema = vmSchema.extend({ source: sourceSchema.optional() });

const at = { atMs: ms(0, MAX_MS) };
export const faultSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('link-down'), nic: z.string().min(1), ...at }),
  z.strictObject({ type: z.literal('link-up'), nic: z.string().min(1), ...at }),
  z.strictObject({ type: z.literal('remove-nic'), nic: z.string().min(1), ...at }),
  z.strictObject({
    type: z.literal('flap'), nic: z.string().min(1), downMs: ms(0.001, MAX_MS), upMs: ms(0.001, MAX_MS),
    count: intField(1, 100_000), ...at,
  }),
  z.strictObject({ type: z.literal('add-nic'), nic: scenarioNicSchema, ...at }),
  z.strictObject({ type: z.literal('update-vm'), vm: z.string().min(1), changes: vmUpdateSchema, ...at }),
  z.strictObject({ type: z.literal('add-vm'), vm: scenarioVmSchema, ...at }),
  z.strictObject({ type: z.literal('remove-vm'), vm: z.string().min(1), ...at }),
], { error: () => 'expected a fault type: one of "link-down", "link-up", "flap", "add-nic", "remove-nic", "update-vm", "add-vm", "remove-vm"' });

export const scenarioSchema = z.strictObject({
  name: z.string().min(1).max(200).optional(),
  description: z.string().max(2000).optional(),
  seed: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
  durationMs: ms(0.001, MAX_MS),
  sampleIntervalMs: ms(0.001, MAX_MS).optional(),
  hostBatchUs: z.number().min(0).max(1_000_000).optional(),
  teaming: teamingSchema.optional(),
  capacity: capacitySchema.optional(),
  nics: z.array(scenarioNicSchema).min(1).max(64),
  vms: z.array(scenarioVmSchema).max(65_536),
  faults: z.array(faultSchema).optional(),
});

export type ScenarioFile = z.input<typeof scenarioSchema>;
export type ParsedScenarioFile = z.output<typeof scenarioSchema>;
export type ParsedSource = z.output<typeof sourceSchema>;
export type ParsedNic = z.output<typeof scenarioNicSchema>;
export type ParsedVm = z.output<typeof scenarioVmSchema>;
