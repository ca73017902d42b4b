/*
 * Board-specific additions to the coop HAL (boards/embed/coop_hal.h) on the
 * mps2-an385: bring-up, and the diagnostics the build and tests read.
 */
#ifndef HAL_MPS2_H
#define HAL_MPS2_H

#include <stdint.h>

/* Size of the UART0 RX ring filled by the RX interrupt (bytes; power of two). */
#ifndef MPS2_RX_RING
#define MPS2_RX_RING 256u
#endif
/* Size of the UART0 TX ring drained by the TX interrupt (bytes; power of two). */
#ifndef MPS2_TX_RING
#define MPS2_TX_RING 512u
#endif

#include "coop_ticks.h"

/* CPU cycles (the 64-bit clock TIMER0 extends) to microsecond ticks, exactly
   (boards/embed/coop_ticks.h). board.h's CPU_HZ is 25 MHz. */
static inline uint64_t mps2_cycles_to_ticks(uint64_t c) { return coop_div_small(c, 25); }

/* Enables UART0 (RX/TX interrupts), TIMER0 (free-running clock) and TIMER1 (alarm). */
void mps2_hal_init(void);

/*
 * Prints "[mcu] <when>: heap peak N B, stack peak N B, uart0 overruns N" to
 * QEMU's stderr via semihosting (never to UART0, which belongs to the app).
 * hal_idle calls it whenever the heap peak or the overrun count has grown,
 * so the last such line is the run's peak.
 */
void mps2_report_stats(const char *when);

#endif
