/*
 * The coop HAL (boards/embed/coop_hal.h) on QEMU 7.2's sifive_e (RV32IMAC,
 * machine mode).
 *
 * - Clock: mtime. QEMU 7.2 runs sifive_e's mtime at 10 MHz (measured under
 *   -icount: 12 000 013 instructions at 1 ns each advanced it by 120 000), so
 *   hal_now() = mtime / 10, microsecond ticks like every board.
 * - Alarm: mtimecmp. The machine timer interrupt raises ABI line 0 (ALARM)
 *   and parks mtimecmp at its maximum; 64 bits never wrap, so no re-arming.
 * - UART0 (SiFive): RX and TX interrupts through the PLIC (source 3). RX
 *   moves bytes into a ring and raises line 1; a full ring drops the byte and
 *   counts an overrun. TX is fed from a ring by the TX-watermark interrupt,
 *   which is enabled only while the ring holds bytes, and raises line 2 when
 *   the ring has drained or has room again after a refused write.
 * - GPIO: ABI pins 0..15 are GPIO 0..15; edges through the PLIC (sources
 *   8 + pin) raise GPIO line 16 + pin. QEMU models the edges, but nothing
 *   outside QEMU can drive an input pin, so only a pin the firmware drives
 *   itself changes (docs/mcu.md).
 * - ADC, bus, UART1: not on this board's ABI: EBADPORT.
 * - ISRs only touch peripherals, rings and the `pending` flags; they never
 *   call into the firmware.
 * - hal_log / hal_trace: semihosting (QEMU's stderr); hal_report: UART0;
 *   hal_exit: semihosting SYS_EXIT_EXTENDED.
 */
#include <stddef.h>
#include <string.h>
#include "board.h"
#include "hal_sifive_e.h"
#include "coop_hal.h"
#include "coop_abi.h"   /* generated from boards/abi/abi.json: error codes, IRQ lines, exit codes */
#include "coop_board.h" /* coop_line_*: bounded formatting without printf */
#include "coop_ticks.h"

#define TICK_HZ 1000000u
#define MTIME_PER_TICK 10u /* 10 MHz mtime (measured, see above) */

static volatile uint32_t pending; /* ABI lines raised by ISRs, taken by hal_irq_take */
static int64_t alarm_at = -1;     /* absolute tick of the armed alarm, -1 none */

#define COOP_UART_RX_RING SIFIVE_RX_RING
#define COOP_UART_TX_RING SIFIVE_TX_RING
#include "coop_uart_ring.h" /* the UART0 rings, shared with the other MCU ports */

/* ---- clock and alarm --------------------------------------------------- */

uint32_t hal_tick_hz(void) { return TICK_HZ; }
int64_t hal_now(void) { return (int64_t)coop_div_small(mtime(), MTIME_PER_TICK); }

/* Writes mtimecmp without a moment where the half-written value is due. Masked or in the timer ISR. */
static void mtimecmp_set(uint64_t v) {
  MTIMECMP_HI = 0xFFFFFFFFu;
  MTIMECMP_LO = (uint32_t)v;
  MTIMECMP_HI = (uint32_t)(v >> 32);
}

void hal_set_alarm(int64_t at) {
  uint32_t m = irq_save();
  alarm_at = at < 0 ? -1 : at;
  /* A deadline already past makes the timer interrupt pending at once: it raises ALARM. */
  mtimecmp_set(alarm_at < 0 ? UINT64_MAX : (uint64_t)alarm_at * MTIME_PER_TICK);
  irq_restore(m);
}

static void timer_isr(void) {
  mtimecmp_set(UINT64_MAX);
  alarm_at = -1;
  pending |= COOP_IRQ_BIT(COOP_IRQ_ALARM);
}

/* ---- latency probe (benchmark builds only) -------------------------------- */

#ifdef SIFIVE_LATENCY_PROBE
/*
 * Reads minstret at the UART0 interrupt's entry and at the firmware's next
 * UART0 read (the waiting task's poll reading the byte) and prints the
 * difference over semihosting, with SIFIVE_LATENCY_SPLIT also at the first
 * return from hal_idle and the first hal_irq_take after it
 * (host/mcu/latency.ts). Under -icount shift=N QEMU 7.2's minstret is its
 * virtual clock in ns, so the figure is instructions << N; the benchmark
 * divides. The same line as mps2-an385's probe, with "instret" for "cycles".
 */
static volatile uint32_t probe_t0, probe_idle, probe_take;
static volatile uint8_t probe_armed;
/* The one UART0 interrupt is also TX's: the entry is stamped always, the probe armed only when a byte came in. */
#define PROBE_ISR_ENTRY() uint32_t probe_entry = instret()
#define PROBE_RX() do { if (!probe_armed) { probe_t0 = probe_entry; probe_idle = probe_take = 0; probe_armed = 1; } } while (0)
#ifdef SIFIVE_LATENCY_SPLIT
#define PROBE_MARK(v) do { if (probe_armed && !(v)) (v) = instret() - probe_t0; } while (0)
#else
#define PROBE_MARK(v) do {} while (0)
#endif
static void probe_read(void) {
  if (!probe_armed) return;
  uint32_t d = instret() - probe_t0;
  probe_armed = 0;
  coop_line l;
  coop_line_init(&l);
  coop_line_str(&l, "[mcu] rx-latency instret ");
  coop_line_u64(&l, d);
  coop_line_str(&l, " idle-return ");
  coop_line_u64(&l, probe_idle);
  coop_line_str(&l, " irq-take ");
  coop_line_u64(&l, probe_take);
  coop_line_str(&l, "\n");
  semihost_write0(l.buf);
}
#else
#define PROBE_ISR_ENTRY() do {} while (0)
#define PROBE_RX() do {} while (0)
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

static uint32_t reported_overruns;
static int64_t reported_at = -1000000;

void hal_idle(int64_t deadline) {
  /* An overrun burst is reported at most every 100 ms, so a flood cannot become a flood of reports. */
  if (coop_rx_overruns() != reported_overruns && hal_now() - reported_at >= 100000) sifive_e_report_stats("idle");
  if (deadline >= 0) {
    /* Make sure something wakes us at the deadline even if the core did not arm the alarm for it. */
    uint32_t m = irq_save();
    if (alarm_at < 0 || alarm_at > deadline) {
      alarm_at = deadline;
      mtimecmp_set((uint64_t)deadline * MTIME_PER_TICK);
    }
    irq_restore(m);
  }
  /*
   * The lost-wake-up guard: clear mstatus.MIE, check, WFI, set MIE. An
   * interrupt that becomes pending after the check cannot be taken while MIE
   * is clear, but it still ends the WFI (WFI wakes on any interrupt enabled in
   * mie, whatever mstatus.MIE says); it is taken at the csrsi below and the
   * board loop steps again. Checking with interrupts on instead would let it
   * land between the check and the WFI and be slept through.
   */
  irq_disable();
  if (pending == 0 && (deadline < 0 || hal_now() < deadline)) wfi();
  irq_enable();
  PROBE_MARK(probe_idle);
}

/* ---- UART0 ---------------------------------------------------------------- */

/* Moves bytes from the TX ring into the UART's FIFO while it has room. Masked or in the ISR. */
static void tx_pump(void) {
  uint8_t b;
  while (!(UART0_TXDATA & UART_FULL) && coop_tx_next(&b)) UART0_TXDATA = b;
}

static void uart0_isr(void) {
  PROBE_ISR_ENTRY();
  uint32_t d;
  while (!((d = UART0_RXDATA) & UART_EMPTY)) {
    if (coop_rx_put((uint8_t)d)) {
      PROBE_RX();
      pending |= COOP_IRQ_BIT(COOP_IRQ_UART0_RX);
    }
  }
  if (UART0_IE & UART_IE_TXWM) {
    tx_pump();
    /* ABI: UART0_TX means "drained" or "room again after a refused write". */
    if (coop_tx_empty()) UART0_IE = UART_IE_RXWM; /* nothing left to send: stop the watermark interrupt */
    if (coop_tx_raise()) pending |= COOP_IRQ_BIT(COOP_IRQ_UART0_TX);
  }
}

int32_t hal_uart_write(uint32_t port, const uint8_t *src, uint32_t len) {
  if (port != 0) return COOP_EBADPORT;
  uint32_t n = coop_tx_copy(src, len);
  uint32_t m = irq_save();
  coop_tx_commit(n, len);
  tx_pump();
  UART0_IE = UART_IE_RXWM | UART_IE_TXWM; /* the watermark interrupt continues, and says when it drained */
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
    while (UART0_TXDATA & UART_FULL) {}
    UART0_TXDATA = b;
  }
  irq_restore(m);
}

void uart0_polled_write(const char *s, uint32_t len) {
  for (uint32_t i = 0; i < len; i++) {
    while (UART0_TXDATA & UART_FULL) {}
    UART0_TXDATA = (uint8_t)s[i];
  }
}

void uart0_polled_puts(const char *s) { uart0_polled_write(s, (uint32_t)strlen(s)); }

/* ---- GPIO ------------------------------------------------------------------------ */

int32_t hal_gpio_write(uint32_t pin, uint32_t level) {
  if (pin >= SIFIVE_ABI_PINS) return COOP_EBADPORT;
  uint32_t bit = 1u << pin, m = irq_save();
  if (level) GPIO_OUTPUT_VAL |= bit; else GPIO_OUTPUT_VAL &= ~bit;
  GPIO_OUTPUT_EN |= bit;
  irq_restore(m);
  return 0;
}

int32_t hal_gpio_read(uint32_t pin) {
  if (pin >= SIFIVE_ABI_PINS) return COOP_EBADPORT;
  return (int32_t)((GPIO_INPUT_VAL >> pin) & 1u);
}

int32_t hal_gpio_irq(uint32_t pin, uint32_t edges) {
  if (pin >= SIFIVE_ABI_PINS || edges > COOP_EDGE_BOTH) return COOP_EBADPORT;
  uint32_t bit = 1u << pin, m = irq_save();
  GPIO_RISE_IE = (edges & COOP_EDGE_RISING) ? (GPIO_RISE_IE | bit) : (GPIO_RISE_IE & ~bit);
  GPIO_FALL_IE = (edges & COOP_EDGE_FALLING) ? (GPIO_FALL_IE | bit) : (GPIO_FALL_IE & ~bit);
  GPIO_RISE_IP = bit; /* an edge from before arming is not this arming's */
  GPIO_FALL_IP = bit;
  irq_restore(m);
  return 0;
}

static void gpio_isr(uint32_t pin) {
  uint32_t bit = 1u << pin;
  GPIO_RISE_IP = bit;
  GPIO_FALL_IP = bit;
  pending |= COOP_IRQ_BIT(COOP_IRQ_GPIO_BASE + pin);
}

/* ---- what this board does not expose ---------------------------------------------- */

int32_t hal_adc_start(uint32_t channel) { (void)channel; return COOP_EBADPORT; }
int32_t hal_adc_read(uint32_t channel) { (void)channel; return COOP_EBADPORT; }
int32_t hal_bus_transfer(uint32_t addr, const uint8_t *w, uint32_t wlen, uint32_t rlen) {
  (void)addr; (void)w; (void)wlen; (void)rlen;
  return COOP_EBADPORT;
}
int32_t hal_bus_status(void) { return COOP_EBADPORT; }
int32_t hal_bus_result(uint8_t *dst, uint32_t cap) { (void)dst; (void)cap; return 0; }

/* ---- traps --------------------------------------------------------------------------- */

static void fatal(uint32_t cause, uint32_t pc) __attribute__((noreturn));
static void fatal(uint32_t cause, uint32_t pc) {
  coop_line l;
  coop_line_init(&l);
  coop_line_str(&l, "\n[mcu] fatal: ");
  coop_line_str(&l, cause & MCAUSE_INT ? "unexpected interrupt, mcause=" : "exception, mcause=");
  coop_line_hex(&l, cause);
  coop_line_str(&l, " at pc=");
  coop_line_hex(&l, pc);
  coop_line_str(&l, "\n");
  irq_disable();
  uart0_polled_puts(l.buf);
  semihost_exit(COOP_EXIT_INTERNAL); /* the board itself failed, not the firmware */
}

/* The one machine-mode trap vector (mtvec, direct mode): interrupts are dispatched, an exception is fatal. */
__attribute__((interrupt("machine"), aligned(4))) static void trap_vector(void) {
  uint32_t cause, pc;
  __asm volatile("csrr %0, mcause" : "=r"(cause));
  if (cause == (MCAUSE_INT | MCAUSE_MTI)) {
    timer_isr();
    return;
  }
  if (cause == (MCAUSE_INT | MCAUSE_MEI)) {
    for (uint32_t src; (src = PLIC_CLAIM) != 0; PLIC_CLAIM = src) {
      if (src == PLIC_SRC_UART0) uart0_isr();
      else if (src >= PLIC_SRC_GPIO0 && src < PLIC_SRC_GPIO0 + SIFIVE_ABI_PINS) gpio_isr(src - PLIC_SRC_GPIO0);
    }
    return;
  }
  __asm volatile("csrr %0, mepc" : "=r"(pc));
  fatal(cause, pc);
}

/* ---- diagnostics -------------------------------------------------------------- */

void hal_log(const char *text, uint32_t len) {
  coop_line l;
  coop_line_init(&l);
  coop_line_str(&l, "[log] ");
  coop_line_bytes(&l, (const uint8_t *)text, len);
  coop_line_str(&l, "\n");
  semihost_write0(l.buf);
}

void hal_trace(uint32_t kind, int32_t a, int32_t b) {
  coop_line l;
  coop_line_init(&l);
  coop_line_str(&l, "[trace] ");
  coop_line_u64(&l, kind);
  coop_line_str(&l, " ");
  coop_line_i64(&l, a);
  coop_line_str(&l, " ");
  coop_line_i64(&l, b);
  coop_line_str(&l, "\n");
  semihost_write0(l.buf);
}

void hal_report(const char *text) {
  tx_drain(); /* the app's output first, in order */
  uint32_t m = irq_save();
  uart0_polled_puts(text);
  uart0_polled_puts("\n");
  irq_restore(m);
}

void hal_exit(int status) {
  tx_drain();
  sifive_e_report_stats("exit");
  semihost_exit(status);
}

extern uint32_t __stack_limit, __stack_top;
uint32_t mem_stack_peak(void) {
  const uint32_t *p = &__stack_limit;
  while (p < &__stack_top && *p == 0xC0DEC0DEu) p++; /* start.S's paint */
  return (uint32_t)((const uint8_t *)&__stack_top - (const uint8_t *)p);
}

void sifive_e_report_stats(const char *when) {
  reported_overruns = coop_rx_overruns();
  reported_at = hal_now();
  coop_line l;
  coop_line_init(&l);
  coop_line_str(&l, "[mcu] ");
  coop_line_str(&l, when);
  coop_line_str(&l, ": heap peak 0 B, stack peak ");
  coop_line_u64(&l, mem_stack_peak());
  coop_line_str(&l, " B, uart0 overruns ");
  coop_line_u64(&l, reported_overruns);
  coop_line_str(&l, "\n");
  semihost_write0(l.buf);
}

/* ---- names ---------------------------------------------------------------------- */

/*
 * This board's names (board.resolve, docs/abi.md "Names"). LED is GPIO 5,
 * the HiFive1's Arduino pin 13, where Arduino boards have their LED (its RGB
 * LED is on GPIO 19, 21 and 22, outside the ABI's pins 0..15).
 */
const char hal_board_name[] = "sifive-e";
const coop_name hal_names[] = {
    {COOP_NAME_UART, 0, "UART0"},
    {COOP_NAME_PIN, 5, "LED"},
};
const uint32_t hal_name_count = sizeof hal_names / sizeof hal_names[0];

/* ---- bring-up -------------------------------------------------------------------- */

void sifive_e_hal_init(void) {
  __asm volatile("csrw mtvec, %0" ::"r"((uintptr_t)trap_vector));
  mtimecmp_set(UINT64_MAX);
  UART0_TXCTRL = 1u | (1u << 16); /* txen; watermark: interrupt while the FIFO holds < 1 byte (empty) */
  UART0_RXCTRL = 1u;              /* rxen; watermark 0: interrupt while the FIFO holds > 0 bytes */
  UART0_IE = UART_IE_RXWM;
  PLIC_THRESHOLD = 0;
  PLIC_PRIORITY(PLIC_SRC_UART0) = 1;
  for (uint32_t p = 0; p < SIFIVE_ABI_PINS; p++) PLIC_PRIORITY(PLIC_SRC_GPIO0 + p) = 1;
  /* Sources 3 (UART0) and 8..23 (GPIO 0..15): word 0 holds sources 0..31. */
  PLIC_ENABLE(0) = (1u << PLIC_SRC_UART0) | (((1u << SIFIVE_ABI_PINS) - 1u) << PLIC_SRC_GPIO0);
  GPIO_INPUT_EN |= (1u << SIFIVE_ABI_PINS) - 1u;
  __asm volatile("csrw mie, %0" ::"r"(MIE_MTIE | MIE_MEIE));
  irq_enable();
}
