// Pipe: a byte stream between tasks through a fixed ring buffer (embassy's
// Pipe). Writes may be partial when the ring is full; a PipeWrite keeps going
// until all its bytes are in, and writers (and readers) take turns in
// first-come first-served order, so two writers' bytes never interleave.

import { Waker, OK } from "../coop";
import { E_CLOSED } from "./errors";
import { Waiter, WaitQueue, GRANT_NONE } from "./waitqueue";

/**
 * A byte ring of `capacity` bytes (allocated by the constructor).
 *
 * - tryWrite/tryRead move as many bytes as fit/are there, without waiting.
 * - Wakes: bytes written wake the oldest waiting reader; bytes read wake the
 *   oldest waiting writer; a finished PipeWrite/PipeRead wakes the next one
 *   in its queue; close() wakes everyone.
 * - Close: writes then fail with E_CLOSED; readers get what is left, then
 *   E_CLOSED (end of stream).
 * All calls work outside tasks; nothing allocates.
 *
 * Static RAM: header + 16 bytes + capacity bytes (+ an array header) + two
 * WaitQueues (12 bytes + header each).
 */
export class Pipe {
  readonly capacity: i32;
  buf: StaticArray<u8>;
  private head: i32 = 0;
  count: i32 = 0;
  closed: bool = false;
  readQ: WaitQueue = new WaitQueue();
  writeQ: WaitQueue = new WaitQueue();

  constructor(capacity: i32) {
    assert(capacity >= 1, "Pipe capacity must be at least 1");
    this.capacity = capacity;
    this.buf = new StaticArray<u8>(capacity);
  }

  get free(): i32 { return this.capacity - this.count; }

  /**
   * Copy up to len bytes from memory at ptr into the ring. Returns the
   * number copied (0 if full or a writer is waiting its turn) or E_CLOSED.
   */
  tryWrite(ptr: usize, len: i32): i32 {
    if (this.closed) return E_CLOSED;
    if (!this.writeQ.isEmpty) return 0;
    return this.put(ptr, len);
  }

  /** Copy up to cap bytes out of the ring to ptr. Returns the number copied, 0 if empty, or E_CLOSED if closed and empty. */
  tryRead(ptr: usize, cap: i32): i32 {
    if (!this.readQ.isEmpty) return 0;
    const n = this.take(ptr, cap);
    if (n == 0 && this.closed) return E_CLOSED;
    return n;
  }

  close(): void {
    this.closed = true;
    this.readQ.grantAll();
    this.writeQ.grantAll();
  }

  put(ptr: usize, len: i32): i32 {
    let n = this.free;
    if (len < n) n = len;
    if (n <= 0) return 0;
    const cap = this.capacity;
    const base = changetype<usize>(this.buf);
    let tail = this.head + this.count;
    if (tail >= cap) tail -= cap;
    const first = min(n, cap - tail);
    memory.copy(base + <usize>tail, ptr, <usize>first);
    if (n > first) memory.copy(base, ptr + <usize>first, <usize>(n - first));
    this.count += n;
    this.readQ.wakeFront();
    return n;
  }

  take(ptr: usize, cap: i32): i32 {
    let n = this.count;
    if (cap < n) n = cap;
    if (n <= 0) return 0;
    const size = this.capacity;
    const base = changetype<usize>(this.buf);
    const first = min(n, size - this.head);
    memory.copy(ptr, base + <usize>this.head, <usize>first);
    if (n > first) memory.copy(ptr + <usize>first, base, <usize>(n - first));
    let h = this.head + n;
    if (h >= size) h -= size;
    this.head = h;
    this.count -= n;
    this.writeQ.wakeFront();
    return n;
  }
}

/**
 * Writes all `len` bytes at `ptr` (set them, then poll). Completes with
 * `error` OK once every byte is in the ring, or E_CLOSED (then `written`
 * says how many got in). Writers go one at a time, oldest first.
 *
 * Cancel: leaves the queue; the first `written` bytes stay in the pipe, the
 * rest are not written (a byte stream has no message boundaries to keep).
 */
export class PipeWrite extends Waiter {
  ptr: usize = 0;
  len: i32 = 0;
  written: i32 = 0;
  error: i32 = OK;
  private started: bool = false;
  constructor(public pipe: Pipe) { super(); }

  /** Point at the first len bytes of a buffer (which must stay alive until completion). */
  setBytes(buf: StaticArray<u8>, len: i32): void {
    this.ptr = changetype<usize>(buf);
    this.len = min(len, buf.length);
  }

  /**
   * Write the first `len` bytes of `buf` (all of it by default) and return
   * this, to await it: `await pw.write(frame, n)`. On a write in flight
   * (started, not complete) the rest of the old bytes is given up first, as
   * cancel() does (the `written` bytes stay in the pipe).
   */
  write(buf: StaticArray<u8>, len: i32 = i32.MAX_VALUE): PipeWrite {
    if (this.started) this.cancel();
    this.setBytes(buf, len);
    return this;
  }

  poll(w: Waker): bool {
    const p = this.pipe;
    this.qGrant = GRANT_NONE;
    if (!this.started) { this.started = true; this.written = 0; }
    if (p.closed) return this.finish(E_CLOSED);
    if (!this.qQueued) p.writeQ.push(this, w); // join the turn order
    else this.qWaker = w;
    if (p.writeQ.head === this) {
      this.written += p.put(this.ptr + <usize>this.written, this.len - this.written);
      if (this.written >= this.len) return this.finish(OK);
    }
    return false;
  }

  private finish(err: i32): bool {
    const q = this.pipe.writeQ;
    const wasHead = q.head === this;
    q.remove(this);
    if (wasHead) q.wakeFront();
    this.started = false;
    this.error = err;
    return true;
  }

  cancel(): void {
    const q = this.pipe.writeQ;
    const wasHead = q.head === this;
    q.remove(this);
    if (wasHead) q.wakeFront();
    this.started = false;
    this.qGrant = GRANT_NONE;
  }
}

/**
 * Reads at least one and up to `cap` bytes into `ptr`: completes with
 * `error` OK and `count` bytes, or E_CLOSED with count 0 (closed and
 * drained: end of stream). Readers go one at a time, oldest first.
 *
 * Cancel: leaves the queue; no byte is lost (bytes leave the ring only in
 * the poll that completes).
 */
export class PipeRead extends Waiter {
  ptr: usize = 0;
  cap: i32 = 0;
  count: i32 = 0;
  error: i32 = OK;
  constructor(public pipe: Pipe) { super(); }

  /** Read into a buffer (which must stay alive until completion). */
  setBuffer(buf: StaticArray<u8>): void {
    this.ptr = changetype<usize>(buf);
    this.cap = buf.length;
  }

  /**
   * Read into `buf` and return this, to await it: `await pr.read(buf);
   * use(buf, pr.count)`. A read that is waiting simply reads into the new
   * buffer (bytes leave the pipe only in the poll that completes).
   */
  read(buf: StaticArray<u8>): PipeRead {
    this.setBuffer(buf);
    return this;
  }

  poll(w: Waker): bool {
    const p = this.pipe;
    this.qGrant = GRANT_NONE;
    const q = p.readQ;
    if (q.isEmpty || q.head === this) {
      const n = p.take(this.ptr, this.cap);
      if (n > 0 || this.cap <= 0) {
        q.remove(this);
        q.wakeFront();
        this.count = n;
        this.error = OK;
        return true;
      }
      if (p.closed) {
        q.remove(this);
        q.wakeFront();
        this.count = 0;
        this.error = E_CLOSED;
        return true;
      }
    }
    q.push(this, w);
    return false;
  }

  cancel(): void {
    const q = this.pipe.readQ;
    const wasHead = q.head === this;
    q.remove(this);
    if (wasHead) q.wakeFront();
    this.qGrant = GRANT_NONE;
  }
}
