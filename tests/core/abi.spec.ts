// The exports of board ABI v1 (assembly/coop/abi.ts), as a board sees them.
import {
  coop_abi_version, coop_step, coop_task_capacity, coop_task_state, coop_task_name, coop_current_task,
  coop_stat, coop_irq_deliveries, coop_irq_kept, coop_set_trace,
} from "../../assembly/coop/abi";
import { spawn, abort, TASK_CAPACITY, IRQ_LINES } from "../../assembly/coop";
import { step } from "../../assembly/coop/executor";
import { Gate, raise, traceCount, resetCounts } from "./fake";

describe("ABI exports", () => {
  it("reports version 1 and the table size", () => {
    expect(coop_abi_version()).toBe(1);
    expect(coop_task_capacity()).toBe(<u32>TASK_CAPACITY);
  });

  it("reports task states and names, and -1 outside a poll", () => {
    const g = new Gate(0);
    const id = spawn(g, "gate");
    const slot = <u32>(id & 0xffff);
    expect(coop_task_state(slot)).toBe(1);
    expect(coop_task_state(<u32>TASK_CAPACITY)).toBe(0); // out of range: free
    const p = coop_task_name(slot);
    expect(p).not.toBe(0);
    expect(load<u32>(p - 4)).toBe(8); // "gate": 4 UTF-16 code units
    expect(load<u16>(p)).toBe(<u16>0x67); // 'g'
    expect(coop_task_name(<u32>TASK_CAPACITY)).toBe(0);
    expect(coop_current_task()).toBe(-1);
    coop_step();
    abort(id);
    expect(coop_task_state(slot)).toBe(0);
  });

  it("counts in coop_stat; unknown ids give -1", () => {
    const polls = coop_stat(0);
    const g = new Gate(0);
    const id = spawn(g);
    expect(coop_stat(1)).toBe(1);
    coop_step();
    expect(coop_stat(0)).toBe(polls + 1);
    abort(id);
    expect(coop_stat(1)).toBe(0);
    expect(coop_stat(2)).toBeGreaterThanOrEqual(0);
    expect(coop_stat(3)).toBeGreaterThanOrEqual(0);
    expect(coop_stat(4)).toBe(0);
    expect(coop_stat(5)).toBe(-1);
    expect(coop_stat(0xffffffff)).toBe(-1);
  });

  it("counts IRQ deliveries and kept flags; bad lines read 0", () => {
    const d = coop_irq_deliveries(20), k = coop_irq_kept(20);
    raise(20);
    coop_step();
    expect(coop_irq_deliveries(20)).toBe(d + 1);
    expect(coop_irq_kept(20)).toBe(k + 1);
    expect(coop_irq_deliveries(<u32>IRQ_LINES)).toBe(0);
    expect(coop_irq_kept(0xffffffff)).toBe(0);
  });

  it("calls board.trace only while tracing is on", () => {
    resetCounts();
    const g = new Gate(0);
    g.isOpen = true;
    spawn(g);
    step();
    expect(traceCount(1)).toBe(0);
    coop_set_trace(1);
    g.isOpen = true;
    spawn(g);
    step();
    coop_set_trace(0);
    expect(traceCount(4)).toBe(1); // spawn
    expect(traceCount(1)).toBe(1); // poll begin
    expect(traceCount(2)).toBe(1); // poll end
    expect(traceCount(5)).toBe(1); // exit
  });
});
