/*
 * The module gate: structural validation of a firmware .wasm before wasm3
 * (or anything else) parses it. The C twin of host/engines/gate.ts: the same
 * rules in the same order with the same one-line wording, checked against
 * each other by tests/host/gate.test.ts. Limits and ABI signatures come from
 * boards/wasm3/gate.json through the generated coop_gate_limits.h.
 *
 * No allocation, no recursion (a 50 000-deep block nest costs one counter),
 * 64-bit sums for every bound; about 1.3 KiB of static state. Rules and
 * limits: docs/engines.md, The module gate.
 */
#ifndef COOP_GATE_H
#define COOP_GATE_H

#include <stdint.h>

/*
 * Check `len` bytes at `wasm`. memory_limit: bytes of linear memory the board
 * gives (0 = no cap); every data segment must end below it. Returns 0 when
 * the module passes; otherwise 1, with the rule that refused it in `why`
 * (one line, NUL-terminated, at most why_cap - 1 bytes).
 */
int coop_gate_check(const uint8_t *wasm, uint32_t len, uint32_t memory_limit, char *why, uint32_t why_cap);

#endif
