// The fake board the core's as-pect specs run against: a virtual clock that
// moves only when a spec says so, IRQ flags the spec raises, and recorders for
// what the firmware did. The spec drives it through the "fake" import module
// (declared in fake.ts).

export function createFakeBoard(getMemory) {
  // board.irq_quiet: kept (0 on a raise, 1 in irq_take) only after fake.keep_quiet(1),
  // so the other specs see a board that leaves it at 0 and is asked before every batch.
  const quiet = new WebAssembly.Global({ value: "i32", mutable: true }, 0);
  const s = {
    keepQuiet: false,
    now: 0n,
    hz: 1_000_000,
    pending: 0,
    alarm: -1n,
    alarmSets: 0,
    gpio: new Map(),
    traceCounts: new Map(),
    traceLog: [],
    nowReads: 0,
    irqTakes: 0,
    logs: [],
  };
  const utf8 = (ptr, len) => Buffer.from(getMemory().buffer, ptr, len).toString("utf8");
  const board = {
    tick_hz: () => s.hz,
    now: () => { s.nowReads++; return s.now; },
    set_alarm: (t) => { s.alarm = t; s.alarmSets++; },
    irq_take: () => { s.irqTakes++; const p = s.pending; s.pending = 0; if (s.keepQuiet) quiet.value = 1; return p; },
    irq_quiet: quiet,
    uart_write: (_port, _ptr, len) => len,
    uart_read: () => 0,
    uart_overruns: () => 0,
    gpio_write: (pin, level) => { if (pin > 15) return -1; s.gpio.set(pin, level); return 0; },
    gpio_read: (pin) => (pin > 15 ? -1 : s.gpio.get(pin) ?? 0),
    gpio_irq: (pin) => (pin > 15 ? -1 : 0),
    adc_start: () => 0,
    adc_read: () => 0,
    bus_transfer: () => -1,
    bus_status: () => -1,
    log: (ptr, len) => { s.logs.push(utf8(ptr, len)); },
    trace: (kind, a, b) => {
      s.traceCounts.set(kind, (s.traceCounts.get(kind) ?? 0) + 1);
      // Ordered record, bounded so a long run with tracing on cannot eat memory.
      if (s.traceLog.length < 100_000) s.traceLog.push([kind, a, b]);
    },
    panic: (m, ml, f, fl, line, col) => {
      throw new Error(`firmware panic: ${utf8(m, ml)} at ${utf8(f, fl)}:${line}:${col}`);
    },
  };
  const fake = {
    set_time: (t) => { s.now = t; },
    advance: (d) => { s.now += d; },
    raise: (line) => { s.pending |= 1 << line; quiet.value = 0; },
    keep_quiet: (on) => { s.keepQuiet = on !== 0; quiet.value = 0; },
    quiet: () => quiet.value,
    pending: () => s.pending,
    alarm: () => s.alarm,
    alarm_sets: () => s.alarmSets,
    gpio_level: (pin) => s.gpio.get(pin) ?? 0,
    trace_count: (kind) => s.traceCounts.get(kind) ?? 0,
    log_count: () => s.logs.length,
    reset_counts: () => { s.traceCounts.clear(); s.alarmSets = 0; s.traceLog.length = 0; s.nowReads = 0; s.irqTakes = 0; },
    trace_len: () => s.traceLog.length,
    trace_kind: (i) => s.traceLog[i]?.[0] ?? 0,
    trace_a: (i) => s.traceLog[i]?.[1] ?? 0,
    trace_b: (i) => s.traceLog[i]?.[2] ?? 0,
    now_reads: () => s.nowReads,
    irq_takes: () => s.irqTakes,
  };
  return { board, fake, state: s };
}
