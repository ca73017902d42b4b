// Wait lists: WakerSlot (one waiter) and WakerSet (one bit per task).
import { WakerSlot, WakerSet, NO_WAKER, TASK_CAPACITY } from "../../assembly/coop";
import { isReady, unready, readyCount } from "../../assembly/coop/ready";

function clearReady(): void { for (let i = 0; i < TASK_CAPACITY; i++) unready(i); }

describe("WakerSlot", () => {
  beforeEach(clearReady);

  it("wakes the registered task once and empties", () => {
    const s = new WakerSlot();
    expect(s.isEmpty).toBe(true);
    s.register(5);
    expect(s.isEmpty).toBe(false);
    s.wake();
    expect(isReady(5)).toBe(true);
    expect(s.isEmpty).toBe(true);
    unready(5);
    s.wake(); // empty: nothing
    expect(readyCount()).toBe(0);
  });

  it("registering another task wakes the old one, so it is not forgotten", () => {
    const s = new WakerSlot();
    s.register(1);
    s.register(1); // same task again: no wake
    expect(isReady(1)).toBe(false);
    s.register(2);
    expect(isReady(1)).toBe(true);
    expect(s.waker).toBe(2);
  });

  it("remove only removes the given waker; clear empties without waking", () => {
    const s = new WakerSlot();
    s.register(3);
    s.remove(4);
    expect(s.waker).toBe(3);
    s.remove(3);
    expect(s.waker).toBe(NO_WAKER);
    s.register(6);
    s.clear();
    expect(s.isEmpty).toBe(true);
    expect(isReady(6)).toBe(false);
  });
});

describe("WakerSet", () => {
  beforeEach(clearReady);

  it("wakeAll wakes every member once and empties the set", () => {
    const s = new WakerSet();
    s.add(0); s.add(7); s.add(TASK_CAPACITY - 1); s.add(7);
    expect(s.has(7)).toBe(true);
    expect(s.wakeAll()).toBe(3);
    expect(isReady(0)).toBe(true);
    expect(isReady(7)).toBe(true);
    expect(isReady(TASK_CAPACITY - 1)).toBe(true);
    expect(readyCount()).toBe(3);
    expect(s.isEmpty).toBe(true);
    expect(s.wakeAll()).toBe(0);
  });

  it("wakeOne takes the lowest slot", () => {
    const s = new WakerSet();
    s.add(9); s.add(2); s.add(TASK_CAPACITY - 1);
    expect(s.wakeOne()).toBe(2);
    expect(s.wakeOne()).toBe(9);
    expect(s.wakeOne()).toBe(TASK_CAPACITY - 1);
    expect(s.wakeOne()).toBe(NO_WAKER);
  });

  it("ignores negative wakers; remove takes one member out", () => {
    const s = new WakerSet();
    s.add(-1);
    expect(s.isEmpty).toBe(true);
    expect(s.has(-1)).toBe(false);
    s.add(4); s.add(5);
    s.remove(4);
    s.remove(-3);
    expect(s.has(4)).toBe(false);
    expect(s.has(5)).toBe(true);
    expect(s.wakeAll()).toBe(1);
  });
});
