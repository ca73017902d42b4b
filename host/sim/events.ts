// The event queue: a binary heap ordered by (time, sequence). The sequence
// number makes events at the same tick run in scheduling order, so a run is
// deterministic. Cancelled events stay in the heap and are skipped.

export interface SimEvent {
  t: number;
  seq: number;
  fn: () => void;
  cancelled: boolean;
}

export class EventQueue {
  private heap: SimEvent[] = [];
  private seq = 0;

  get size(): number {
    return this.heap.length;
  }

  /** Schedule fn at tick t; returns the event (set .cancelled to drop it). */
  at(t: number, fn: () => void): SimEvent {
    const e: SimEvent = { t, seq: this.seq++, fn, cancelled: false };
    const h = this.heap;
    h.push(e);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!before(e, h[p])) break;
      h[i] = h[p];
      i = p;
    }
    h[i] = e;
    return e;
  }

  /** Time of the earliest live event, or Infinity. */
  nextTime(): number {
    this.dropCancelled();
    return this.heap.length ? this.heap[0].t : Infinity;
  }

  /** Remove and return the earliest live event if it is due at or before t. */
  popDue(t: number): SimEvent | null {
    this.dropCancelled();
    if (!this.heap.length || this.heap[0].t > t) return null;
    return this.pop();
  }

  private dropCancelled(): void {
    while (this.heap.length && this.heap[0].cancelled) this.pop();
  }

  private pop(): SimEvent {
    const h = this.heap;
    const top = h[0];
    const last = h.pop()!;
    if (h.length) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= h.length) break;
        const r = l + 1;
        const c = r < h.length && before(h[r], h[l]) ? r : l;
        if (!before(h[c], last)) break;
        h[i] = h[c];
        i = c;
      }
      h[i] = last;
    }
    return top;
  }
}

function before(a: SimEvent, b: SimEvent): boolean {
  return a.t < b.t || (a.t === b.t && a.seq < b.seq);
}
