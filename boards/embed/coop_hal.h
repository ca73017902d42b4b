/*
 * The HAL interface under the portable wasm3 embedding of the coop board ABI
 * (docs/abi.md). coop_wasm3.c implements the ABI's imports and the board loop
 * on top of these functions; each board (boards/native, boards/qemu-mps2-an385,
 * a real MCU) implements them once. Pointers given to the HAL have already been
 * checked against the module's linear memory.
 */
#ifndef COOP_HAL_H
#define COOP_HAL_H

#include <stdint.h>

/* Time: ticks of a monotonic clock, hal_tick_hz() per second. */
uint32_t hal_tick_hz(void);
int64_t hal_now(void);
/* One-shot alarm at an absolute tick; -1 disarms. When due it sets IRQ line 0 pending. */
void hal_set_alarm(int64_t at);

/* Read and clear the pending IRQ flags (bit n = logical line n), atomically against ISRs. */
uint32_t hal_irq_take(void);

/*
 * Idle: sleep until an interrupt or until `deadline` (-1: no deadline).
 * Must not lose a wake-up: check the pending flags and sleep with interrupts
 * masked (Cortex-M: cpsid i; if nothing pending: wfi; cpsie i).
 */
void hal_idle(int64_t deadline);

/* Peripherals, with the ABI's return conventions (negative = error code). */
int32_t hal_uart_write(uint32_t port, const uint8_t *src, uint32_t len);
int32_t hal_uart_read(uint32_t port, uint8_t *dst, uint32_t cap);
int32_t hal_uart_overruns(uint32_t port);
int32_t hal_gpio_write(uint32_t pin, uint32_t level);
int32_t hal_gpio_read(uint32_t pin);
int32_t hal_gpio_irq(uint32_t pin, uint32_t edges);
int32_t hal_adc_start(uint32_t channel);
int32_t hal_adc_read(uint32_t channel);
/* The read bytes are returned through hal_bus_result when the transfer is done. */
int32_t hal_bus_transfer(uint32_t addr, const uint8_t *w, uint32_t wlen, uint32_t rlen);
int32_t hal_bus_status(void);
/* Copy the finished transfer's read bytes (at most cap); returns bytes copied. */
int32_t hal_bus_result(uint8_t *dst, uint32_t cap);

/*
 * The board's names for its pins, ADC channels, UARTs and bus devices, as in
 * its board file (board.resolve, docs/abi.md "Names"): one table per board,
 * `hal_name_count` entries. `kind` is a COOP_NAME_* kind (without OPTIONAL),
 * `number` the pin, channel, port or 7-bit bus address the name stands for.
 * `hal_board_name` names the board in reports ("board native has no pin ...").
 */
typedef struct coop_name {
  uint8_t kind;
  uint8_t number;
  const char *name;
} coop_name;
extern const char hal_board_name[];
extern const coop_name hal_names[];
extern const uint32_t hal_name_count;

/* Diagnostics. */
void hal_log(const char *text, uint32_t len);
void hal_trace(uint32_t kind, int32_t a, int32_t b);
/* A fatal report (panic, trap, bad module): print it where the user sees it. */
void hal_report(const char *text);
/* Stop the board with an exit status (QEMU: semihosting exit; host: exit()). */
void hal_exit(int status) __attribute__((noreturn));

#endif
