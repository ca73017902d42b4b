/* Set-up of the host HAL (hal_native.c), called by main before coop_wasm3_run. */
#ifndef HAL_NATIVE_H
#define HAL_NATIVE_H

/*
 * Start the clock (tick 0 = now), install the signal handlers (SIGINT/SIGTERM
 * stop with 128 + signal, SIGUSR1 raises the SOFT line) and block them outside
 * the idle wait. trace != 0 prints board.trace events on stderr. control_fd
 * >= 0 enables the pin/ADC control protocol on that descriptor (-1: none).
 */
void native_hal_init(int trace, int control_fd);

#endif
