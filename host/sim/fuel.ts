// Fuel metering: catches a task whose poll never returns, deterministically
// and for any engine. The module is rewritten with binaryen (a dependency of
// assemblyscript): binaryen's `log-execution` pass puts a call at every
// function entry and loop header; we turn the import it calls into an
// internal function that decrements a global and, when the fuel is gone,
// calls board.panic with a marker (line = 0xFFFFFFFF, col = FUEL_MARKER) and
// then traps. `coop_step` and `_start` are wrapped to refill the tank first,
// so the budget is per call of the board loop. The count does not depend on
// the engine or the wall clock, so the same firmware runs out at the same
// place every time.

import binaryenModule from "binaryen";

// binaryen's typings export a namespace-like default.
const binaryen = binaryenModule as unknown as typeof import("binaryen").default;

/** `col` argument of the panic call made when fuel runs out ("FUEL"). */
export const FUEL_MARKER = 0x4655454c;
/** Trace kind the instrumented module emits after poll begin/end: (FUEL_TRACE_KIND, fuel left, 0). */
export const FUEL_TRACE_KIND = 100;
/** Default fuel per coop_step / _start call: function entries + loop iterations. */
export const DEFAULT_FUEL = 50_000_000;

/** Rewrite a module so each coop_step/_start call may run at most `fuel` function entries + loop iterations. */
export function addFuel(wasm: Uint8Array, fuel = DEFAULT_FUEL): Uint8Array {
  const m = binaryen.readBinary(wasm);
  try {
    m.setFeatures(binaryen.Features.All);
    let panicName: string | null = null;
    for (let i = 0; i < m.getNumFunctions(); i++) {
      const info = binaryen.getFunctionInfo(m.getFunctionByIndex(i));
      if (info.module === "board" && info.base === "panic") panicName = info.name;
    }
    if (panicName === null) {
      // No panic import: add one (the board always provides it).
      panicName = "__coop_board_panic";
      m.addFunctionImport(panicName, "board", "panic", binaryen.createType(Array(6).fill(binaryen.i32)), binaryen.none);
    }
    m.runPasses(["log-execution"]);
    m.removeFunction("log_execution");
    const G = "__coop_fuel";
    const i32 = binaryen.i32;
    m.addGlobal(G, i32, true, m.i32.const(fuel));
    m.addFunction("log_execution", binaryen.createType([i32]), binaryen.none, [], m.block(null, [
      m.global.set(G, m.i32.sub(m.global.get(G, i32), m.i32.const(1))),
      m.if(m.i32.lt_s(m.global.get(G, i32), m.i32.const(0)), m.block(null, [
        m.call(panicName, [m.i32.const(0), m.i32.const(0), m.i32.const(0), m.i32.const(0), m.i32.const(-1), m.i32.const(FUEL_MARKER)], binaryen.none),
        m.unreachable(),
      ])),
    ]));
    // Report the fuel left next to each poll begin/end trace event (kind
    // FUEL_TRACE_KIND, a = fuel left), so the board can charge each poll its
    // work: the import's internal name is re-bound to a wrapper.
    for (let i = 0; i < m.getNumFunctions(); i++) {
      const info = binaryen.getFunctionInfo(m.getFunctionByIndex(i));
      if (info.module !== "board" || info.base !== "trace") continue;
      const real = "__coop_board_trace";
      const p3 = binaryen.createType([i32, i32, i32]);
      m.removeFunction(info.name);
      m.addFunctionImport(real, "board", "trace", p3, binaryen.none);
      const kind = m.local.get(0, i32);
      m.addFunction(info.name, p3, binaryen.none, [], m.block(null, [
        m.call(real, [kind, m.local.get(1, i32), m.local.get(2, i32)], binaryen.none),
        m.if(m.i32.or(m.i32.eq(m.local.get(0, i32), m.i32.const(1)), m.i32.eq(m.local.get(0, i32), m.i32.const(2))),
          m.call(real, [m.i32.const(FUEL_TRACE_KIND), m.global.get(G, i32), m.i32.const(0)], binaryen.none)),
      ]));
      break;
    }
    // Wrap every exported function so each call from the board starts with a
    // full tank (coop_step and _start are the ones that run tasks; wrapping the
    // getters too means asking coop_current_task() after a runaway works).
    const names: string[] = [];
    for (let i = 0; i < m.getNumExports(); i++) {
      const info = binaryen.getExportInfo(m.getExportByIndex(i));
      if (info.kind === binaryen.ExternalFunction) names.push(info.name);
    }
    for (const exp of names) {
      const info = binaryen.getExportInfo(m.getExport(exp));
      const fn = binaryen.getFunctionInfo(m.getFunction(info.value));
      const params = binaryen.expandType(fn.params);
      m.removeExport(exp);
      const wrapper = `__coop_fueled_${exp}`;
      const call = m.call(info.value, params.map((t, i) => m.local.get(i, t)), fn.results);
      m.addFunction(wrapper, fn.params, fn.results, [], m.block(null, [
        m.global.set(G, m.i32.const(fuel)),
        fn.results === binaryen.none ? call : m.return(call),
      ], fn.results));
      m.addFunctionExport(wrapper, exp);
    }
    // No inlining pass: binaryen's inlining took 0.6-1.9 s per load and saved
    // less run time than that even over 8 simulated hours of the demo.
    if (!m.validate()) throw new Error("binaryen: instrumented module does not validate");
    return m.emitBinary();
  } finally {
    m.dispose();
  }
}
