// JoinSet: a fixed-capacity set of tasks spawned together, whose ends are
// taken one at a time in the order they happened (tokio's JoinSet, without
// a heap: every member record is built by the constructor, at init).

import { Future, Waker } from "./future";
import { WakerSet } from "./waker";
import { objectBytes } from "./mem";
import { TaskId, SPAWN_BUSY, JoinHandleBase, spawnInto, abort } from "./executor";

/** JoinSet.spawn: every member of the set is running or holds an end not yet taken by `next`. */
export const JOINSET_FULL: TaskId = -3;

const FREE: u8 = 0;
const RUNNING: u8 = 1;
/** Ended; its end is in the completion queue, not yet taken. */
const ENDED: u8 = 2;

/** One member record of a JoinSet: the join handle the executor reports the task's end to. */
class JoinMember<F extends Future> extends JoinHandleBase {
  future: F | null = null;
  state: u8 = FREE;
  constructor(public set: JoinSet<F>, public index: i32, waiters: WakerSet) { super(waiters); }

  ended(aborted: bool): void {
    this.finished = true;
    this.aborted = aborted;
    this.state = ENDED;
    this.set.queueEnd(this.index);
    this.waiters.wakeAll();
  }
}

/**
 * A set of up to `capacity` tasks. `spawn(fut, name)` starts a future as a
 * task of the set; awaiting `set.next` completes each time a member task has
 * ended, reporting which one, in the order the tasks ended.
 *
 * Guarantees:
 * - **Completion order.** Ends are queued in the order the executor saw
 *   them (a task's end is its last poll returning true, or its abort); `next`
 *   takes the oldest. Every end is reported exactly once, including those
 *   of tasks aborted by `abort`/`abortAll` or by anyone with their id
 *   (`aborted` true).
 * - **No allocation after init.** The constructor builds the member records,
 *   the completion queue (one i32 per member) and `next`; `spawn`, the ends
 *   and `next` allocate nothing.
 * - **Capacity.** A member is in use from its spawn until `next` has taken
 *   its end; `spawn` on a set whose members are all in use returns
 *   JOINSET_FULL (nothing changes), on a full executor table SPAWN_FULL
 *   (nothing changes), and for a future that is already running in this set
 *   SPAWN_BUSY. A future may be spawned again once its end was taken.
 * - **When it wakes.** Every task waiting on `next` (or on a `joiner()`) is
 *   woken when a member task ends.
 * - **Cancelling.** Cancelling a wait on `next` (losing a select, the
 *   waiting task aborted) loses nothing: ends stay queued for the next
 *   wait. It does not touch the member tasks: they run on, detached from the
 *   waiting task (a set has no owner to drop it). To stop them, call
 *   `abortAll()` (for example in the cancel path of the task that owns the
 *   set); their ends are then reported by `next` with `aborted` true.
 *
 * Results are read from the member futures' own fields: `next.future` is
 * the future that ended (typed F).
 *
 * Static RAM (measured by joinset.spec.ts, `ramBytes()`): 288 B for
 * capacity 1, 464 B for 4, 688 B for 8: about 56 B per member (a 48-byte
 * member record, a join handle sharing the set's one wait list, plus 8 B of
 * array entries), on top of the set, its wait list and `next`.
 */
export class JoinSet<F extends Future> {
  readonly capacity: i32;
  /** Completes when a member task has ended (see JoinNext). */
  readonly next!: JoinNext<F>; // assigned in the constructor, once `this` is complete
  /** Tasks waiting on `next` or on a joiner. */
  readonly waiters: WakerSet = new WakerSet();
  private members: StaticArray<JoinMember<F>>;
  private ends: StaticArray<i32>;
  private endHead: i32 = 0;
  private endCount: i32 = 0;
  private runningCount: i32 = 0;

  constructor(capacity: i32) {
    assert(capacity >= 1, "JoinSet capacity must be at least 1");
    this.capacity = capacity;
    this.members = new StaticArray<JoinMember<F>>(capacity);
    this.ends = new StaticArray<i32>(capacity);
    this.next = new JoinNext<F>(this);
    for (let i = 0; i < capacity; i++) unchecked(this.members[i] = new JoinMember<F>(this, i, this.waiters));
  }

  /**
   * Start `fut` as a task of the set (ready in the next batch, like spawn).
   * Returns its TaskId, JOINSET_FULL, SPAWN_FULL or SPAWN_BUSY (see the
   * class comment); on an error nothing changes and `fut` is not polled.
   */
  spawn(fut: F, name: string = ""): TaskId {
    let free = -1;
    const ms = this.members;
    for (let i = 0, n = ms.length; i < n; i++) {
      const m = unchecked(ms[i]);
      if (m.state == RUNNING && m.future === fut) return SPAWN_BUSY;
      if (free < 0 && m.state == FREE) free = i;
    }
    if (free < 0) return JOINSET_FULL;
    const m = unchecked(ms[free]);
    m.finished = false;
    m.aborted = false;
    m.future = fut;
    m.state = RUNNING;
    const id = spawnInto(fut, name, m);
    if (id < 0) {
      m.state = FREE;
      m.future = null;
      return id;
    }
    m.id = id;
    this.runningCount++;
    return id;
  }

  /** Member tasks still running. */
  get running(): i32 { return this.runningCount; }
  /** Ends queued, not yet taken by `next`. */
  get pending(): i32 { return this.endCount; }
  /** Members in use: running plus ended-not-taken (tokio's len). `next` completes with `empty` when this is 0. */
  get length(): i32 { return this.runningCount + this.endCount; }
  get isEmpty(): bool { return this.length == 0; }

  /** The task id of member `index` while it runs, or -1. */
  idOf(index: i32): TaskId {
    if (<u32>index >= <u32>this.capacity) return -1;
    const m = unchecked(this.members[index]);
    return m.state == RUNNING ? m.id : -1;
  }

  /** Abort member `index` (see abort); its end is reported by `next` with `aborted` true. False if it is not running. */
  abort(index: i32): bool {
    const id = this.idOf(index);
    return id >= 0 && abort(id);
  }

  /**
   * Abort every running member. Returns how many were aborted. Their ends
   * are queued in member order, after any already queued, and reported by
   * `next` with `aborted` true (a member aborting from inside its own poll
   * ends after that poll).
   */
  abortAll(): i32 {
    let k = 0;
    const ms = this.members;
    for (let i = 0, n = ms.length; i < n; i++) {
      const m = unchecked(ms[i]);
      if (m.state == RUNNING && abort(m.id)) k++;
    }
    return k;
  }

  /** Another future that takes ends from this set, for a second waiting task (allocates: call at init). */
  joiner(): JoinNext<F> { return new JoinNext<F>(this); }

  /** Linear-memory bytes of the set: itself, the member records and their array, the completion queue and `next` (the shared wait list included). */
  ramBytes(): usize {
    let n = objectBytes(this) + objectBytes(this.members) + objectBytes(this.ends) + objectBytes(this.next);
    n += objectBytes(this.waiters) + objectBytes(this.waiters.bits);
    for (let i = 0; i < this.capacity; i++) n += objectBytes(unchecked(this.members[i]));
    return n;
  }

  /** Called by a member when its task ends. */
  queueEnd(index: i32): void {
    let tail = this.endHead + this.endCount;
    if (tail >= this.capacity) tail -= this.capacity;
    unchecked(this.ends[tail] = index);
    this.endCount++;
    this.runningCount--;
  }

  /** Take the oldest end into `into`: true, or false if none is queued. */
  take(into: JoinNext<F>): bool {
    if (this.endCount == 0) return false;
    const i = unchecked(this.ends[this.endHead]);
    let h = this.endHead + 1;
    if (h == this.capacity) h = 0;
    this.endHead = h;
    this.endCount--;
    const m = unchecked(this.members[i]);
    into.index = i;
    into.id = m.id;
    into.aborted = m.aborted;
    into.future = m.future;
    m.state = FREE;
    m.future = null;
    return true;
  }
}

/**
 * Completes when a member task of its set has ended, with that end (the
 * oldest not yet taken): `index` (the member), `id` (its TaskId), `aborted`
 * and `future` (the future that ended, to read its results). If the set has
 * no member in use (nothing running, nothing queued) it completes at once
 * with `empty` true (index -1, future null): tokio's `join_next` giving None,
 * so `while (true) { await set.next; if (set.next.empty) break; ... }`
 * collects every task. Read the fields right after the await: they belong
 * to the last completion of this future.
 * Wakes: its task, when a member task ends. Cancel: nothing is lost (ends
 * stay queued); the task may get one spurious wake at the next end.
 */
export class JoinNext<F extends Future> extends Future {
  /** The member whose end this is, or -1 (empty). */
  index: i32 = -1;
  /** The ended task's id (stale once taken: its slot may hold a new task). */
  id: TaskId = -1;
  /** True if the task was aborted rather than completing. */
  aborted: bool = false;
  /** The future that ended, or null (empty). */
  future: F | null = null;
  constructor(public set: JoinSet<F>) { super(); }

  /** The set had no member in use: there was nothing to wait for. */
  get empty(): bool { return this.index < 0; }

  poll(w: Waker): bool {
    const s = this.set;
    if (s.take(this)) return true;
    if (s.running == 0) {
      this.index = -1;
      this.id = -1;
      this.aborted = false;
      this.future = null;
      return true;
    }
    s.waiters.add(w);
    return false;
  }

  cancel(): void {
    // Keeps the wait-list bit (as JoinHandle does): one bit per task, which
    // other waits of the same task may share; a stale bit is one spurious wake.
  }
}
