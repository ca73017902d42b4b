import { Future, Waker, spawn, Sleep, millis } from "../../assembly/coop";
import { step } from "../../assembly/coop/executor";
import { advance, heapTop } from "./fake";

class Counter extends Future {
  n: i32 = 0;
  sleep: Sleep = new Sleep(millis(10));
  poll(w: Waker): bool {
    while (this.sleep.poll(w)) { this.n++; if (this.n == 3) return true; }
    return false;
  }
}

describe("smoke", () => {
  it("runs a sleeping task", () => {
    const c = new Counter();
    spawn(c, "c");
    const h0 = heapTop();
    let d = step();
    for (let i = 0; i < 3; i++) { advance(10_000); d = step(); }
    const h1 = heapTop();
    expect(c.n).toBe(3);
    expect(d).toBe(-1);
    expect(h1).toBe(h0);
  });
});
