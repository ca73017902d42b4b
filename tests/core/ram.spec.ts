// RAM of the runtime's static tables, measured from the allocator's own
// block sizes (headers and padding included). Printed for docs/runtime.md;
// the per-slot goal (<= 16 bytes) is asserted.
import { TASK_CAPACITY, TIMER_CAPACITY, IRQ_LINES } from "../../assembly/coop";
import { executorRamBytes } from "../../assembly/coop/executor";
import { timerRamBytes } from "../../assembly/coop/time";
import { irqRamBytes } from "../../assembly/coop/irq";
import { objectBytes } from "../../assembly/coop/mem";

describe("ram", () => {
  it("executor tables cost at most 16 bytes per task slot plus fixed headers", () => {
    const ex = executorRamBytes();
    // 7 tables (futures, names, handles, generations, states, ready, batch):
    // each carries a 20-byte header and at most 15 bytes of padding.
    const fixed: usize = 7 * (20 + 15);
    expect(ex).toBeLessThanOrEqual(<usize>(16 * TASK_CAPACITY) + fixed);
    // payload only: 15 bytes per slot + 2 bits
    const payload = <usize>(15 * TASK_CAPACITY) + <usize>(2 * 4 * ((TASK_CAPACITY + 31) >> 5));
    expect(ex).toBeGreaterThanOrEqual(payload);
    log<string>("ram: tasks " + TASK_CAPACITY.toString() + ", executor tables " + ex.toString() +
      " B (" + (<f64>ex / <f64>TASK_CAPACITY).toString() + " B/slot incl. headers; payload " + payload.toString() + " B)" +
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
