// Stand-ins for assembly/sync's Signal and Channel, used only while that
// module is missing: the same shape (a flag or a ring plus WakerSlots), so the
// figures measure the same work. bench.ts imports from here only.

import { Future, Waker, WakerSlot } from "../../assembly/coop";

/** One-shot flag with one waiter (embassy's Signal<()>). */
export class Signal {
  set: bool = false;
  waiter: WakerSlot = new WakerSlot();
  signal(): void { this.set = true; this.waiter.wake(); }
}

/** Completes when the signal is set, consuming it. Cancel: leaves the slot. */
export class SignalWait extends Future {
  constructor(public sig: Signal) { super(); }
  poll(w: Waker): bool {
    const s = this.sig;
    if (s.set) { s.set = false; return true; }
    s.waiter.register(w);
    return false;
  }
  cancel(): void { this.sig.waiter.clear(); }
}

/** Bounded SPSC channel of u32, capacity a power of two. */
export class Channel {
  buf: StaticArray<u32>;
  head: u32 = 0;
  tail: u32 = 0;
  mask: u32;
  senders: WakerSlot = new WakerSlot();
  receivers: WakerSlot = new WakerSlot();
  constructor(cap: i32) { this.buf = new StaticArray<u32>(cap); this.mask = <u32>cap - 1; }
  trySend(v: u32): bool {
    if (this.tail - this.head > this.mask) return false;
    unchecked(this.buf[this.tail & this.mask] = v);
    this.tail++;
    this.receivers.wake();
    return true;
  }
}

/** Sends `value`; waits while the channel is full. Cancel: nothing is sent. */
export class Send extends Future {
  value: u32 = 0;
  constructor(public ch: Channel) { super(); }
  poll(w: Waker): bool {
    if (this.ch.trySend(this.value)) return true;
    this.ch.senders.register(w);
    return false;
  }
}

/** Receives into `value`; waits while the channel is empty. Cancel: nothing is taken. */
export class Recv extends Future {
  value: u32 = 0;
  constructor(public ch: Channel) { super(); }
  poll(w: Waker): bool {
    const c = this.ch;
    if (c.tail == c.head) { c.receivers.register(w); return false; }
    this.value = unchecked(c.buf[c.head & c.mask]);
    c.head++;
    c.senders.wake();
    return true;
  }
}
