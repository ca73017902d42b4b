/* Set-up of the host HAL (hal_native.c), called by main before coop_run. */
#ifndef HAL_NATIVE_H
#define HAL_NATIVE_H

/*
 * Start the clock (tick 0 = now) and install the signal handlers: SIGINT and
 * SIGTERM stop at once with 128 + signal (even inside a firmware call);
 * SIGUSR1 raises the SOFT line and is blocked outside the idle wait. trace != 0 prints board.trace events on stderr. control_fd
 * >= 0 enables the pin/ADC control protocol on that descriptor (-1: none).
 */
void native_hal_init(int trace, int control_fd);

#endif
