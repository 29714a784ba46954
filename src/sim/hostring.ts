// hostring.ts — a VM's vNIC transmit ring on the host side: frames a traffic
// source produced that the scheduler has not yet accepted.
//
// A bounded FIFO of frames in a power-of-two ring buffer: per frame its length
// (bytes) and a reference (the capture index for replayed frames, else 0). The
// simulator offers frames from the head; a frame the scheduler answers `full`
// goes back to the head (pushFront) so order is kept. A source that finds the
// ring full loses the frame (counted by the caller as a host drop, like a vNIC
// ring overflow). Cost: O(1) per operation, no allocation after construction.

export class HostRing {
  /** Frames in the ring. */
  count = 0;
  /** Bytes in the ring (sum of frame lengths). */
  bytes = 0;
  readonly capacityPackets: number;
  private readonly lengths: Uint32Array; // bytes per frame
  private readonly refs: Uint32Array;    // capture frame index (replay), else 0
  private readonly mask: number;
  private head = 0;

  constructor(capacityPackets: number) {
    let size = 1;
    while (size < capacityPackets) size *= 2;
    this.capacityPackets = capacityPackets;
    this.lengths = new Uint32Array(size);
    this.refs = new Uint32Array(size);
    this.mask = size - 1;
  }

  /** Appends a frame; false when the ring is full. */
  push(lengthBytes: number, ref = 0): boolean {
    if (this.count >= this.capacityPackets) return false;
    const i = (this.head + this.count) & this.mask;
    this.lengths[i] = lengthBytes;
    this.refs[i] = ref;
    this.count++; this.bytes += lengthBytes;
    return true;
  }

  /** Puts a frame back at the head (it was offered and refused). Never fails: it was just taken out. */
  pushFront(lengthBytes: number, ref = 0): void {
    this.head = (this.head - 1) & this.mask;
    this.lengths[this.head] = lengthBytes;
    this.refs[this.head] = ref;
    this.count++; this.bytes += lengthBytes;
  }

  /** Length of the head frame (bytes); the ring must not be empty. */
  peek(): number {
    return this.lengths[this.head]!;
  }

  /** Reference of the head frame; the ring must not be empty. */
  peekRef(): number {
    return this.refs[this.head]!;
  }

  /** Removes and returns the head frame's length (bytes); the ring must not be empty. */
  shift(): number {
    const len = this.lengths[this.head]!;
    this.head = (this.head + 1) & this.mask;
    this.count--; this.bytes -= len;
    return len;
  }

  clear(): void {
    this.count = 0; this.bytes = 0; this.head = 0;
  }
}
