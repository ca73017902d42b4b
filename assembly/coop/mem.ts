// Measuring the runtime's own RAM: the bytes a heap object occupies in linear
// memory under the stub runtime (block header, object header, payload and
// alignment padding). Used by the RAM figures in docs/runtime.md and their
// spec; nothing in the scheduling path calls it.

/** Linear-memory bytes taken by the heap object `ref` (0 for null): the 4-byte block header plus the block's size as the allocator recorded it. */
export function objectBytes<T>(ref: T): usize {
  const p = changetype<usize>(ref);
  if (p == 0) return 0;
  // Stub runtime layout: [mmInfo u32][16-byte object header][payload]; mmInfo
  // holds the block's size after the mmInfo word, padding included.
  return <usize>load<u32>(p - 20) + 4;
}
