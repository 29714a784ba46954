// team-driver.ts — a host loop for the NIC-team tests: flows with sequence
// numbers, NICs that drain at link speed, link failures at given times.
//
// Every flow belongs to a VM and carries a flow hash; its packets are numbered.
// Each step (stepNs of virtual time) the driver keeps every VM's queue topped up
// (round-robin over its flows), polls, hands released packets to per-NIC FIFOs
// that finish at link speed (one after another), and reports completions in
// order. On a link failure the host's FIFO for that NIC is dropped — those
// packets are the engine's to re-steer — and the driver expects them back as
// fresh decisions. It checks, as it goes: no decision names a NIC that is down
// at that moment, no handle is completed twice, and records per-flow
// completion order. Times are ns (numbers: runs are short).

import type { Scheduler } from '../../src/index.js';

export interface Flow { vm: number; hash: number; len: number }
export interface LinkEvent { t: number; nic: number; up: boolean }

export interface DriveOptions {
  sched: Scheduler;
  speeds: number[];
  flows: Flow[];
  links?: LinkEvent[];
  durationNs: number;
  stepNs?: number;
  /** packets kept queued per VM while generating (default 16) */
  depth?: number;
  /** stop generating at this time, then drain (default durationNs / 2) */
  stopAtNs?: number;
}

export interface DriveResult {
  decisionsToDownNic: number;
  completedTwice: number;
  /** handles released but never completed and not queued at the end */
  lost: number;
  generated: number;
  completed: number;
  /** per flow: sequence numbers in completion order */
  order: number[][];
  /** per NIC: bytes completed */
  nicBytes: number[];
  /** per NIC, sampled each step: in-flight bytes / speed (ns of work queued) */
  backlogNs: number[][];
  /** per VM: NIC indices it used, in order of change */
  vmNics: Map<number, number[]>;
}

export function drive(o: DriveOptions): DriveResult {
  const { sched, speeds, flows } = o;
  const step = o.stepNs ?? 2_000;
  const depth = o.depth ?? 16;
  const stopAt = o.stopAtNs ?? o.durationNs / 2;
  const links = [...(o.links ?? [])].sort((a, b) => a.t - b.t);
  const up = speeds.map(() => true);
  const fifo: { handle: number; finish: number; len: number }[][] = speeds.map(() => []);
  const busyUntil = speeds.map(() => 0);
  const seqOf = new Map<number, [number, number]>(); // handle → [flow, seq]
  const nextSeq = flows.map(() => 0);
  const order: number[][] = flows.map(() => []);
  const done = new Set<number>();
  const vmFlows = new Map<number, number[]>();
  flows.forEach((f, i) => { if (!vmFlows.has(f.vm)) vmFlows.set(f.vm, []); vmFlows.get(f.vm)!.push(i); });
  const rr = new Map<number, number>();
  const queued = new Map<number, number>();
  const vmNics = new Map<number, number[]>();
  const nicBytes = speeds.map(() => 0);
  const backlogNs: number[][] = speeds.map(() => []);
  let handle = 1, generated = 0, completed = 0, decisionsToDownNic = 0, completedTwice = 0;
  const vmsBuf: number[] = [], lenBuf: number[] = [], hBuf: number[] = [], hashBuf: number[] = [];

  for (let t = 0; t <= o.durationNs; t += step) {
    const now = BigInt(t);
    // completions first (what finished by now), in order per NIC
    speeds.forEach((_, n) => {
      const q = fifo[n]!;
      let k = 0;
      while (k < q.length && q[k]!.finish <= t) {
        const h = q[k]!.handle;
        if (done.has(h)) completedTwice++;
        done.add(h);
        const [f, s] = seqOf.get(h)!;
        order[f]!.push(s);
        nicBytes[n]! += q[k]!.len;
        completed++;
        k++;
      }
      if (k) { q.splice(0, k); sched.completed(n, k); }
    });
    while (links.length && links[0]!.t <= t) {
      const e = links.shift()!;
      if (!e.up) { fifo[e.nic] = []; busyUntil[e.nic] = t; }
      up[e.nic] = e.up;
      sched.setLink(e.nic, e.up, now);
    }
    if (t < stopAt) {
      vmsBuf.length = lenBuf.length = hBuf.length = hashBuf.length = 0;
      for (const [vm, fl] of vmFlows) {
        for (let q = queued.get(vm) ?? 0; q < depth; q++) {
          const i = rr.get(vm) ?? 0;
          rr.set(vm, (i + 1) % fl.length);
          const f = fl[i]!;
          seqOf.set(handle, [f, nextSeq[f]!++]);
          vmsBuf.push(vm); lenBuf.push(flows[f]!.len); hBuf.push(handle++); hashBuf.push(flows[f]!.hash);
        }
      }
      const r = sched.enqueue(vmsBuf, lenBuf, hBuf, hashBuf, now);
      for (let k = 0; k < r.count; k++) {
        if (r.statuses[k] === 0) { queued.set(vmsBuf[k]!, (queued.get(vmsBuf[k]!) ?? 0) + 1); generated++; }
        else { const [f] = seqOf.get(hBuf[k]!)!; nextSeq[f]!--; seqOf.delete(hBuf[k]!); }
      }
    }
    for (;;) {
      const r = sched.poll(now);
      for (let i = 0; i < r.count; i++) {
        const n = r.nics[i]!, vm = r.vms[i]!, len = r.lengths[i]!;
        if (!up[n]) decisionsToDownNic++;
        const start = Math.max(t, busyUntil[n]!);
        busyUntil[n] = start + (len * 8e9) / speeds[n]!;
        fifo[n]!.push({ handle: r.handles[i]!, finish: busyUntil[n]!, len });
        const hist = vmNics.get(vm) ?? [];
        if (hist[hist.length - 1] !== n) hist.push(n);
        vmNics.set(vm, hist);
      }
      if (r.count < sched.capacity.batchSize) break;
    }
    for (const s of sched.stats().vms) queued.set(s.id, s.queuedPackets);
    speeds.forEach((sp, n) => backlogNs[n]!.push((fifo[n]!.reduce((a, p) => a + p.len, 0) * 8e9) / sp));
  }
  const stats = sched.stats();
  const stillQueued = stats.vms.reduce((a, v) => a + v.queuedPackets + v.inFlightPackets, 0);
  return {
    decisionsToDownNic, completedTwice, lost: generated - completed - stillQueued, generated, completed,
    order, nicBytes, backlogNs, vmNics,
  };
}

/** True when each flow's completions are in sequence order (no reordering). */
export function inOrder(order: number[][]): boolean {
  return order.every((seq) => seq.every((s, i) => i === 0 || s > seq[i - 1]!));
}
