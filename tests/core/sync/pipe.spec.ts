import { Waker, OK } from "../../../assembly/coop";
import { Pipe, PipeWrite, PipeRead, E_CLOSED } from "../../../assembly/sync";
import { woke, clearWakes } from "./util";

const A: Waker = 1, B: Waker = 2, R: Waker = 3;

function bytes(n: i32, first: u8): StaticArray<u8> {
  const b = new StaticArray<u8>(n);
  for (let i = 0; i < n; i++) b[i] = <u8>(first + <u8>i);
  return b;
}

describe("Pipe", () => {
  it("moves bytes in order through a small ring, with backpressure on the writer", () => {
    clearWakes();
    const p = new Pipe(4);
    const src = bytes(10, 0);
    const dst = new StaticArray<u8>(3);
    const w = new PipeWrite(p), r = new PipeRead(p);
    w.setBytes(src, 10);
    r.setBuffer(dst);
    expect(w.poll(A)).toBe(false);
    expect(w.written).toBe(4);
    let got = 0;
    let ok = true;
    while (got < 10) {
      expect(r.poll(R)).toBe(true);
      for (let i = 0; i < r.count; i++) if (dst[i] != <u8>(got + i)) ok = false;
      got += r.count;
      if (w.written < 10) {
        expect(woke(A)).toBe(true); // space was freed
        w.poll(A);
      }
    }
    expect(ok).toBe(true);
    expect(got).toBe(10);
    expect(w.written).toBe(10);
  });

  it("writers take turns: the second writer's bytes come after all of the first's", () => {
    clearWakes();
    const p = new Pipe(4);
    const wa = new PipeWrite(p), wb = new PipeWrite(p);
    wa.setBytes(bytes(6, 10), 6);
    wb.setBytes(bytes(2, 100), 2);
    expect(wa.poll(A)).toBe(false);
    expect(wb.poll(B)).toBe(false);
    expect(wb.written).toBe(0);
    const dst = new StaticArray<u8>(16);
    const ptr = changetype<usize>(dst);
    let n = p.tryRead(ptr, 16);
    expect(wa.poll(A)).toBe(true);
    expect(woke(B)).toBe(true);
    expect(wb.poll(B)).toBe(true); // A's last 2 bytes plus B's 2 fill the ring
    n += p.tryRead(ptr + <usize>n, 16 - n);
    expect(n).toBe(8);
    for (let i = 0; i < 6; i++) expect(dst[i]).toBe(<u8>(10 + i));
    expect(dst[6]).toBe(100);
    expect(dst[7]).toBe(101);
  });

  it("close: the reader drains, then E_CLOSED; writes fail", () => {
    clearWakes();
    const p = new Pipe(8);
    const src = bytes(3, 1);
    expect(p.tryWrite(changetype<usize>(src), 3)).toBe(3);
    p.close();
    expect(p.tryWrite(changetype<usize>(src), 3)).toBe(E_CLOSED);
    const r = new PipeRead(p);
    const dst = new StaticArray<u8>(8);
    r.setBuffer(dst);
    expect(r.poll(R)).toBe(true);
    expect(r.count).toBe(3);
    expect(r.poll(R)).toBe(true);
    expect(r.error).toBe(E_CLOSED);
    expect(r.count).toBe(0);
  });

  it("a cancelled read loses no bytes; a cancelled write keeps what it wrote", () => {
    clearWakes();
    const p = new Pipe(4);
    const r1 = new PipeRead(p), r2 = new PipeRead(p);
    const d1 = new StaticArray<u8>(4), d2 = new StaticArray<u8>(4);
    r1.setBuffer(d1); r2.setBuffer(d2);
    expect(r1.poll(R)).toBe(false);
    expect(r2.poll(B)).toBe(false);
    const src = bytes(6, 50);
    const w = new PipeWrite(p);
    w.setBytes(src, 6);
    expect(w.poll(A)).toBe(false);
    expect(woke(R)).toBe(true);
    r1.cancel();
    expect(woke(B)).toBe(true);
    expect(r2.poll(B)).toBe(true);
    expect(r2.count).toBe(4);
    expect(d2[0]).toBe(50);
    w.cancel();
    expect(w.written).toBe(4);
    expect(p.count).toBe(0);
    expect(p.writeQ.isEmpty).toBe(true);
  });
});
