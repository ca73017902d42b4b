/*
 * Board-specific additions to the coop HAL (boards/embed/coop_hal.h) on
 * QEMU's sifive_e: bring-up, ring sizes, and the stats line the build reads.
 */
#ifndef HAL_SIFIVE_E_H
#define HAL_SIFIVE_E_H

#include <stdint.h>

/* UART0 rings (bytes; powers of two). Smaller than mps2-an385's 256/512: the part has 16 KiB of RAM. */
#ifndef SIFIVE_RX_RING
#define SIFIVE_RX_RING 128u
#endif
#ifndef SIFIVE_TX_RING
#define SIFIVE_TX_RING 256u
#endif

/* ABI pins 0..15 are GPIO 0..15 (the ABI has 16 GPIO IRQ lines). */
#define SIFIVE_ABI_PINS 16u

/* Trap vector, PLIC (UART0 and GPIO sources), UART0 with RX interrupts, the machine timer; then interrupts on. */
void sifive_e_hal_init(void);

/*
 * Prints "[mcu] <when>: heap peak 0 B, stack peak N B, uart0 overruns N" to
 * QEMU's stderr (the format host/mcu/qemu.ts parses; this board has no heap).
 */
void sifive_e_report_stats(const char *when);

#endif
