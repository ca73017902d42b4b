/*
 * The coop HAL (boards/embed/coop_hal.h) on QEMU's mps2-an385.
 *
 * - Clock: TIMER0 runs free from 0xFFFFFFFF at 25 MHz; its wrap interrupt
 *   extends it to 64 bits. hal_now() is in microseconds (tick_hz 1 000 000,
 *   1 tick = 25 CPU cycles), the same unit as the simulator.
 * - Alarm: TIMER1 counts down to the deadline and raises ABI line 0 (ALARM).
 *   Deadlines beyond one timer period (171 s) re-arm in the ISR.
 * - UART0 (CMSDK): the RX interrupt moves bytes into a ring and raises ABI
 *   line 1 (UART0_RX); a full ring drops the byte and counts an overrun.
 *   The TX interrupt feeds the UART from a ring and raises line 2 (UART0_TX)
 *   when the ring has drained or has room again after refusing bytes.
 * - GPIO, ADC, bus and UART1: this board exposes none of them to coop, so
 *   every call answers EBADPORT (-1). (The AN385 has FPGA LEDs/switches; they
 *   are not wired to the ABI yet.) Its one name (board.resolve) is UART0.
 * - ISRs only touch peripherals, rings and the `pending` flags; they never
 *   call into wasm (wasm3 is not re-entrant).
 * - hal_log / hal_trace go to semihosting (QEMU's stderr); hal_report goes
 *   to UART0 (the user's console); hal_exit is semihosting SYS_EXIT_EXTENDED.
 */
#include <stddef.h>
#include <string.h>
#include "board.h"
#include "hal_mps2.h"
#include "coop_hal.h"
#include "coop_abi.h" /* generated from boards/abi/abi.json: error codes, IRQ lines */

#define TICK_HZ 1000000u
#define CYCLES_PER_TICK (CPU_HZ / TICK_HZ)
_Static_assert(CYCLES_PER_TICK == 25, "mps2_cycles_to_ticks (hal_mps2.h) divides by 25");

static volatile uint32_t pending;       /* ABI lines raised by ISRs, taken by hal_irq_take */
static volatile uint32_t timer0_wraps;  /* high half of the 64-bit cycle clock */
static int64_t alarm_at = -1;           /* absolute tick of the armed alarm, -1 none */

#define COOP_UART_RX_RING MPS2_RX_RING
#define COOP_UART_TX_RING MPS2_TX_RING
#include "coop_uart_ring.h" /* the UART0 rings, shared with the other MCU ports */

/* ---- clock and alarm --------------------------------------------------- */

static uint64_t cycles(void) {
  uint32_t m = irq_save();
  uint32_t hi = timer0_wraps;
  uint32_t v = TIMER0->VALUE;
  if (TIMER0->INTSTATUS & 1u) {
    /* Wrapped but the ISR has not run yet (we are masked): count it here and
       re-read so the low half is after the wrap. */
    hi++;
    v = TIMER0->VALUE;
  }
  irq_restore(m);
  return ((uint64_t)hi << 32) | (uint32_t)(0xFFFFFFFFu - v);
}

uint32_t hal_tick_hz(void) { return TICK_HZ; }
int64_t hal_now(void) { return (int64_t)mps2_cycles_to_ticks(cycles()); }

/* Called masked or from the TIMER1 ISR. */
static void alarm_program(void) {
  TIMER1->CTRL = 0;
  TIMER1->INTSTATUS = 1u;
  NVIC_ICPR0 = 1u << IRQN_TIMER1;
  if (alarm_at < 0) return;
  int64_t now = hal_now();
  if (alarm_at <= now) {
    pending |= COOP_IRQ_BIT(COOP_IRQ_ALARM);
    alarm_at = -1;
    return;
  }
  uint64_t d = (uint64_t)(alarm_at - now) * CYCLES_PER_TICK;
  uint32_t load = d > 0xFFFFFF00u ? 0xFFFFFF00u : (uint32_t)d;
  TIMER1->RELOAD = load;
  TIMER1->VALUE = load;
  TIMER1->CTRL = 1u | 8u;
}

void hal_set_alarm(int64_t at) {
  uint32_t m = irq_save();
  alarm_at = at < 0 ? -1 : at;
  alarm_program();
  irq_restore(m);
}

void TIMER0_IRQHandler(void) {
  TIMER0->INTSTATUS = 1u;
  timer0_wraps++;
}

void TIMER1_IRQHandler(void) {
  alarm_program(); /* raises ALARM if due, else re-arms for the rest of a long wait */
}

/* ---- latency probe (benchmark builds only) -------------------------------- */

#ifdef MPS2_LATENCY_PROBE
/*
 * Stamps TIMER0 at UART0 RX interrupt entry and when the firmware next reads
 * UART0 (the waiting task's poll reading the byte), and with
 * MPS2_LATENCY_SPLIT also at the first return from hal_idle and the first
 * hal_irq_take after it; prints the differences from the ISR entry in CPU
 * cycles over semihosting (0 for marks not compiled in). Run with
 * -icount shift=10 each instruction takes 1024 ns of virtual time = 25.6
 * timer cycles, so cycles / 25.6 is an exact instruction count
 * (host/mcu/latency.ts).
 */
static volatile uint32_t probe_t0, probe_idle, probe_take;
static volatile uint8_t probe_armed;
static inline uint32_t probe_now(void) { return 0xFFFFFFFFu - TIMER0->VALUE; }
#define PROBE_ISR_ENTRY() do { if (!probe_armed) { probe_t0 = probe_now(); probe_idle = probe_take = 0; probe_armed = 1; } } while (0)
#ifdef MPS2_LATENCY_SPLIT /* intermediate marks cost instructions themselves: a separate build */
#define PROBE_MARK(v) do { if (probe_armed && !(v)) (v) = probe_now() - probe_t0; } while (0)
#else
#define PROBE_MARK(v) do {} while (0)
#endif
static void probe_read(void) {
  if (!probe_armed) return;
  uint32_t d = probe_now() - probe_t0;
  probe_armed = 0;
  char buf[96] = "[mcu] rx-latency cycles ", *p = buf + 24;
  p = fmt_u32(p, d);
  memcpy(p, " idle-return ", 13); p += 13;
  p = fmt_u32(p, probe_idle);
  memcpy(p, " irq-take ", 10); p += 10;
  p = fmt_u32(p, probe_take);
  *p++ = '\n'; *p = 0;
  semihost_write0(buf);
}
#else
#define PROBE_ISR_ENTRY() do {} while (0)
#define PROBE_MARK(v) do {} while (0)
#define probe_read() do {} while (0)
#endif

/* ---- interrupts and idle ---------------------------------------------- */

uint32_t hal_irq_take(void) {
  PROBE_MARK(probe_take);
  uint32_t m = irq_save();
  uint32_t p = pending;
  pending = 0;
  irq_restore(m);
  return p;
}

static uint32_t reported_heap, reported_overruns;
static int64_t reported_at = -1000000;

void hal_idle(int64_t deadline) {
  /* Heap growth is rare (first calls compile code pages): report each. An
     overrun burst is reported at most every 100 ms so a flood cannot turn
     into a flood of reports. */
  if (mem_heap_peak() != reported_heap ||
      (coop_rx_overruns() != reported_overruns && hal_now() - reported_at >= 100000))
    mps2_report_stats("idle");
  if (deadline >= 0) {
    /* Make sure something wakes us at the deadline even if the core did not
       arm the alarm for it (it normally has: then this changes nothing). */
    uint32_t m = irq_save();
    if (alarm_at < 0 || alarm_at > deadline) {
      alarm_at = deadline;
      alarm_program();
    }
    irq_restore(m);
  }
  /*
   * The lost-wake-up guard: mask, check, sleep, unmask. An ISR that becomes
   * pending after the check cannot run while masked, but it still ends WFI
   * (WFI wakes on a pending interrupt even with PRIMASK set); it then runs at
   * the cpsie below, and the board loop calls coop_step again. Checking with
   * interrupts enabled instead would let the interrupt land between the check
   * and the WFI and be slept through.
   */
  irq_disable();
  if (pending == 0 && (deadline < 0 || hal_now() < deadline)) wfi();
  irq_enable();
  PROBE_MARK(probe_idle);
}

/* ---- UART0 ---------------------------------------------------------------- */

void UART0_RX_IRQHandler(void) {
  PROBE_ISR_ENTRY();
  UART0->INTSTATUS = UART_INT_RX;
  while (UART0->STATE & UART_STATE_RXFULL) {
    coop_rx_put((uint8_t)UART0->DATA);
  }
  if (UART0->STATE & UART_STATE_RXOVR) {
    UART0->STATE = UART_STATE_RXOVR; /* hardware overrun (the ISR was late): also lost bytes */
    coop_rx_lost();
  }
  pending |= COOP_IRQ_BIT(COOP_IRQ_UART0_RX);
}

/* Move bytes from the TX ring into the UART while it has room. Masked or in the TX ISR. */
static void tx_pump(void) {
  uint8_t b;
  while (!(UART0->STATE & UART_STATE_TXFULL) && coop_tx_next(&b)) UART0->DATA = b;
}

void UART0_TX_IRQHandler(void) {
  UART0->INTSTATUS = UART_INT_TX;
  tx_pump();
  /* ABI: UART0_TX means "drained" or "room again after a refused write". */
  if (coop_tx_raise()) pending |= COOP_IRQ_BIT(COOP_IRQ_UART0_TX);
}

int32_t hal_uart_write(uint32_t port, const uint8_t *src, uint32_t len) {
  if (port != 0) return COOP_EBADPORT;
  uint32_t n = coop_tx_copy(src, len);
  uint32_t m = irq_save();
  coop_tx_commit(n, len);
  tx_pump(); /* start transmission; the TX interrupt continues it */
  irq_restore(m);
  return (int32_t)n;
}

int32_t hal_uart_read(uint32_t port, uint8_t *dst, uint32_t cap) {
  probe_read();
  if (port != 0) return COOP_EBADPORT;
  return (int32_t)coop_rx_take(dst, cap);
}

int32_t hal_uart_overruns(uint32_t port) {
  if (port != 0) return COOP_EBADPORT;
  return (int32_t)coop_rx_overruns();
}

/* Transmit everything queued, by polling (fatal paths, exit). */
static void tx_drain(void) {
  uint32_t m = irq_save();
  uint8_t b;
  while (coop_tx_next(&b)) {
    while (UART0->STATE & UART_STATE_TXFULL) {}
    UART0->DATA = b;
  }
  irq_restore(m);
}

/* ---- peripherals this board does not expose ---------------------------- */

/* This board's names (board.resolve, docs/abi.md "Names"): only what it wires to the ABI. */
const char hal_board_name[] = "mps2-an385";
const coop_name hal_names[] = {
    {COOP_NAME_UART, 0, "UART0"},
};
const uint32_t hal_name_count = sizeof hal_names / sizeof hal_names[0];

int32_t hal_gpio_write(uint32_t pin, uint32_t level) { (void)pin; (void)level; return COOP_EBADPORT; }
int32_t hal_gpio_read(uint32_t pin) { (void)pin; return COOP_EBADPORT; }
int32_t hal_gpio_irq(uint32_t pin, uint32_t edges) { (void)pin; (void)edges; return COOP_EBADPORT; }
int32_t hal_adc_start(uint32_t channel) { (void)channel; return COOP_EBADPORT; }
int32_t hal_adc_read(uint32_t channel) { (void)channel; return COOP_EBADPORT; }
int32_t hal_bus_transfer(uint32_t addr, const uint8_t *w, uint32_t wlen, uint32_t rlen) {
  (void)addr; (void)w; (void)wlen; (void)rlen;
  return COOP_EBADPORT;
}
int32_t hal_bus_status(void) { return COOP_EBADPORT; }
int32_t hal_bus_result(uint8_t *dst, uint32_t cap) { (void)dst; (void)cap; return 0; }

/* ---- diagnostics -------------------------------------------------------------- */

/* Semihosting writes need a NUL-terminated string: copy in bounded chunks. */
static void semihost_write_n(const char *text, uint32_t len) {
  char buf[97];
  while (len) {
    uint32_t n = len < sizeof buf - 1 ? len : sizeof buf - 1;
    memcpy(buf, text, n);
    buf[n] = 0;
    semihost_write0(buf);
    text += n;
    len -= n;
  }
}

void hal_log(const char *text, uint32_t len) {
  semihost_write0("[log] ");
  semihost_write_n(text, len);
  semihost_write0("\n");
}

void hal_trace(uint32_t kind, int32_t a, int32_t b) {
  char buf[48], *p = buf;
  memcpy(p, "[trace] ", 8); p += 8;
  p = fmt_u32(p, kind); *p++ = ' ';
  if (a < 0) { *p++ = '-'; a = -a; }
  p = fmt_u32(p, (uint32_t)a); *p++ = ' ';
  if (b < 0) { *p++ = '-'; b = -b; }
  p = fmt_u32(p, (uint32_t)b); *p++ = '\n'; *p = 0;
  semihost_write0(buf);
}

void hal_report(const char *text) {
  tx_drain(); /* keep the app's output in order before the report */
  uint32_t m = irq_save();
  uart0_polled_puts(text);
  uart0_polled_puts("\n");
  irq_restore(m);
}

void hal_exit(int status) {
  tx_drain();
  mps2_report_stats("exit");
  semihost_exit(status);
}

void mps2_report_stats(const char *when) {
  char buf[160], *p = buf;
  reported_heap = mem_heap_peak();
  reported_overruns = coop_rx_overruns();
  reported_at = hal_now();
  const char *parts[] = {"[mcu] ", when, ": heap peak "};
  for (unsigned i = 0; i < 3; i++) { size_t n = strlen(parts[i]); if (n > 40) n = 40; memcpy(p, parts[i], n); p += n; }
  p = fmt_u32(p, reported_heap);
  memcpy(p, " B, stack peak ", 15); p += 15;
  p = fmt_u32(p, mem_stack_peak());
  memcpy(p, " B, uart0 overruns ", 19); p += 19;
  p = fmt_u32(p, reported_overruns);
  *p++ = '\n'; *p = 0;
  semihost_write0(buf);
}

/* ---- bring-up -------------------------------------------------------------------- */

void mps2_hal_init(void) {
  TIMER0->CTRL = 0;
  TIMER0->RELOAD = 0xFFFFFFFFu;
  TIMER0->VALUE = 0xFFFFFFFFu;
  TIMER0->INTSTATUS = 1u;
  TIMER0->CTRL = 1u | 8u;
  TIMER1->CTRL = 0;
  TIMER1->INTSTATUS = 1u;

  UART0->BAUDDIV = 16; /* QEMU ignores the rate but refuses to transmit below 16 */
  UART0->INTSTATUS = UART_INT_TX | UART_INT_RX;
  UART0->CTRL = UART_CTRL_TXEN | UART_CTRL_RXEN | UART_CTRL_TXINT | UART_CTRL_RXINT;

  NVIC_ISER0 = (1u << IRQN_UART0_RX) | (1u << IRQN_UART0_TX) | (1u << IRQN_TIMER0) | (1u << IRQN_TIMER1);
  irq_enable();
}
