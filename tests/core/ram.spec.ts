// RAM of the runtime's tables. The executor's live in static data (sizes as
// declared; cross-checked by __heap_base across the 32- and 256-slot runs);
// the timer queue's and the IRQ registry's are heap objects measured from the
// allocator's own block sizes (headers and padding included). Printed for
// docs/runtime.md; the per-slot goal (<= 16 bytes) is asserted.
import { TASK_CAPACITY, TIMER_CAPACITY, IRQ_LINES } from "../../assembly/coop";
import { executorRamBytes } from "../../assembly/coop/executor";
import { timerRamBytes } from "../../assembly/coop/time";
import { irqRamBytes } from "../../assembly/coop/irq";
import { objectBytes } from "../../assembly/coop/mem";

describe("ram", () => {
  it("executor tables cost at most 16 bytes per task slot", () => {
    const ex = executorRamBytes();
    // 15 bytes per slot + 2 bits (ready and batch), in static data without headers
    const payload = <usize>(15 * TASK_CAPACITY) + <usize>(2 * 4 * ((TASK_CAPACITY + 31) >> 5));
    expect(ex).toBe(payload);
    expect(ex).toBeLessThanOrEqual(<usize>(16 * TASK_CAPACITY));
    // The tables are static data: they end below the heap. Comparing
    // __heap_base between this run and the COOP_TASKS=256 run measures them
    // independently: (base256 - base32) / 224 bytes per slot.
    expect(<usize>__heap_base).toBeGreaterThan(ex);
    log<string>("ram: tasks " + TASK_CAPACITY.toString() + ", executor tables " + ex.toString() +
      " B (" + (<f64>ex / <f64>TASK_CAPACITY).toString() + " B/slot), static data ends at " + (<usize>__heap_base).toString() +
      "; timer queue (" + TIMER_CAPACITY.toString() + " entries) " + timerRamBytes().toString() +
      " B; IRQ registry (" + IRQ_LINES.toString() + " lines) " + irqRamBytes().toString() + " B");
  });

  it("objectBytes measures an allocation", () => {
    const a = new StaticArray<u8>(100);
    // 100 payload + 16 object header, padded to 16 with the 4-byte block header
    expect(objectBytes(a)).toBe(128);
    expect(objectBytes<StaticArray<u8> | null>(null)).toBe(0);
  });
});
