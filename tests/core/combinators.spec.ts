// Combinators: join of 2, 3 and an array; select of 2, 3 and an array
// (winner reported, losers cancelled); race.
import {
  Future, Waker, spawn, abort, Join2, Join3, JoinAll, Select2, Select3, SelectAll, Race, Sleep,
} from "../../assembly/coop";
import { step } from "../../assembly/coop/executor";
import { timersArmed } from "../../assembly/coop/time";
import { advance, abortAll, Gate } from "./fake";

/** Runs a combinator as a task, counting completions. */
class Run<F extends Future> extends Future {
  done: i32 = 0;
  constructor(public f: F) { super(); }
  poll(w: Waker): bool {
    if (this.f.poll(w)) { this.done++; return true; }
    return false;
  }
  cancel(): void { this.f.cancel(); }
}

describe("combinators: join", () => {
  afterEach(() => { abortAll(); });

  it("Join2 completes when both have, polling a finished child no more", () => {
    const a = new Gate(0), b = new Gate(1);
    const r = new Run<Join2<Gate, Gate>>(new Join2<Gate, Gate>(a, b));
    spawn(r);
    step();
    a.open();
    step();
    expect(r.done).toBe(0);
    const aPolls = a.polls;
    b.open();
    step();
    expect(r.done).toBe(1);
    expect(a.polls).toBe(aPolls); // finished child not restarted
  });

  it("Join3 completes when all three have, in any order", () => {
    const a = new Gate(0), b = new Gate(1), c = new Gate(2);
    const r = new Run<Join3<Gate, Gate, Gate>>(new Join3<Gate, Gate, Gate>(a, b, c));
    spawn(r);
    step();
    c.open(); step();
    a.open(); step();
    expect(r.done).toBe(0);
    b.open(); step();
    expect(r.done).toBe(1);
  });

  it("JoinAll over an array; cancel cancels only the unfinished", () => {
    const gs = new StaticArray<Future>(4);
    const g0 = new Gate(0), g1 = new Gate(1), g2 = new Gate(2), g3 = new Gate(3);
    gs[0] = g0; gs[1] = g1; gs[2] = g2; gs[3] = g3;
    const j = new JoinAll(gs);
    const r = new Run<JoinAll>(j);
    const id = spawn(r);
    step();
    g1.open(); g3.open(); step();
    expect(r.done).toBe(0);
    abort(id);
    expect(g0.cancels).toBe(1);
    expect(g2.cancels).toBe(1);
    expect(g1.cancels).toBe(0);
    expect(g3.cancels).toBe(0);
    // reusable after cancel: a fresh run needs all four again
    const r2 = new Run<JoinAll>(j);
    spawn(r2);
    step();
    g0.open(); g1.open(); g2.open(); step();
    expect(r2.done).toBe(0);
    g3.open(); step();
    expect(r2.done).toBe(1);
  });

  it("JoinAll over an empty array completes at once", () => {
    expect(new JoinAll(new StaticArray<Future>(0)).poll(0)).toBe(true);
  });

  it("Join2 cancel cancels the unfinished child only", () => {
    const a = new Gate(0), b = new Gate(1);
    const j = new Join2<Gate, Gate>(a, b);
    const id = spawn(new Run<Join2<Gate, Gate>>(j));
    step();
    b.open(); step();
    abort(id);
    expect(a.cancels).toBe(1);
    expect(b.cancels).toBe(0);
  });
});

describe("combinators: select and race", () => {
  afterEach(() => { abortAll(); });

  it("Select2 reports the winner and cancels the loser", () => {
    const a = new Gate(0), b = new Gate(1);
    const s = new Select2<Gate, Gate>(a, b);
    const r = new Run<Select2<Gate, Gate>>(s);
    spawn(r);
    step();
    b.open();
    step();
    expect(r.done).toBe(1);
    expect(s.winner).toBe(1);
    expect(a.cancels).toBe(1);
    expect(b.cancels).toBe(0);
  });

  it("Select2 is biased: when both are ready, the first wins", () => {
    const a = new Gate(0), b = new Gate(1);
    const s = new Select2<Gate, Gate>(a, b);
    spawn(new Run<Select2<Gate, Gate>>(s));
    step();
    b.open(); a.open();
    step();
    expect(s.winner).toBe(0);
    expect(b.cancels).toBe(1);
  });

  it("Select2 of a sleep and a gate: the losing sleep gives its timer back", () => {
    const g = new Gate(0);
    const s = new Select2<Gate, Sleep>(g, new Sleep(1000));
    spawn(new Run<Select2<Gate, Sleep>>(s));
    step();
    expect(timersArmed()).toBe(1);
    g.open();
    step();
    expect(s.winner).toBe(0);
    expect(timersArmed()).toBe(0);
    // and the other way round: the sleep wins, the gate is cancelled
    const g2 = new Gate(0);
    const s2 = new Select2<Gate, Sleep>(g2, new Sleep(100));
    spawn(new Run<Select2<Gate, Sleep>>(s2));
    step();
    advance(100);
    step();
    expect(s2.winner).toBe(1);
    expect(g2.cancels).toBe(1);
  });

  it("Select3 reports which of three finished and cancels the other two", () => {
    const a = new Gate(0), b = new Gate(1), c = new Gate(2);
    const s = new Select3<Gate, Gate, Gate>(a, b, c);
    spawn(new Run<Select3<Gate, Gate, Gate>>(s));
    step();
    c.open();
    step();
    expect(s.winner).toBe(2);
    expect(a.cancels).toBe(1);
    expect(b.cancels).toBe(1);
    expect(c.cancels).toBe(0);
  });

  it("SelectAll over an array: winner index, all others cancelled", () => {
    const n = 5;
    const gs = new StaticArray<Future>(n);
    const gates = new StaticArray<Gate>(n);
    for (let i = 0; i < n; i++) { gates[i] = new Gate(i); gs[i] = gates[i]; }
    const s = new SelectAll(gs);
    spawn(new Run<SelectAll>(s));
    step();
    gates[3].open();
    step();
    expect(s.winner).toBe(3);
    for (let i = 0; i < n; i++) expect(gates[i].cancels).toBe(i == 3 ? 0 : 1);
  });

  it("cancelling a select cancels every child", () => {
    const a = new Gate(0), b = new Gate(1);
    const id = spawn(new Run<Select2<Gate, Gate>>(new Select2<Gate, Gate>(a, b)));
    step();
    abort(id);
    expect(a.cancels).toBe(1);
    expect(b.cancels).toBe(1);
  });

  it("Race gives the winning future itself and cancels the loser", () => {
    const a = new Gate(0), b = new Gate(1);
    const race = new Race<Gate>(a, b);
    spawn(new Run<Race<Gate>>(race));
    step();
    b.open();
    step();
    expect(race.winner === b).toBe(true);
    expect(a.cancels).toBe(1);
    expect(b.cancels).toBe(0);
  });

  it("a select is reusable: the next poll starts a new round", () => {
    const a = new Gate(0), b = new Gate(1);
    const s = new Select2<Gate, Gate>(a, b);
    const r = new Run<Select2<Gate, Gate>>(s);
    spawn(r);
    step();
    a.open(); step();
    expect(s.winner).toBe(0);
    spawn(r);
    step();
    b.open(); step();
    expect(s.winner).toBe(1);
    expect(r.done).toBe(2);
  });
});
