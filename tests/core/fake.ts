// Controls of the fake board (tests/core/fake-board.js) for the core specs.

@external("fake", "set_time") export declare function setTime(t: i64): void;
@external("fake", "advance") export declare function advance(d: i64): void;
@external("fake", "raise") export declare function raise(line: i32): void;
@external("fake", "pending") export declare function pendingFlags(): u32;
@external("fake", "alarm") export declare function alarm(): i64;
@external("fake", "alarm_sets") export declare function alarmSets(): i32;
@external("fake", "gpio_level") export declare function gpioLevel(pin: u32): u32;
@external("fake", "trace_count") export declare function traceCount(kind: u32): i32;
@external("fake", "log_count") export declare function logCount(): i32;
@external("fake", "reset_counts") export declare function resetCounts(): void;

/**
 * The heap's bump pointer. The core builds with the stub runtime, whose free
 * of the last block gives it back, so alloc(0)+free measures without growing.
 * Any allocation between two probes moves it.
 */
export function heapTop(): usize {
  const p = heap.alloc(0);
  heap.free(p);
  return p;
}
