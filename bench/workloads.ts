// workloads.ts — what the benches run: the matrix of rows, the VM mix, the traffic.
//
// A workload is one row of the table: a data path (raw frames classified in the
// core — copied in from an array of frames, or already in place in the engine's
// frame buffer — or pre-classified descriptors), a batch size, VM and NIC counts, a
// teaming policy and a load shape. Everything is deterministic: the VM mix is a
// function of the VM index, the traffic a function of the decisions already made
// and a virtual clock advanced per batch, so a Wasm engine and the model given
// the same workload must make identical decisions (the self-check relies on it).
//
// Load shapes (all frames 64 bytes, the worst case for packets per second):
//   backlogged — every VM starts with QUEUE_DEPTH packets queued and the host
//                refills each VM with one packet for every packet released
//                (closed loop, like a vNIC ring the host keeps topped up), so
//                every VM stays backlogged and the heaps stay full; the clock
//                advances by the batch's wire time at the team's speed (100% load);
//   light      — VMs in rotation each offer a packet, the clock advances 10x the
//                batch's wire time (10% load), every poll drains everything:
//                queues hold 0..ceil(batch/VMs) packets, VMs go idle→active→idle.
//
// Adding a policy is one line in POLICIES; a policy that createScheduler (or the
// model) does not know yet is skipped with a note, not an error.

/**
 * full    — raw frames through enqueueFrames(frames[]): the host hands an array of
 *           Uint8Array and the API copies each frame into Wasm memory;
 * ring    — raw frames in place (zero-copy): the frames sit in the engine's frame
 *           buffer (rawBuffers.frames) like a NIC or vhost ring the host maps, and the
 *           host writes each packet's descriptor (offset, handle) and calls
 *           enqueueWrittenFrames; classification, queueing, scheduling, NIC choice
 *           and stats are the same work as `full`;
 * enqueue — pre-classified descriptors through enqueue(vms, lengths, handles, hashes);
 * desc    — pre-classified, zero-copy: the host writes VM, handle and flow hash
 *           straight into rawBuffers and calls enqueueWritten.
 */
export type DataPath = 'full' | 'ring' | 'enqueue' | 'desc';
export type LoadShape = 'backlogged' | 'light';

export interface PolicySpec {
  /** Short name in the table. */
  name: string;
  /** What goes into `teaming` for createScheduler (policy and, for hash policies, hash). */
  teaming: { policy: string; hash?: string };
}

/** Teaming policies the bench knows about. One line per policy. */
export const POLICIES: Record<string, PolicySpec> = {
  rr: { name: 'round-robin', teaming: { policy: 'round-robin' } },
  ll: { name: 'least-load', teaming: { policy: 'least-load' } },
  port: { name: 'port-id', teaming: { policy: 'port-id' } },
  mac: { name: 'src-mac-hash', teaming: { policy: 'src-mac-hash' } },
  flow: { name: 'flow-hash', teaming: { policy: 'flow-hash', hash: 'l3+4' } },
};

export interface Workload {
  /** Stable id, used by --only and in results.json. */
  id: string;
  path: DataPath;
  batch: number;
  vms: number;
  nics: number;
  policy: PolicySpec;
  load: LoadShape;
  /** capacity.maxNics; undefined = the library default (max(8, nics)), what a user gets. */
  maxNics?: number;
  /** DESIGN §8 target this row is the headline for. */
  headline?: string;
}

export const FRAME_BYTES = 64;
/** Wire bytes per 64-byte frame: + 8 preamble/SFD + 12 inter-frame gap (the FCS is inside the 64). */
export const WIRE_BYTES = FRAME_BYTES + 20;
export const NIC_SPEED_BPS = 10_000_000_000;
export const QUEUE_PACKETS = 64;
export const QUEUE_DEPTH = 16;          // backlogged: packets kept queued per VM
export const FLOWS_PER_VM = 4;          // distinct 5-tuples per VM (for flow-hash policies)
export const LIGHT_LOAD = 10;           // light: clock advances LIGHT_LOAD x the batch's wire time

function w(path: DataPath, batch: number, vms: number, nics: number, pol: keyof typeof POLICIES, load: LoadShape,
  extra: Partial<Workload> = {}): Workload {
  const p = POLICIES[pol]!;
  const id = `${path}-b${batch}-${vms}vm-${nics}nic-${pol}-${load === 'backlogged' ? 'bl' : 'light'}${extra.maxNics ? `-max${extra.maxNics}` : ''}`;
  return { id, path, batch, vms, nics, policy: p, load, ...extra };
}

/**
 * The matrix: headline rows first (DESIGN §8), then one axis varied at a time
 * around the headline (VMs, batch, data path, policy, NIC count, load).
 * Not the cartesian product: it stays under ~5 minutes on a 2-core machine.
 */
export const MATRIX: Workload[] = [
  // headlines: the full pipeline with frames in place (zero-copy host)
  w('ring', 256, 64, 4, 'rr', 'backlogged', { headline: '>= 15 Mpps at 64 VMs / 4 NICs' }),
  w('ring', 256, 4096, 4, 'rr', 'backlogged', { headline: '>= 10 Mpps at 4096 VMs' }),
  w('ring', 256, 16384, 4, 'rr', 'backlogged', { headline: 'cost 64 -> 16384 VMs <= 2x' }),
  // the same through the array API (one copy per frame)
  w('full', 256, 64, 4, 'rr', 'backlogged'),
  w('full', 256, 4096, 4, 'rr', 'backlogged'),
  w('full', 256, 16384, 4, 'rr', 'backlogged'),
  // VM scaling
  w('ring', 256, 1024, 4, 'rr', 'backlogged'),
  // batch size
  w('ring', 32, 64, 4, 'rr', 'backlogged'),
  w('ring', 32, 4096, 4, 'rr', 'backlogged'),
  // pre-classified path: zero-copy descriptors, then through the enqueue API
  w('desc', 256, 64, 4, 'rr', 'backlogged'),
  w('desc', 256, 4096, 4, 'rr', 'backlogged'),
  w('desc', 256, 16384, 4, 'rr', 'backlogged'),
  w('desc', 32, 64, 4, 'rr', 'backlogged'),
  w('enqueue', 256, 64, 4, 'rr', 'backlogged'),
  w('enqueue', 256, 4096, 4, 'rr', 'backlogged'),
  // policies
  w('ring', 256, 64, 4, 'll', 'backlogged'),
  w('ring', 256, 64, 4, 'port', 'backlogged'),
  w('ring', 256, 4096, 4, 'port', 'backlogged'),
  w('ring', 256, 64, 4, 'mac', 'backlogged'),
  w('ring', 256, 64, 4, 'flow', 'backlogged'),
  // NIC count (and the default maxNics = 8 against an exact fit)
  w('ring', 256, 64, 2, 'rr', 'backlogged'),
  w('ring', 256, 64, 8, 'rr', 'backlogged'),
  w('ring', 256, 64, 8, 'll', 'backlogged'),
  w('ring', 256, 64, 4, 'rr', 'backlogged', { maxNics: 4 }),
  // light load
  w('ring', 256, 64, 4, 'rr', 'light'),
  w('ring', 256, 4096, 4, 'rr', 'light'),
  w('ring', 256, 16384, 4, 'rr', 'light'),
  w('desc', 256, 4096, 4, 'rr', 'light'),
  w('ring', 32, 4096, 4, 'port', 'light'),
];

/** The VM mix, a function of the VM index (same for every engine). */
export interface VmSpec {
  name: string;
  mac: string;
  shares: number;
  priority: number;
  reservation?: number;
  limit?: number;
}

/** MAC of VM i: locally administered 02:00:xx:xx:xx:xx. */
export function vmMac(i: number): string {
  const b = [0x02, 0x00, (i >>> 24) & 255, (i >>> 16) & 255, (i >>> 8) & 255, i & 255];
  return b.map((x) => x.toString(16).padStart(2, '0')).join(':');
}

/**
 * Shares 50..400; every 16th VM at priority 6; every 8th VM has a reservation
 * (together 25% of the team); every 16th VM a limit at half its fair share, so
 * all three heaps (share, reservation, timer) are exercised as they would be in
 * a real host, not only the share heap.
 */
export function vmSpecs(n: number, teamBps: number): VmSpec[] {
  const reserved = Math.ceil(n / 8);
  const out: VmSpec[] = [];
  for (let i = 0; i < n; i++) {
    const s: VmSpec = { name: `vm${i}`, mac: vmMac(i), shares: [100, 200, 50, 400][i % 4]!, priority: i % 16 === 5 ? 6 : 4 };
    if (i % 8 === 3) s.reservation = Math.max(1000, Math.floor((0.25 * teamBps) / reserved));
    if (i % 16 === 9) s.limit = Math.max(10_000, Math.floor((0.5 * teamBps) / n));
    out.push(s);
  }
  return out;
}

export function describe(wl: Workload): string {
  return `${wl.path === 'full' ? 'frames' : wl.path} b${wl.batch} ${wl.vms}vm/${wl.nics}nic ${wl.policy.name} ${wl.load}${wl.maxNics ? ` maxNics=${wl.maxNics}` : ''}`;
}
