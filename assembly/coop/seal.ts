// The start-up seal: nothing may allocate once the firmware runs (docs/runtime.md,
// "No allocation after start-up"). The board calls coop_heap_seal (abi.ts) once,
// after _start. It writes SEAL into the word at the heap top: the word where the
// stub runtime's next allocation puts that block's size, which is never SEAL
// (block sizes are 12 mod 16), and which a block grown in place zero-fills. The
// executor reads that one word after every poll, so the first poll that
// allocates stops the firmware before anything else runs, with the task still
// current: the board reports the task, the bytes (coop_heap_top against the
// sealed top) and the time. Until sealed, the word read is a static SEAL, so the
// check passes with no extra branch (specs and tools that never seal allocate freely).

import { panic } from "./board";
import { encodeUtf8, scratchA, SCRATCH_SIZE } from "./text";

// @ts-ignore: decorator
@inline const SEAL: u32 = 0xc00f5ea5; // 5 mod 16: never a block size
const UNSEALED: usize = memory.data<u32>([SEAL]);
let sealAt: usize = UNSEALED;

/** The stub runtime's bump pointer, as a payload address (its next block's header is 4 bytes below). Probing does not move it. */
export function heapTop(): usize {
  const p = heap.alloc(0);
  heap.free(p);
  // The probe wrote its block size where the seal is: put the seal back while the heap has not moved.
  if (p - 4 == sealAt) store<u32>(sealAt, SEAL);
  return p;
}

/** Seal the heap at its top now (the board calls it after _start); returns that top, as heapTop does. */
export function sealHeap(): usize {
  const p = heapTop();
  sealAt = p - 4;
  store<u32>(sealAt, SEAL);
  return p;
}

/** True once anything has been allocated since the seal (the executor's check after each poll). */
// @ts-ignore: decorator
@inline export function heapMoved(): bool {
  return load<u32>(sealAt) != SEAL;
}

/** Stop the firmware: the board sees a panic, finds the heap moved, and reports the allocation. */
export function heapFault(): void {
  const m = scratchA();
  panic(m, encodeUtf8("allocation after start-up (the core must not allocate once running)", m, SCRATCH_SIZE), 0, 0, 0, 0);
  unreachable(); // in case a board's panic returns
}
