// ideal.ts — the ideal allocation of DESIGN §2 (the VMware / mClock model):
// a reservation is a floor, a limit a ceiling, shares divide the rest, and
// priority classes are served strictly from the highest down.
//
// For VMs sharing capacity C (one pool), with demand d_i, shares w_i:
//   cap_i   = min(limit_i or ∞, d_i)
//   floor_i = min(reservation_i, cap_i)
// 1. Σ floor_i > C (infeasible): floors are granted by priority, highest class
//    first; the class where capacity runs out gets its floors scaled by one
//    common factor; lower classes get 0.
// 2. Otherwise classes are served from the highest priority down. Class c may
//    use A_c = C − (what higher classes got) − (floors of lower classes), and
//    its VMs get a_i = clamp(w_i·t_c, floor_i, cap_i) with t_c the largest level
//    such that Σ a_i ≤ A_c: weighted max-min fairness with floors and caps
//    (water-filling). With one class this is mClock's allocation.
// Units: bit/s in, bit/s out (any consistent unit works). Demands may be
// Infinity (a continuously backlogged VM).
// Cost: O(n log n) — per class, the 2n breakpoints w·t = floor and w·t = cap
// are sorted once and swept, so t_c is exact (no bisection). Browser-safe, no deps.

export interface IdealVm { demandBps: number; shares: number; reservationBps: number; limitBps: number /* 0 = none */; priority: number }
export interface IdealResult { ratesBps: number[] /* same order as input */; feasible: boolean /* Σ floors ≤ capacity */ }

interface Entry { index: number; w: number; floor: number; cap: number }

export function idealAllocation(capacityBps: number, vms: IdealVm[]): IdealResult {
  if (!(capacityBps >= 0) || capacityBps === Infinity) throw new RangeError(`capacityBps = ${capacityBps}, must be a finite number ≥ 0`);
  const entries = vms.map((vm, index): Entry & { priority: number } => {
    check(vm.demandBps, `vms[${index}].demandBps`, true);
    check(vm.reservationBps, `vms[${index}].reservationBps`, false);
    check(vm.limitBps, `vms[${index}].limitBps`, false);
    if (!(vm.shares > 0) || vm.shares === Infinity) throw new RangeError(`vms[${index}].shares = ${vm.shares}, must be a finite number > 0`);
    if (!Number.isFinite(vm.priority)) throw new RangeError(`vms[${index}].priority = ${vm.priority}, must be a finite number`);
    const cap = Math.min(vm.limitBps > 0 ? vm.limitBps : Infinity, vm.demandBps);
    return { index, w: vm.shares, cap, floor: Math.min(vm.reservationBps, cap), priority: vm.priority };
  });
  const rates = new Array<number>(vms.length).fill(0);

  // classes, highest priority first
  const priorities = [...new Set(entries.map((e) => e.priority))].sort((a, b) => b - a);
  const classes = priorities.map((p) => entries.filter((e) => e.priority === p));
  const floorSum = (cls: Entry[]) => cls.reduce((s, e) => s + e.floor, 0);
  const floors = classes.map(floorSum);
  const totalFloors = floors.reduce((s, f) => s + f, 0);

  if (totalFloors > capacityBps) {
    // rule 1: floors by priority; the class where capacity runs out is scaled
    let left = capacityBps;
    classes.forEach((cls, c) => {
      const scale = floors[c]! <= left ? 1 : left / floors[c]!;
      for (const e of cls) rates[e.index] = e.floor * scale;
      left -= Math.min(left, floors[c]!);
    });
    return { ratesBps: rates, feasible: false };
  }

  // rule 2: classes from the highest priority down
  let lowerFloors = totalFloors;
  let used = 0;
  classes.forEach((cls, c) => {
    lowerFloors -= floors[c]!;
    const available = Math.max(0, capacityBps - used - lowerFloors);
    const t = waterLevel(cls, available);
    for (const e of cls) {
      const a = clamp(e.w * t, e.floor, e.cap);
      rates[e.index] = a;
      used += a;
    }
  });
  return { ratesBps: rates, feasible: true };
}

/**
 * The largest t with Σ clamp(w_i·t, floor_i, cap_i) ≤ available (Infinity when
 * every VM can have its cap). The sum is continuous, non-decreasing and
 * piecewise linear in t with breakpoints floor_i/w_i (VM i starts to follow
 * w_i·t) and cap_i/w_i (it stops); between breakpoints it is base + slope·t.
 * The caller guarantees Σ floor_i ≤ available.
 */
function waterLevel(cls: Entry[], available: number): number {
  const events: { t: number; enter: boolean; e: Entry }[] = [];
  for (const e of cls) {
    events.push({ t: e.floor / e.w, enter: true, e });
    if (e.cap !== Infinity) events.push({ t: e.cap / e.w, enter: false, e });
  }
  // at equal t, entering before leaving keeps the slope bookkeeping simple
  events.sort((a, b) => a.t - b.t || (a.enter === b.enter ? 0 : a.enter ? -1 : 1));
  let base = cls.reduce((s, e) => s + e.floor, 0); // Σ a_i(0): everyone at its floor
  let slope = 0;
  for (const ev of events) {
    if (base + slope * ev.t > available) return (available - base) / slope; // slope > 0 here
    if (ev.enter) { base -= ev.e.floor; slope += ev.e.w; } else { base += ev.e.cap; slope -= ev.e.w; }
  }
  return slope > 0 ? (available - base) / slope : Infinity;
}

function clamp(x: number, lo: number, hi: number): number {
  return x < lo ? lo : x > hi ? hi : x;
}

function check(x: number, what: string, infinityOk: boolean): void {
  if (!(x >= 0) || (!infinityOk && x === Infinity)) throw new RangeError(`${what} = ${x}, must be a number ≥ 0${infinityOk ? ' (Infinity allowed)' : ''}`);
}
