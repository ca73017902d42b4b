/*
 * A board's hardware counter to the ABI's microsecond ticks without libgcc's
 * 64-bit division (about 50 instructions on a 32-bit core without a 64-bit
 * divide, on the path of every board-loop step), when the counter runs at a
 * whole multiple `d` of 1 MHz: with 2^32 = Q*d + R,
 * c / d = hi*Q + lo/d + (lo%d + hi*R)/d, every term in 32 bits while hi*R
 * does (for d = 25: 2^32/R wraps of 171 s, over 1000 years).
 * Used by boards/qemu-mps2-an385 (25 MHz cycles) and boards/qemu-sifive-e
 * (10 MHz mtime).
 */
#ifndef COOP_TICKS_H
#define COOP_TICKS_H

#include <stdint.h>

static inline uint64_t coop_div_small(uint64_t c, uint32_t d) {
  const uint32_t q = (uint32_t)(0x100000000ull / d), r = (uint32_t)(0x100000000ull % d);
  uint32_t hi = (uint32_t)(c >> 32), lo = (uint32_t)c;
  return (uint64_t)hi * q + lo / d + (lo % d + hi * r) / d;
}

#endif
