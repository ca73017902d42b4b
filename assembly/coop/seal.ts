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
// A task aborting itself writes ABORT_MARK into the same word, so that one
// check after a poll also ends a self-aborted task (no second test per poll).

import { panic } from "./board";
import { encodeUtf8, scratchA, SCRATCH_SIZE } from "./text";

// @ts-ignore: decorator
@inline const SEAL: u32 = 0xc00f5ea5; // 5 mod 16: never a block size
// 1 mod 16: never a block size either, so an allocation after a self-abort still shows.
// @ts-ignore: decorator
@inline const ABORT_MARK: u32 = 0xc00fab01;
const UNSEALED: usize = memory.data<u32>([SEAL]);
let sealAt: usize = UNSEALED;

/** The stub runtime's bump pointer, as a payload address (its next block's header is 4 bytes below). Probing does not move it. */
export function heapTop(): usize {
  const word = load<u32>(sealAt); // SEAL, or ABORT_MARK during a self-aborting poll
  const p = heap.alloc(0);
  heap.free(p);
  // The probe wrote its block size where the seal is: put the word back while the heap has not moved.
  if (p - 4 == sealAt) store<u32>(sealAt, word);
  return p;
}

/** Seal the heap at its top now (the board calls it after _start); returns that top, as heapTop does. */
export function sealHeap(): usize {
  const p = heapTop();
  sealAt = p - 4;
  store<u32>(sealAt, SEAL);
  return p;
}

/**
 * The executor's one check after each poll: true once anything has been
 * allocated since the seal, or when the polled task aborted itself
 * (markSelfAbort). pollEndNoted tells the two apart.
 */
// @ts-ignore: decorator
@inline export function pollEndFlagged(): bool {
  return load<u32>(sealAt) != SEAL;
}

/** A task aborts itself: flag the end of its poll. If the heap has already moved the word stays a block size, so the allocation is still reported. */
export function markSelfAbort(): void {
  if (load<u32>(sealAt) == SEAL) store<u32>(sealAt, ABORT_MARK);
}

/**
 * After a flagged poll: stops the firmware (heapFault) if the poll allocated;
 * otherwise the flag was a self-abort's, and the seal is put back.
 */
export function pollEndNoted(): void {
  if (load<u32>(sealAt) != ABORT_MARK) heapFault();
  store<u32>(sealAt, SEAL);
}

/** Stop the firmware: the board sees a panic, finds the heap moved, and reports the allocation. */
export function heapFault(): void {
  const m = scratchA();
  panic(m, encodeUtf8("allocation after start-up (the core must not allocate once running)", m, SCRATCH_SIZE), 0, 0, 0, 0);
  unreachable(); // in case a board's panic returns
}
