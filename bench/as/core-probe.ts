// The core alone plus two probes, for the static-memory figures: where the
// heap starts (end of static data) and where it ends after start-up (all the
// runtime's tables are allocated there, once).
export * from "../../assembly/coop/abi";

/** End of the static data segments, where the stub runtime's heap begins. */
export function heap_base(): usize { return __heap_base; }

/** The heap's bump pointer now. */
export function heap_top(): usize {
  const p = heap.alloc(0);
  heap.free(p);
  return p;
}
