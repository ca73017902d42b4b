// The asc transform that gives firmware `async function` and `await`
// (docs/runtime.md, "async functions"). Two steps:
// 1. text (lexer.ts): before each user file is parsed, `async` becomes spaces
//    and `await` becomes `yield`, keeping lines and columns; the original text
//    is put back on the Source so diagnostics quote what the user wrote;
// 2. AST (lower.ts): after parsing, each async function becomes a Future class
//    and a factory function.
// It is passed to asc by host/build.ts (every firmware build, `coop build`)
// and named in the as-pect configs. COOP_ASYNC_PRINT=1 prints the generated
// code of every lowered function (to stderr), for debugging.

import { Node, NodeKind, Range, ASTBuilder } from "assemblyscript";
import type { Parser, Source, Program } from "assemblyscript";
import { rewriteAsync, type Rewrite } from "./lexer.js";
import { Lowering, TRANSFORM_CODE, splitPrologue, eachChildNode, type AsyncFn } from "./lower.js";

/* eslint-disable @typescript-eslint/no-explicit-any */
type N = any;

export default class AsyncTransform {
  // asc sets these on the prototype before constructing the transform.
  declare program: Program;
  private readonly rewrites = new Map<string, { original: string; rw: Rewrite }>();

  constructor() {
    const parser: any = this.program.parser;
    const parseFile = parser.parseFile.bind(parser);
    parser.parseFile = (text: string | null, path: string, isEntry: boolean) => {
      if (text === null || path.startsWith("~lib/") || !/\b(async|await|yield|Promise)\b/.test(text)) return parseFile(text, path, isEntry);
      const rw = rewriteAsync(text);
      parseFile(rw.text, path, isEntry);
      const src: Source | undefined = parser.sources.find((s: Source) => s.normalizedPath === path);
      if (src) (src as any).text = text;
      this.rewrites.set(path, { original: text, rw });
    };
  }

  afterParse(parser: Parser): void {
    try {
      this.lowerAll(parser);
    } catch (e) {
      // asc would report a transform's exception without its stack: say where the lowering failed.
      process.stderr.write(`coop async transform: internal error: ${(e as Error).stack ?? e}\n`);
      throw e;
    }
  }

  private lowerAll(parser: Parser): void {
    const p: any = parser;
    const error = (range: Range, message: string) => p.error(TRANSFORM_CODE, range, "async", message);
    const at = (src: Source, start: number, len: number) => { const r = new Range(start, start + len); r.source = src; return r; };

    // Every async function of the program, by name (imports are matched by name).
    const all = new Map<string, AsyncFn>();
    const bySource = new Map<Source, AsyncFn[]>();
    for (const src of p.sources as Source[]) {
      const rec = this.rewrites.get(src.normalizedPath);
      if (!rec) continue;
      for (const pos of rec.rw.refusedAsync) error(at(src, pos, 5), "only top-level `async function` declarations are supported (no async methods or arrow functions): write `async function name(...): Promise<T>`");
      for (const pos of rec.rw.userYields) error(at(src, pos, 5), "AssemblyScript has no generators: `yield` is not supported (for a task that yields to others, await yieldNow)");
      const names = new Set(rec.rw.asyncNames);
      const found = new Set<number>();
      for (const s of src.statements as N[]) {
        if (s.kind !== NodeKind.FunctionDeclaration || !names.has(s.name.range.start)) continue;
        found.add(s.name.range.start);
        const fn = this.describe(s, src, error);
        if (!fn) continue;
        all.set(fn.name, fn);
        (bySource.get(src) ?? bySource.set(src, []).get(src)!).push(fn);
      }
      for (const pos of names) if (!found.has(pos)) error(at(src, pos, 1), "only top-level `async function` declarations are supported (not inside a namespace, class or function)");
      // An await outside any async function.
      for (const pos of rec.rw.awaits) {
        const inside = (bySource.get(src) ?? []).some((f) => pos >= f.decl.range.start && pos < f.decl.range.end);
        if (!inside) error(at(src, pos, 5), "await is only allowed inside an `async function`");
      }
    }
    if (!all.size) return;

    // Class declarations by name, for the types of method chains (a name declared twice is left out).
    const classes = new Map<string, N>();
    const twice = new Set<string>();
    for (const src of p.sources as Source[]) {
      for (const s of src.statements as N[]) {
        if (s.kind !== NodeKind.ClassDeclaration) continue;
        if (classes.has(s.name.text)) twice.add(s.name.text);
        classes.set(s.name.text, s);
      }
    }
    for (const n of twice) classes.delete(n);
    const print = process.env.COOP_ASYNC_PRINT === "1";
    for (const [src, fns] of bySource) {
      const imports = new Set<string>();
      const resolve = (name: string): AsyncFn | null => {
        const local = fns.find((f) => f.name === name);
        if (local) return local;
        const foreign = this.importedName(src, name);
        return foreign !== null ? all.get(foreign) ?? null : null;
      };
      for (const fn of fns) {
        const low = new Lowering(fn, all, resolve, classes, !!(this.program as any).options?.debugInfo, { error });
        const out = low.lower();
        if (!out) continue;
        for (const n of low.imports) imports.add(n);
        const i = src.statements.indexOf(fn.decl as N);
        src.statements.splice(i, 0, ...out);
        if (print) {
          process.stderr.write(`// ---- ${src.normalizedPath}: async function ${fn.name}, lowered ----\n`);
          for (const n of [...out, fn.decl]) process.stderr.write(ASTBuilder.build(n) + "\n");
        }
      }
      this.importClasses(src, imports, all);
    }
    // spawn(f(...)) without a name: the task is named after the async function.
    for (const src of p.sources as Source[]) {
      if (!bySource.has(src) && !this.rewrites.has(src.normalizedPath)) continue;
      const visit = (n: N): void => {
        if (!n || typeof n !== "object") return;
        if (n.kind === NodeKind.Call && n.expression.kind === NodeKind.Identifier && n.expression.text === "spawn" && n.args.length === 1) {
          const a = n.args[0];
          if (a.kind === NodeKind.Call && a.expression.kind === NodeKind.Identifier && all.has(this.importedName(src, a.expression.text) ?? a.expression.text)) {
            n.args.push(Node.createStringLiteralExpression(a.expression.text, a.range));
          }
        }
        eachChildNode(n, (c) => { visit(c); });
      };
      src.statements.forEach(visit);
    }
    // Promise<T> in a type position: the machine of any async function returning T.
    for (const src of p.sources as Source[]) {
      if (this.rewrites.has(src.normalizedPath)) src.statements.forEach(rewritePromiseTypes);
    }
    // Re-exports of async functions (`export { sleep } from "./x"`) carry their classes along.
    for (const src of p.sources as Source[]) {
      for (const s of src.statements as N[]) {
        if (s.kind !== NodeKind.Export || !s.members) continue;
        for (const m of [...s.members]) {
          const fn = all.get(m.localName.text);
          if (!fn || s.members.some((x: N) => x.localName.text === fn.className)) continue;
          s.members.push(Node.createExportMember(Node.createIdentifierExpression(fn.className, m.range), Node.createIdentifierExpression(m.exportedName.text + "$Future", m.range), m.range));
        }
      }
    }
  }

  /** Checks the signature of an async function and records what its callers need. */
  private describe(decl: N, src: Source, error: (r: Range, m: string) => void): AsyncFn | null {
    const rt = decl.signature.returnType;
    const promise = rt && rt.kind === NodeKind.NamedType && rt.name.identifier.text === "Promise" && !rt.name.next;
    if (!promise || !rt.typeArguments || rt.typeArguments.length !== 1) {
      error(rt ? rt.range : decl.name.range, `an async function returns Promise<T>: write \`async function ${decl.name.text}(...): Promise<void>\` (or Promise<i32>, ...)`);
      return null;
    }
    const t = rt.typeArguments[0];
    const isVoid = t.kind === NodeKind.NamedType && t.name.identifier.text === "void";
    const paramNames: string[] = decl.signature.parameters.map((q: N) => q.name.text);
    const body: N[] = decl.body ? decl.body.statements : [];
    const [prologue] = splitPrologue(body);
    const usesParams = prologue.some((s) => mentions(s, new Set(paramNames)));
    return {
      name: decl.name.text,
      className: `${decl.name.text}$Future`,
      decl,
      source: src,
      result: isVoid ? null : t,
      prologueUsesParams: usesParams,
      paramNames,
    };
  }

  /** The exported name behind a local imported name, or null if not imported. */
  private importedName(src: Source, local: string): string | null {
    for (const s of src.statements as N[]) {
      if (s.kind !== NodeKind.Import || !s.declarations) continue;
      for (const d of s.declarations) if (d.name.text === local) return d.foreignName.text;
    }
    return null;
  }

  /** Adds `f$Future` to the import that brought in `f`, for each awaited foreign async function. */
  private importClasses(src: Source, names: Set<string>, all: Map<string, AsyncFn>): void {
    for (const local of names) {
      for (const s of src.statements as N[]) {
        if (s.kind !== NodeKind.Import || !s.declarations) continue;
        const d = s.declarations.find((x: N) => x.name.text === local);
        if (!d) continue;
        const fn = all.get(d.foreignName.text);
        if (!fn) break; // imported under an alias of a re-export: the generic await path serves it
        if (s.declarations.some((x: N) => x.name.text === `${local}$Future`)) break;
        s.declarations.push(Node.createImportDeclaration(Node.createIdentifierExpression(fn.className, d.range), Node.createIdentifierExpression(`${local}$Future`, d.range), d.range));
        break;
      }
    }
  }
}

/** Replaces every `Promise<T>` type node below n by `__CoopAsyncOf<T>` (`__CoopAsync` for void). */
function rewritePromiseTypes(n: N): void {
  eachChildNode(n, (t) => {
    if (t.kind === NodeKind.NamedType && t.name.identifier.text === "Promise" && !t.name.next && t.typeArguments?.length === 1) {
      const arg = t.typeArguments[0];
      rewritePromiseTypes(arg);
      const isVoid = arg.kind === NodeKind.NamedType && arg.name.identifier.text === "void";
      return Node.createNamedType(Node.createSimpleTypeName(isVoid ? "__CoopAsync" : "__CoopAsyncOf", t.range), isVoid ? null : [arg], t.isNullable, t.range);
    }
    rewritePromiseTypes(t);
  });
}

function mentions(n: N, names: Set<string>): boolean {
  let found = false;
  const seen = (x: N): void => {
    if (!x || found || typeof x !== "object") return;
    if (x.kind === NodeKind.Identifier && names.has(x.text)) { found = true; return; }
    eachChildNode(x, (c) => { seen(c); }, ["property"]);
  };
  seen(n);
  return found;
}


