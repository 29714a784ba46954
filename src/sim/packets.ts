// packets.ts — the simulator's packet table: what it knows about each handle.
//
// A handle (the u32 the host gives the engine) is a slot index here. Per slot:
// state, the VM record it belongs to, its length and its enqueue time, which
// the first release sets to -1 (a re-steered packet is released twice; its
// delay counts once, at the first release; one column fewer to touch per
// packet than a separate flag). Free slots form a stack. The
// conservation audit lives on these states: a packet goes QUEUED → RELEASED →
// (completed: FREE), or back to QUEUED when its NIC fails; anything else is a
// violation and is counted.
//
// Units: time ns (float64, whole numbers), lengths bytes. Cost: O(1) per
// operation; columns grow by doubling (amortised), never shrink.

export const FREE = 0, QUEUED = 1, RELEASED = 2, RETURNED = 3;

export class PacketTable {
  state: Uint8Array;
  record: Uint32Array;       // simulator VM record index
  length: Uint32Array;       // frame bytes
  enqueuedNs: Float64Array;  // when the engine accepted it (ns); -1 once released

  private free: Uint32Array; // stack of free slots
  private freeTop = 0;
  private size = 0;

  constructor(initial = 4096) {
    this.state = new Uint8Array(initial);
    this.record = new Uint32Array(initial); this.length = new Uint32Array(initial);
    this.enqueuedNs = new Float64Array(initial); this.free = new Uint32Array(initial);
    this.size = initial;
    for (let i = initial - 1; i >= 0; i--) this.free[this.freeTop++] = i;
  }

  /** Takes a free slot (its state is left FREE until the engine accepts it). */
  alloc(): number {
    if (this.freeTop === 0) this.grow();
    return this.free[--this.freeTop]!;
  }

  release(slot: number): void {
    this.state[slot] = FREE;
    this.free[this.freeTop++] = slot;
  }

  /** Slots currently allocated (including ones being offered). */
  get inUse(): number { return this.size - this.freeTop; }

  private grow(): void {
    const old = this.size, size = old * 2;
    const g8 = (a: Uint8Array) => { const b = new Uint8Array(size); b.set(a); return b; };
    const g32 = (a: Uint32Array) => { const b = new Uint32Array(size); b.set(a); return b; };
    this.state = g8(this.state);
    this.record = g32(this.record); this.length = g32(this.length);
    const e = new Float64Array(size); e.set(this.enqueuedNs); this.enqueuedNs = e;
    const f = new Uint32Array(size); f.set(this.free.subarray(0, this.freeTop)); this.free = f;
    for (let i = size - 1; i >= old; i--) this.free[this.freeTop++] = i;
    this.size = size;
  }

  /** Counts of slots per state (for the end-of-run audit). O(size). */
  census(): { queued: number; released: number } {
    let queued = 0, released = 0;
    for (let i = 0; i < this.size; i++) {
      const s = this.state[i];
      if (s === QUEUED) queued++; else if (s === RELEASED) released++;
    }
    return { queued, released };
  }
}
