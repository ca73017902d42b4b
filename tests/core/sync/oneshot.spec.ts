import { Waker, OK } from "../../../assembly/coop";
import { Oneshot, OneshotRecv, E_FULL, E_CLOSED } from "../../../assembly/sync";
import { woke, clearWakes, Msg } from "./util";

const A: Waker = 1, B: Waker = 2;

describe("Oneshot", () => {
  it("delivers one value, refuses a second until taken, and is reusable", () => {
    clearWakes();
    const o = new Oneshot<i32>();
    const r = new OneshotRecv<i32>(o);
    expect(r.poll(A)).toBe(false);
    expect(o.send(7)).toBe(OK);
    expect(woke(A)).toBe(true);
    expect(o.send(8)).toBe(E_FULL);
    expect(r.poll(A)).toBe(true);
    expect(r.error).toBe(OK);
    expect(r.value).toBe(7);
    expect(o.send(9)).toBe(OK); // empty again after the take
    expect(o.tryRecv()).toBe(true);
    expect(o.value).toBe(9);
  });

  it("close: a value sent before close is delivered first, then E_CLOSED", () => {
    clearWakes();
    const o = new Oneshot<Msg>();
    const r = new OneshotRecv<Msg>(o);
    o.send(new Msg(1));
    o.close();
    expect(o.send(new Msg(2))).toBe(E_FULL);
    expect(r.poll(A)).toBe(true);
    expect(r.value.id).toBe(1);
    expect(r.poll(A)).toBe(true);
    expect(r.error).toBe(E_CLOSED);
    expect(o.send(new Msg(3))).toBe(E_CLOSED);
    o.reset();
    expect(o.send(new Msg(4))).toBe(OK);
  });

  it("close wakes a waiting receiver", () => {
    clearWakes();
    const o = new Oneshot<f64>();
    const r = new OneshotRecv<f64>(o);
    r.poll(B);
    o.close();
    expect(woke(B)).toBe(true);
    expect(r.poll(B)).toBe(true);
    expect(r.error).toBe(E_CLOSED);
  });

  it("a cancelled receive leaves the value for the next receiver", () => {
    clearWakes();
    const o = new Oneshot<u8>();
    const ra = new OneshotRecv<u8>(o), rb = new OneshotRecv<u8>(o);
    ra.poll(A); rb.poll(B);
    o.send(3);
    expect(woke(A)).toBe(true);
    expect(woke(B)).toBe(false);
    // Promised to A: neither tryRecv nor another receiver may overtake it.
    expect(o.tryRecv()).toBe(false);
    const rc = new OneshotRecv<u8>(o);
    expect(rc.poll(3)).toBe(false);
    rc.cancel();
    ra.cancel();
    expect(woke(B)).toBe(true);
    expect(rb.poll(B)).toBe(true);
    expect(rb.value).toBe(3);
  });
});
