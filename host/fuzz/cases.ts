// Named hostile (and some deliberately fine) modules: the table both gates
// are checked against (tests/host/gate.test.ts), the regression cases the
// fuzz run replays on every engine (host/fuzz/run.ts), and the modules
// build:mcu and the MCU-side gate are tried with (tests/host/qemu-board.test.ts).
// `expect` is the start of the gate's rule, or "ok". Every failure the fuzz
// campaign finds gets a case here (see docs/engines.md, Fuzzing).

import { buildModule, i32Offset, nest, section, sleb, str, u32, vec, type Bytes } from "./wasm.js";
import { GATE_LIMITS } from "../engines/gate.js";

export interface GateCase {
  name: string;
  bytes: () => Uint8Array;
  /** "ok", or a prefix of the refusal rule. */
  expect: string;
  /** Memory cap the gate is run with (bytes), like an MCU build. */
  memoryLimit?: number;
}

const LIMIT_NESTING = GATE_LIMITS.max_nesting;

/** An import of board.irq_quiet, as the ABI has it (mutable i32) unless told otherwise. */
const quiet = (type = 0x7f, mut = 1) => ({ module: "board", field: "irq_quiet", type, mut });

/** coop_step's body wrapped in n blocks. */
const stepNest = (n: number, op = 0x02) => buildModule({ exportBody: { coop_step: [...nest(n, [], op), 0x42, ...sleb(-1)] } });

/** A name section whose function-names subsection claims `size` bytes. */
function nameSection(size: number, payload: Bytes = []): [string, Bytes] {
  return ["name", [0x01, ...u32(size), ...payload]];
}

export const GATE_CASES: GateCase[] = [
  { name: "minimal ABI module", bytes: () => buildModule(), expect: "ok" },
  { name: "not wasm", bytes: () => Uint8Array.from(Buffer.from("this is not wasm")), expect: "not a WebAssembly module" },
  { name: "empty file", bytes: () => new Uint8Array(0), expect: "not a WebAssembly module" },
  { name: "binary version 2", bytes: () => Uint8Array.of(0, 0x61, 0x73, 0x6d, 2, 0, 0, 0), expect: "unsupported WebAssembly binary version 2" },
  { name: "header only", bytes: () => Uint8Array.of(0, 0x61, 0x73, 0x6d, 1, 0, 0, 0), expect: "not a coop firmware: none of the board ABI exports" },
  { name: "unknown section id", bytes: () => Uint8Array.of(0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 99, 1), expect: "unknown section id 99 at byte 8" },
  { name: "section size past the end", bytes: () => Uint8Array.of(0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, 0x7f), expect: "type section at byte 8: its size 127 runs past the end" },
  { name: "section size LEB of 6 bytes", bytes: () => Uint8Array.of(0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00), expect: "module: malformed LEB128 at byte 9" },
  { name: "section size LEB with stray high bits", bytes: () => Uint8Array.of(0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, 0xff, 0xff, 0xff, 0xff, 0x7f), expect: "module: malformed LEB128 at byte 9" },
  { name: "section size near 2^32", bytes: () => Uint8Array.of(0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 0, 0xfb, 0xff, 0xff, 0xff, 0x0f, 4, 0x6e, 0x61, 0x6d, 0x65), expect: "custom section at byte 8: its size 4294967291 runs past the end" },
  { name: "sections out of order", bytes: () => { const m = buildModule(); return Uint8Array.from([...m, ...section(1, vec([]))]); }, expect: "type section at byte" },
  { name: "repeated custom sections are fine", bytes: () => buildModule({ custom: [["a", []], ["b", [1, 2, 3]]] }), expect: "ok" },
  { name: "17 custom sections", bytes: () => buildModule({ custom: Array.from({ length: 17 }, (_, i): [string, Bytes] => [`c${i}`, []]) }), expect: "17 custom sections exceed the limit 16" },
  { name: "custom section name not UTF-8", bytes: () => Uint8Array.from([...buildModule(), ...section(0, [2, 0xc3, 0x28])]), expect: "custom section at byte" },
  // nesting: the C compiler of wasm3 recurses once per level
  { name: `block nesting ${LIMIT_NESTING} (the limit)`, bytes: () => stepNest(LIMIT_NESTING), expect: "ok" },
  { name: `block nesting ${LIMIT_NESTING + 1}`, bytes: () => stepNest(LIMIT_NESTING + 1), expect: `block nesting ${LIMIT_NESTING + 1} exceeds the limit ${LIMIT_NESTING} (function 3)` },
  { name: "loop nesting 1000", bytes: () => stepNest(1000, 0x03), expect: `block nesting 1000 exceeds the limit ${LIMIT_NESTING} (function 3)` },
  { name: "block nesting 50000", bytes: () => stepNest(50000), expect: `block nesting 50000 exceeds the limit ${LIMIT_NESTING} (function 3)` },
  { name: "if nesting 100", bytes: () => buildModule({ exportBody: { coop_step: [...Array.from({ length: 100 }, () => [0x41, 0x01, 0x04, 0x40]).flat(), ...new Array(100).fill(0x0b), 0x42, 0x00] } }), expect: `block nesting 100 exceeds the limit ${LIMIT_NESTING} (function 3)` },
  { name: "else without if", bytes: () => buildModule({ exportBody: { coop_step: [0x02, 0x40, 0x05, 0x0b, 0x42, 0x00] } }), expect: "function 3: else without its if" },
  { name: "body ends inside a block", bytes: () => buildModule({ exportBody: { coop_step: [0x02, 0x40, 0x42, 0x00] } }), expect: "function 3: the body ends inside a block" },
  { name: "branch depth out of range", bytes: () => buildModule({ exportBody: { coop_step: [0x0c, 0x05] } }), expect: "function 3: branch depth 5 out of range" },
  { name: "br_table of 100000 targets", bytes: () => buildModule({ exportBody: { coop_step: [0x41, 0x00, 0x0e, ...u32(100000), 0x42, 0x00] } }), expect: "function 3: br_table of 100000 targets exceeds the limit 1024" },
  { name: "call out of range", bytes: () => buildModule({ exportBody: { _start: [0x10, ...u32(999)] } }), expect: "function 1: call to function 999 out of range" },
  { name: "SIMD opcode", bytes: () => buildModule({ exportBody: { _start: [0xfd, 0x0c] } }), expect: "function 1: unsupported opcode 0xfd" },
  { name: "tail call opcode", bytes: () => buildModule({ exportBody: { _start: [0x12, 0x01] } }), expect: "function 1: unsupported opcode 0x12" },
  { name: "memory.init", bytes: () => buildModule({ exportBody: { _start: [0x41, 0, 0x41, 0, 0x41, 0, 0xfc, 0x08, 0x00, 0x00] } }), expect: "function 1: unsupported opcode 0xfc 8" },
  { name: "local index out of range", bytes: () => buildModule({ exportBody: { coop_step: [0x20, 0x07, 0x1a, 0x42, 0x00] } }), expect: "function 3: local index 7 out of range" },
  { name: "300 locals", bytes: () => buildModule({ funcs: [{ sig: "v()", body: [], locals: [[300, 0x7f]] }] }), expect: "function 12: 300 locals exceed the limit 256" },
  { name: "local count near 2^32 twice", bytes: () => buildModule({ funcs: [{ sig: "v()", body: [], locals: [[0xffffffff, 0x7f], [0xffffffff, 0x7f]] }] }), expect: "function 12: 4294967295 locals exceed the limit 256" },
  { name: "over-aligned load", bytes: () => buildModule({ exportBody: { coop_step: [0x41, 0x00, 0x29, 0x04, 0x00] } }), expect: "function 3: alignment 2^4 exceeds the access size" },
  // memory and data
  { name: "4 GiB initial memory", bytes: () => buildModule({ memory: { min: 65536 } }), expect: "memory 0: initial size 65536 pages exceeds the limit 256 pages" },
  { name: "memory maximum over 4 GiB", bytes: () => buildModule({ memory: { min: 1, max: 70000 } }), expect: "memory 0: maximum 70000 pages exceeds 65536" },
  { name: "shared memory flag", bytes: () => buildModule({ memory: { min: 1, max: 1, flag: 3 } }), expect: "memory 0: limits flag 0x03 is not supported" },
  { name: "no memory at all", bytes: () => buildModule({ memory: null }), expect: "not a coop firmware: missing ABI export memory" },
  { name: "memory not exported", bytes: () => buildModule({ exportMemory: false }), expect: "not a coop firmware: missing ABI export memory" },
  { name: "data segment at 2^32 - 16, 64 bytes (wraps 32-bit bounds checks)", bytes: () => buildModule({ data: [{ offset: i32Offset(-16), bytes: 64 }] }), expect: "data segment 0 ends at byte 4294967344, past the initial memory of 65536 bytes" },
  { name: "data segment claiming 4 GiB of bytes", bytes: () => { const m = [...buildModule()]; return Uint8Array.from([...m, ...section(11, [1, 0, ...i32Offset(0), ...u32(0xfffffff0)])]); }, expect: "data section: unexpected end at byte" },
  { name: "data segment just past one page", bytes: () => buildModule({ data: [{ offset: i32Offset(65530), bytes: 7 }] }), expect: "data segment 0 ends at byte 65537, past the initial memory of 65536 bytes" },
  { name: "data past the memory limit", bytes: () => buildModule({ data: [{ offset: i32Offset(8000), bytes: 200 }] }), memoryLimit: 8192, expect: "data segment 0 ends at byte 8200, past the memory limit 8192 bytes" },
  { name: "data inside the memory limit", bytes: () => buildModule({ data: [{ offset: i32Offset(8000), bytes: 192 }] }), memoryLimit: 8192, expect: "ok" },
  { name: "passive data segment", bytes: () => buildModule({ data: [{ offset: [], bytes: 4, flags: 1 }] }), expect: "data segment 0: only active segments of memory 0 are supported (flags 1" },
  // custom name section (wasm3 loops forever on a 32-bit MCU when a subsection length wraps)
  { name: "name section subsection length near 2^32", bytes: () => buildModule({ custom: [nameSection(0xfffffff0, [0x00])] }), expect: "name section: subsection 1 at byte" },
  { name: "name section subsection length past the section", bytes: () => buildModule({ custom: [nameSection(50, [0x00])] }), expect: "name section: subsection 1 at byte" },
  { name: "name section function index out of range", bytes: () => { const p = [...u32(1), ...u32(5000), ...str("abc")]; return buildModule({ custom: [["name", [0x01, ...u32(p.length), ...p]]] }); }, expect: "name section: function index 5000 out of range" },
  { name: "good name section", bytes: () => { const p = [...u32(1), ...u32(1), ...str("abc")]; return buildModule({ custom: [["name", [0x01, ...u32(p.length), ...p]]] }); }, expect: "ok" },
  { name: "two name sections", bytes: () => buildModule({ custom: [["name", []], ["name", []]] }), expect: "a second name section" },
  // ABI: imports, exports, start
  { name: "wasm start function", bytes: () => buildModule({ start: 1 }), expect: "the module has a wasm start function (function 1)" },
  { name: "coop_step returning i32", bytes: () => buildModule({ exportSig: { coop_step: "i()" } }), expect: "export coop_step has the wrong signature () -> i32, board ABI v1 has () -> i64" },
  { name: "_start taking an argument", bytes: () => buildModule({ exportSig: { _start: "v(i)" } }), expect: "export _start has the wrong signature (i32) -> (), board ABI v1 has () -> ()" },
  { name: "missing coop_step", bytes: () => buildModule({ dropExport: ["coop_step"] }), expect: "not a coop firmware: missing ABI export coop_step" },
  { name: "board.now returning i32", bytes: () => buildModule({ imports: [{ module: "board", field: "now", sig: "i()" }] }), expect: "import board.now has the wrong signature () -> i32, board ABI v1 has () -> i64" },
  { name: "board.uart_write with two params", bytes: () => buildModule({ imports: [{ module: "board", field: "uart_write", sig: "i(ii)" }] }), expect: "import board.uart_write has the wrong signature (i32, i32) -> i32" },
  { name: "env.abort import", bytes: () => buildModule({ imports: [{ module: "env", field: "abort", sig: "v(iiii)" }] }), expect: "imports env.abort (function), which this board does not provide" },
  { name: "unknown board import", bytes: () => buildModule({ imports: [{ module: "board", field: "teleport", sig: "v(i)" }] }), expect: "imports board.teleport (function), which this board does not provide" },
  { name: "import name with control bytes", bytes: () => buildModule({ imports: [{ module: "bo\nard", field: "x\x1b[2J", sig: "v()" }] }), expect: "imports bo?ard.x?[2J (function)" },
  { name: "duplicate export name", bytes: () => buildModule({ funcs: [{ sig: "v()", body: [], export: "_start" }] }), expect: "export name _start is used twice" },
  { name: "extra exports are fine", bytes: () => buildModule({ funcs: [{ sig: "I(i)", body: [0x42, 0x00], export: "bench_now" }] }), expect: "ok" },
  { name: "table with an element segment", bytes: () => buildModule({ table: { min: 2 }, elements: [[0x00, ...i32Offset(0), ...vec([u32(1), u32(2)])]] }), expect: "ok" },
  { name: "element segment past the table", bytes: () => buildModule({ table: { min: 1 }, elements: [[0x00, ...i32Offset(-1), ...vec([u32(1)])]] }), expect: "element segment 0: entries 4294967295..4294967296 run past the table's 1" },
  // board.irq_quiet, the ABI's one global: a mutable i32, first in the global index space
  { name: "board.irq_quiet read by _start", bytes: () => buildModule({ importGlobals: [quiet()], exportBody: { _start: [0x23, 0x00, 0x1a] } }), expect: "ok" },
  { name: "board.irq_quiet and a defined global", bytes: () => buildModule({ importGlobals: [quiet()], globals: [[0x7f, 0x01, 0x41, 0x00, 0x0b]], exportBody: { _start: [0x23, 0x01, 0x1a] } }), expect: "ok" },
  { name: "global index past board.irq_quiet and the defined one", bytes: () => buildModule({ importGlobals: [quiet()], globals: [[0x7f, 0x01, 0x41, 0x00, 0x0b]], exportBody: { _start: [0x23, 0x02, 0x1a] } }), expect: "function 1: global index 2 out of range" },
  { name: "board.irq_quiet immutable", bytes: () => buildModule({ importGlobals: [quiet(0x7f, 0)] }), expect: "import board.irq_quiet is an immutable i32 global, board ABI v1 has a mutable i32 one" },
  { name: "board.irq_quiet of type i64", bytes: () => buildModule({ importGlobals: [quiet(0x7e)] }), expect: "import board.irq_quiet is a mutable i64 global, board ABI v1 has a mutable i32 one" },
  { name: "unknown board global", bytes: () => buildModule({ importGlobals: [{ module: "board", field: "speed", type: 0x7f, mut: 1 }] }), expect: "imports board.speed (global), which this board does not provide" },
  { name: "board function imported as a global", bytes: () => buildModule({ importGlobals: [{ module: "board", field: "irq_take", type: 0x7f, mut: 1 }] }), expect: "imports board.irq_take (global), which this board does not provide" },
  { name: "board.irq_quiet imported as a function", bytes: () => buildModule({ imports: [{ module: "board", field: "irq_quiet", sig: "i()" }] }), expect: "imports board.irq_quiet (function), which this board does not provide" },
  { name: "global initialised by another type", bytes: () => buildModule({ globals: [[0x7f, 0x00, 0x42, 0x00, 0x0b]] }), expect: "global 0: initializer is not a constant of its type" },
];

/** The hostile modules build:mcu must refuse before embedding, and the MCU-side gate must refuse at boot. */
export const MCU_CASES = ["block nesting 50000", "loop nesting 1000", "data segment at 2^32 - 16, 64 bytes (wraps 32-bit bounds checks)", "name section subsection length near 2^32", "wasm start function", "4 GiB initial memory"];

export function gateCase(name: string): GateCase {
  const c = GATE_CASES.find((k) => k.name === name);
  if (!c) throw new Error(`no gate case ${name}`);
  return c;
}

/**
 * Found by the fuzz harness, not the gate's to fix: the simulator's liveness
 * (the host half of issue 11). Both pass the gate; they hung `coop run` on
 * both engines (virtual time stopped advancing) until the simulator's stall
 * detection, which now ends them with exit 4. Every campaign runs them.
 */
export const LIVENESS_CASES: GateCase[] = [
  { name: "coop_step returns a deadline already past, forever", bytes: () => buildModule({ exportBody: { coop_step: [0x42, ...sleb(1000)] } }), expect: "ok" },
  {
    name: "UART TX interrupt raised and never taken",
    bytes: () => buildModule({ exportBody: { coop_step: [0x41, 0x00, 0x41, 0x00, 0x41, 0x01, 0x10, 0x00, 0x1a, 0x42, ...sleb(-1)] } }),
    expect: "ok",
  },
];
