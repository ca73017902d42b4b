/*
 * Bare C self-test of the sifive-e port (no firmware, no engine), driven by
 * tests/host/qemu-riscv-board.test.ts. It prints "selftest ready", then
 * answers commands on UART0 through the HAL's interrupt-driven rings:
 *   e<c>  echo: prints "echo <c>"
 *   s     sleeps 50 000 ticks on the mtimecmp alarm through hal_idle and
 *         prints "slept <elapsed ticks> woke by alarm"
 *   g     GPIO edge: arms pin 5 for both edges, drives it high then low
 *         (the pin's input follows its output in QEMU's model) and prints
 *         "gpio edges <n> level <l>", n being how many GPIO5 lines arrived
 *   o     stops reading for 200 ms while bytes keep arriving, then prints
 *         "overruns <n> kept <k>"
 *   c     the clock against the instruction count: spins about 1 500 000
 *         instructions and prints "clock <ticks> ticks in <n> instructions"
 *         (under QEMU -icount shift=0 an instruction is 1 ns: 1 000 ticks
 *         per 1 000 000 instructions when hal_now() is in microseconds)
 *   f     executes an illegal instruction: the trap vector reports it
 *         ("[mcu] fatal: exception, mcause=0x2 at pc=0x...") and exits INTERNAL
 *   x<d>  exits with status <d> (a digit) through semihosting
 */
#include <string.h>
#include "../board.h"
#include "../hal_sifive_e.h"
#include "coop_hal.h"
#include "coop_abi.h"
#include "coop_board.h" /* coop_line_*: formatting without printf */

static void say(coop_line *l) {
  coop_line_str(l, "\n");
  for (uint32_t off = 0; off < l->len;) {
    int32_t n = hal_uart_write(0, (const uint8_t *)l->buf + off, l->len - off);
    off += (uint32_t)n;
    if (off < l->len) hal_idle(-1);
  }
}

static uint8_t next_byte(void) {
  uint8_t b;
  for (;;) {
    if (hal_uart_read(0, &b, 1) == 1) return b;
    hal_irq_take();
    hal_idle(-1);
  }
}

int main(void) {
  sifive_e_hal_init();
  coop_line l;
  coop_line_init(&l);
  coop_line_str(&l, "selftest ready");
  say(&l);
  for (;;) {
    uint8_t c = next_byte();
    coop_line_init(&l);
    if (c == 'e') {
      uint8_t b = next_byte();
      coop_line_str(&l, "echo ");
      coop_line_bytes(&l, &b, 1);
    } else if (c == 's') {
      int64_t t0 = hal_now(), at = t0 + 50000;
      hal_irq_take();
      hal_set_alarm(at);
      uint32_t got = 0;
      while (!(got & COOP_IRQ_BIT(COOP_IRQ_ALARM))) {
        hal_idle(-1); /* no deadline: only the alarm's interrupt can end this wait */
        got |= hal_irq_take();
      }
      coop_line_str(&l, "slept ");
      coop_line_i64(&l, hal_now() - t0);
      coop_line_str(&l, " woke by alarm");
    } else if (c == 'g') {
      const uint32_t pin = 5, line = COOP_IRQ_BIT(COOP_IRQ_GPIO_BASE + pin);
      uint32_t edges = 0;
      hal_gpio_write(pin, 0);
      hal_irq_take();
      hal_gpio_irq(pin, COOP_EDGE_BOTH);
      for (uint32_t level = 1; level <= 2; level++) {
        hal_gpio_write(pin, level & 1);
        int64_t until = hal_now() + 10000;
        uint32_t got;
        while (!((got = hal_irq_take()) & line) && hal_now() < until) hal_idle(until);
        if (got & line) edges++;
      }
      coop_line_str(&l, "gpio edges ");
      coop_line_u64(&l, edges);
      coop_line_str(&l, " level ");
      coop_line_i64(&l, hal_gpio_read(pin));
    } else if (c == 'o') {
      int64_t until = hal_now() + 200000;
      while (hal_now() < until) {
        hal_irq_take(); /* a flag left pending would keep hal_idle from sleeping: a busy wait */
        hal_idle(until);
      }
      uint8_t buf[64];
      uint32_t kept = 0;
      for (int32_t n; (n = hal_uart_read(0, buf, sizeof buf)) > 0;) kept += (uint32_t)n;
      coop_line_str(&l, "overruns ");
      coop_line_u64(&l, (uint32_t)hal_uart_overruns(0));
      coop_line_str(&l, " kept ");
      coop_line_u64(&l, kept);
    } else if (c == 'c') {
      int64_t t0 = hal_now();
      uint32_t i0 = instret();
      for (volatile uint32_t k = 0; k < 250000; k++) {}
      int64_t t1 = hal_now();
      uint32_t i1 = instret();
      coop_line_str(&l, "clock ");
      coop_line_i64(&l, t1 - t0);
      coop_line_str(&l, " ticks in ");
      coop_line_u64(&l, i1 - i0);
      coop_line_str(&l, " instructions");
    } else if (c == 'f') {
      __asm volatile("unimp");
    } else if (c == 'x') {
      uint8_t d = next_byte();
      hal_exit(d - '0');
    } else {
      continue;
    }
    say(&l);
  }
}
