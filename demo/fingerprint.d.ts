// fingerprint.d.ts — types of fingerprint.js (plain JS so pages can load it unbundled).
export interface PolicyFingerprint { hash: string; traceBytes: number; decisions: number; bytes: number; events: number }
export interface EngineFingerprint { hash: string; perPolicy: Record<string, PolicyFingerprint> }
export const FINGERPRINT_POLICIES: string[];
/** Runs the fixed workload with `createScheduler` (from any build) and hashes every decision. */
export function engineFingerprint(createScheduler: (config: any) => Promise<any>, seed?: number): Promise<EngineFingerprint>;
