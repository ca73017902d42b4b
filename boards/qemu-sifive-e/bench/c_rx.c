/*
 * The plain-C reference for the RX latency benchmark on sifive-e
 * (host/mcu/latency.ts --board sifive-e): the same board, HAL and UART0
 * interrupt as the coop firmware, without the firmware. The ISR sets the
 * pending flag; the main loop sleeps in hal_idle (MIE clear, check, WFI, MIE
 * set), takes the flags and handles the byte by reading it. The probe in
 * hal.c counts instructions from the interrupt's entry to hal_uart_read.
 */
#include "../board.h"
#include "../hal_sifive_e.h"
#include "coop_hal.h"
#include "coop_abi.h" /* generated from boards/abi/abi.json: the ABI's line numbers */

static volatile uint32_t received; /* "handling": count and keep the byte */
static volatile uint8_t last;

int main(void) {
  sifive_e_hal_init();
  hal_uart_write(0, (const uint8_t *)"ready\n", 6); /* the benchmark waits for the first output */
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
