/*
 * The plain-C reference for the RX latency benchmark (host/mcu/latency.ts):
 * the same board, HAL and RX interrupt as the wasm3 firmware, without wasm3
 * or coop. The ISR sets the pending flag; the main loop sleeps in hal_idle
 * (mask, check, WFI, unmask), takes the flags, and handles the byte by
 * reading it. The probe in hal.c measures ISR entry -> hal_uart_read.
 */
#include "../board.h"
#include "../hal_mps2.h"
#include "coop_hal.h"
#include "coop_abi.h" /* generated from boards/abi/abi.json: the ABI's line numbers */

static volatile uint32_t received; /* "handling": count and keep the byte */
static volatile uint8_t last;

int main(void) {
  mps2_hal_init();
  for (;;) {
    hal_idle(-1);
    if (hal_irq_take() & COOP_IRQ_BIT(COOP_IRQ_UART0_RX)) {
      uint8_t b;
      while (hal_uart_read(0, &b, 1) == 1) {
        last = b;
        received++;
      }
    }
  }
}
