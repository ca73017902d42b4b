// The core alone: the board ABI exports and nothing else (no tasks), built with
// the project's release target to measure the runtime's own code size.
export * from "../../assembly/coop/abi";
