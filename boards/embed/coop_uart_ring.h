/*
 * The UART byte rings of an interrupt-driven MCU port (boards/qemu-*): an RX
 * ring the RX interrupt fills and hal_uart_read empties, and a TX ring
 * hal_uart_write fills and the board's pump empties into the UART. The ports
 * differ only in their registers; this is the part they share.
 *
 * Each ring has one producer and one consumer: the ISR writes only rx_head
 * and tx_tail, the firmware side only rx_tail and tx_head, each an aligned
 * 32-bit store, so neither side needs a lock to move bytes. Publishing a
 * write (coop_tx_commit) and pumping happen with interrupts masked, as the
 * TX interrupt pumps too.
 *
 * Header-only, included once by a board's hal.c after it defines
 * COOP_UART_RX_RING and COOP_UART_TX_RING (powers of two), so the ring masks
 * are constants in the interrupt path.
 */
#ifndef COOP_UART_RING_H
#define COOP_UART_RING_H

#include <stdint.h>

#if !defined(COOP_UART_RX_RING) || !defined(COOP_UART_TX_RING)
#error "define COOP_UART_RX_RING and COOP_UART_TX_RING (powers of two) before including coop_uart_ring.h"
#endif
_Static_assert((COOP_UART_RX_RING & (COOP_UART_RX_RING - 1)) == 0, "COOP_UART_RX_RING must be a power of two");
_Static_assert((COOP_UART_TX_RING & (COOP_UART_TX_RING - 1)) == 0, "COOP_UART_TX_RING must be a power of two");

static uint8_t coop_rx_ring[COOP_UART_RX_RING];
static volatile uint32_t coop_rx_head, coop_rx_tail; /* head: the RX ISR; tail: hal_uart_read */
static volatile uint32_t coop_rx_lost_bytes;         /* the ABI's uart_overruns */
static uint8_t coop_tx_ring[COOP_UART_TX_RING];
static volatile uint32_t coop_tx_head, coop_tx_tail; /* head: hal_uart_write; tail: the pump */
static volatile uint8_t coop_tx_refused;             /* a write was cut short: raise TX when room returns */

/* RX ISR: keep byte b; 0 when the ring is full (the byte is dropped and counted). */
static inline int coop_rx_put(uint8_t b) {
  uint32_t h = coop_rx_head;
  if (h - coop_rx_tail == COOP_UART_RX_RING) {
    coop_rx_lost_bytes++; /* the firmware is not reading fast enough */
    return 0;
  }
  coop_rx_ring[h & (COOP_UART_RX_RING - 1)] = b;
  coop_rx_head = h + 1;
  return 1;
}

/* RX ISR: the UART itself dropped a byte (its FIFO overran before the ISR ran). */
static inline void coop_rx_lost(void) { coop_rx_lost_bytes++; }

/* hal_uart_read: up to cap received bytes into dst; returns how many. */
static inline uint32_t coop_rx_take(uint8_t *dst, uint32_t cap) {
  uint32_t t = coop_rx_tail, avail = coop_rx_head - t;
  uint32_t n = cap < avail ? cap : avail;
  for (uint32_t i = 0; i < n; i++) dst[i] = coop_rx_ring[(t + i) & (COOP_UART_RX_RING - 1)];
  coop_rx_tail = t + n; /* one 32-bit store: the ISR sees the room at once */
  return n;
}

static inline uint32_t coop_rx_overruns(void) { return coop_rx_lost_bytes; }

/* hal_uart_write, unmasked: copy what fits of src behind the queued bytes; returns how many. */
static inline uint32_t coop_tx_copy(const uint8_t *src, uint32_t len) {
  uint32_t room = COOP_UART_TX_RING - (coop_tx_head - coop_tx_tail);
  uint32_t n = len < room ? len : room;
  uint32_t h = coop_tx_head;
  for (uint32_t i = 0; i < n; i++) coop_tx_ring[(h + i) & (COOP_UART_TX_RING - 1)] = src[i];
  return n;
}

/* hal_uart_write, masked: publish the n bytes copied of a write of len (short: raise TX once room returns). */
static inline void coop_tx_commit(uint32_t n, uint32_t len) {
  coop_tx_head += n;
  if (n < len) coop_tx_refused = 1;
}

/* The pump, masked or in the TX ISR: the next byte to send into *b; 0 when the ring is empty. */
static inline int coop_tx_next(uint8_t *b) {
  uint32_t t = coop_tx_tail;
  if (t == coop_tx_head) return 0;
  *b = coop_tx_ring[t & (COOP_UART_TX_RING - 1)];
  coop_tx_tail = t + 1;
  return 1;
}

static inline int coop_tx_empty(void) { return coop_tx_tail == coop_tx_head; }

/*
 * TX ISR, after pumping: whether to raise the ABI's UART0_TX line, which
 * means "drained" or "room again after a refused write" (docs/abi.md).
 */
static inline int coop_tx_raise(void) {
  if (coop_tx_tail != coop_tx_head && !coop_tx_refused) return 0;
  coop_tx_refused = 0;
  return 1;
}

#endif
