// The AST step of the async lowering: every `async function f(params):
// Promise<R>` becomes
//
//   class f$Future extends __CoopAsyncOf<R> { // one class per async function (__CoopAsync for void)
//     value: R (inherited)                      // the returned value
//     <params>; <locals that live across an await>; <inner machines>
//     poll($w: i32): bool { while (true) switch (this.$s) { case 0: ... } }
//     cancel(): void { <what the current await borrows>; this.$release(); }
//     $release(): void { <cancel every owned future>; this.$s = 0; }
//                                               // (cancel is the release itself when no await borrows)
//     static idle(): f$Future { ... }          // when the prologue ignores the params
//   }
//   function f(params): f$Future { <prologue>; return new f$Future(...); }
//
// The prologue (the leading declarations, before any other statement) runs when f is called, at
// init. The rest is split at each await into the cases of `poll`, the shape
// of TypeScript's ES5 generator downlevel: "set state, continue" is a jump,
// "set state, return false" a suspension. The user's own nodes are kept in
// the generated code, so every diagnostic and source-map line is theirs.
// docs/runtime.md ("async functions") is the user-facing description.

import { Node, NodeKind, Token, CommonFlags, Range, DiagnosticCode } from "assemblyscript";
import { readFileSync } from "node:fs";
import type { Source, FunctionDeclaration, TypeNode } from "assemblyscript";

// The AST is walked generically (by kind); `any` keeps the walker short.
/* eslint-disable @typescript-eslint/no-explicit-any */
type N = any;

/** The module gate's nesting limit: one definition, boards/wasm3/gate.json (this file is build/js/host/async/lower.js). */
const MAX_NESTING: number = JSON.parse(readFileSync(new URL("../../../../boards/wasm3/gate.json", import.meta.url), "utf8")).limits.max_nesting;

/** What the transform knows about one async function. */
export interface AsyncFn {
  name: string;
  className: string;
  decl: FunctionDeclaration;
  source: Source;
  /** The declared R of Promise<R>, or null for Promise<void>. */
  result: TypeNode | null;
  /** The prologue reads a parameter: an inner call must build it with real arguments. */
  prologueUsesParams: boolean;
  paramNames: string[];
}

export interface Reporter { error(range: Range, message: string): void; }

const AWAIT_RULE =
  "await may stand only as a statement (await x;), as an initializer (const v = await f();), " +
  "on the right of an assignment (v = await f();) or after return (return await f();)";

// ---- small node builders (ranges borrowed from user nodes) -----------------

const id = (name: string, r: Range): N => Node.createIdentifierExpression(name, r);
const self = (r: Range): N => Node.createThisExpression(r);
const field = (name: string, r: Range): N => Node.createPropertyAccessExpression(self(r), id(name, r), r);
const prop = (e: N, name: string, r: Range): N => Node.createPropertyAccessExpression(e, id(name, r), r);
const call = (callee: N, args: N[], r: Range, typeArgs: N[] | null = null): N => Node.createCallExpression(callee, typeArgs, args, r);
const int = (v: number, r: Range): N => Node.createIntegerLiteralExpression(i64(v), r);
const assign = (l: N, e: N, r: Range): N => Node.createExpressionStatement(Node.createBinaryExpression(Token.Equals, l, e, r));
const exprStmt = (e: N): N => Node.createExpressionStatement(e);
const block = (s: N[], r: Range): N => Node.createBlockStatement(s, r);
const ret = (e: N | null, r: Range): N => Node.createReturnStatement(e, r);
const named = (name: string, r: Range, args: N[] | null = null): N =>
  Node.createNamedType(Node.createSimpleTypeName(name, r), args, false, r);
const not = (e: N, r: Range): N => Node.createUnaryPrefixExpression(Token.Exclamation, Node.createParenthesizedExpression(e, r), r);
const ifThen = (c: N, t: N, r: Range): N => Node.createIfStatement(c, t, null, r);
/** i64 literal values: the compiler's JS build represents i64 as a {low, high} pair. */
function i64(v: number): any { return (globalThis as any).i64_new ? (globalThis as any).i64_new(v, 0) : BigInt(v); }

const isAwait = (e: N): boolean => e && e.kind === NodeKind.UnaryPrefix && e.operator === Token.Yield;

/** Calls fn on every direct child expression/statement of n (not into nested functions or classes). */
function children(n: N, fn: (c: N) => void): void {
  if (!n) return;
  const each = (a: N[] | null) => { if (a) for (const c of a) fn(c); };
  switch (n.kind) {
    case NodeKind.Assertion: fn(n.expression); break;
    case NodeKind.Binary: fn(n.left); fn(n.right); break;
    case NodeKind.Call: fn(n.expression); each(n.args); break;
    case NodeKind.Comma: each(n.expressions); break;
    case NodeKind.ElementAccess: fn(n.expression); fn(n.elementExpression); break;
    case NodeKind.InstanceOf: fn(n.expression); break;
    case NodeKind.Literal:
      if (n.elementExpressions) each(n.elementExpressions);
      if (n.values) each(n.values);
      if (n.expressions) each(n.expressions);
      break;
    case NodeKind.New: each(n.args); break;
    case NodeKind.Parenthesized: fn(n.expression); break;
    case NodeKind.PropertyAccess: fn(n.expression); break;
    case NodeKind.Ternary: fn(n.condition); fn(n.ifThen); fn(n.ifElse); break;
    case NodeKind.UnaryPostfix: case NodeKind.UnaryPrefix: fn(n.operand); break;
    case NodeKind.Block: each(n.statements); break;
    case NodeKind.Do: fn(n.body); fn(n.condition); break;
    case NodeKind.Expression: fn(n.expression); break;
    case NodeKind.For: fn(n.initializer); fn(n.condition); fn(n.incrementor); fn(n.body); break;
    case NodeKind.ForOf: fn(n.variable); fn(n.iterable); fn(n.body); break;
    case NodeKind.If: fn(n.condition); fn(n.ifTrue); fn(n.ifFalse); break;
    case NodeKind.Return: fn(n.value); break;
    case NodeKind.Switch: fn(n.condition); for (const c of n.cases) { fn(c.label); each(c.statements); } break;
    case NodeKind.Throw: fn(n.value); break;
    case NodeKind.Variable: for (const d of n.declarations) fn(d.initializer); break;
    case NodeKind.Void: fn(n.expression); break;
    case NodeKind.While: fn(n.condition); fn(n.body); break;
  }
}

/**
 * The prologue is the leading declarations before the first await: what the
 * function builds once, when it is called. Everything from the first other
 * statement (or the first await) on is the run, executed at every start, so
 * an awaited helper's statements run at each await, as in JavaScript.
 */
export function splitPrologue(body: N[]): [N[], N[]] {
  let i = 0;
  while (i < body.length && body[i].kind === NodeKind.Variable && !hasAwait(body[i])) i++;
  return [body.slice(0, i), body.slice(i)];
}

/** Does the subtree contain an await (not looking into nested functions)? */
function hasAwait(n: N): boolean {
  if (!n) return false;
  if (isAwait(n)) return true;
  let found = false;
  children(n, (c) => { if (!found && hasAwait(c)) found = true; });
  return found;
}

/** Replaces children in place: fn returns the replacement of each child expression. */
function mapChildren(n: N, fn: (c: N) => N): void {
  const each = (a: N[] | null) => { if (a) for (let i = 0; i < a.length; i++) a[i] = fn(a[i]); };
  switch (n.kind) {
    case NodeKind.Assertion: n.expression = fn(n.expression); break;
    case NodeKind.Binary: n.left = fn(n.left); n.right = fn(n.right); break;
    case NodeKind.Call: n.expression = fn(n.expression); each(n.args); break;
    case NodeKind.Comma: each(n.expressions); break;
    case NodeKind.ElementAccess: n.expression = fn(n.expression); n.elementExpression = fn(n.elementExpression); break;
    case NodeKind.InstanceOf: n.expression = fn(n.expression); break;
    case NodeKind.Literal:
      if (n.elementExpressions) each(n.elementExpressions);
      if (n.values) each(n.values);
      if (n.expressions) each(n.expressions);
      break;
    case NodeKind.New: each(n.args); break;
    case NodeKind.Parenthesized: n.expression = fn(n.expression); break;
    case NodeKind.PropertyAccess: n.expression = fn(n.expression); break;
    case NodeKind.Ternary: n.condition = fn(n.condition); n.ifThen = fn(n.ifThen); n.ifElse = fn(n.ifElse); break;
    case NodeKind.UnaryPostfix: case NodeKind.UnaryPrefix: n.operand = fn(n.operand); break;
  }
}

// ---- bindings: which declaration each identifier names ----------------------

type BindingKind = "param" | "prologue" | "run";
interface Binding {
  name: string;
  kind: BindingKind;
  decl: N;            // ParameterNode or VariableDeclaration
  pos: number;        // where it is declared
  uses: { pos: number; branch: Branch[] }[]; // its uses in the run
  field: string | null; // the machine field it lives in, once decided
  force?: boolean;
  written?: boolean;  // assigned somewhere in the run    // a split for-loop's own variable: lives across its awaits whatever the positions say
  type: N | null;     // its type node, once decided
}

interface Loop { start: number; end: number; }
interface Branch { node: N; side: boolean; }
/** A place in the state machine: `uses` are the integer literals that name its state. */
interface Label { uses: N[]; state: number; }

/** Lowers one async function. */
export class Lowering {
  private readonly r: Range;
  private readonly bindings = new Map<N, Binding>();     // declaration node -> binding
  private readonly refs = new Map<N, Binding>();         // identifier node -> binding
  private readonly awaitPos: { pos: number; branch: Branch[] }[] = [];
  /** The if-branches the scan is inside: an await in one branch is never followed by a use in the other. */
  private branch: Branch[] = [];
  private readonly splitLoops: Loop[] = [];
  // Names the machine itself uses: a user variable of the same name gets a suffix.
  private readonly fieldNames = new Set<string>(["$s", "value", "poll", "cancel", "awaitSite", "$release", "idle", "constructor"]);
  private readonly fields: { name: string; type: N; init: N | null; ctor: boolean }[] = [];
  private readonly owned: string[] = [];
  private readonly restart: N[] = [];
  private readonly params: Binding[] = [];
  private readonly prologueTop = new Map<string, Binding>();
  private readonly inner = new Map<string, string>();   // callee (or callee@site) -> field
  private readonly innerCtor: { field: string; expr: N }[] = [];
  private readonly siteCancels: { state: Label; stmt: N }[] = [];
  private readonly sites: { state: Label; line: number }[] = [];
  private tempCount = 0;
  private readonly typedTemps = new Map<string, string>();
  // emission
  /** `fallIn`: the case can be entered by falling through from the one before, so `$s` may still name that one. */
  private cases: { id: number; body: N[]; fallIn: boolean }[] = [];
  private cur: N[] = [];
  /** Whether `cur` is the body of the last case (false: a branch block nested inside an earlier case). */
  private atTop = true;
  /** The code being emitted cannot be reached (after a jump or return, before a label anything jumps to). */
  private dead = false;
  private readonly labels: Label[] = [];
  private readonly jumps = new Map<N, Label>();
  /** The split loops and switches around the code being emitted: where break and continue jump. */
  private ctx: { brk: Label; cont: Label | null }[] = [];
  private readonly extraImports = new Set<string>();

  constructor(
    private readonly fn: AsyncFn,
    private readonly all: Map<string, AsyncFn>,
    private readonly resolveCallee: (name: string) => AsyncFn | null,
    private readonly classes: Map<string, N>,
    private readonly debug: boolean,
    private readonly report: Reporter,
  ) {
    this.r = fn.decl.range;
  }

  /** Names of other async functions' classes this file needs imported (callee name -> class). */
  get imports(): Set<string> { return this.extraImports; }

  lower(): N[] | null {
    const decl: N = this.fn.decl;
    const body: N[] = decl.body ? decl.body.statements : [];
    if (decl.isGeneric) { this.report.error(decl.name.range, "async functions cannot be generic yet: write a Future class for a generic operation"); return null; }
    const [prologue, run] = splitPrologue(body);

    for (const p of decl.signature.parameters) {
      const b: Binding = { name: p.name.text, kind: "param", decl: p, pos: p.range.start, uses: [], field: null, type: p.type };
      this.params.push(b);
      this.bindings.set(p, b);
    }
    let ok = true;
    for (const s of prologue) {
      if (s.kind === NodeKind.Variable) {
        for (const d of s.declarations) {
          const b: Binding = { name: d.name.text, kind: "prologue", decl: d, pos: d.range.start, uses: [], field: null, type: null };
          this.bindings.set(d, b);
          this.prologueTop.set(b.name, b);
        }
      }
    }
    // Scan the run: bindings, references, awaits, loops that contain awaits.
    const scope = new Scope(null);
    for (const p of this.params) scope.set(p.name, p);
    for (const b of this.prologueTop.values()) scope.set(b.name, b);
    const runScope = new Scope(scope);
    for (const s of run) this.scanStmt(s, runScope);
    if (!ok || this.failed) return null;

    // Parameters and prologue locals the run reads become fields, set by the constructor.
    for (const b of this.params) this.addField(b, b.decl.type, true);
    for (const b of this.prologueTop.values()) {
      if (!b.uses.length) continue;
      const t = b.decl.type ?? this.typeOf(b.decl.initializer);
      if (!t) {
        this.report.error(b.decl.name.range, `'${b.name}' is used after ${this.fn.name}'s leading declarations, so it becomes a field of its state machine and needs a type: write \`const ${b.name}: <Type> = ...\``);
        ok = false;
        continue;
      }
      const init = b.decl.initializer;
      if ((b.decl.flags & CommonFlags.Let) && (!init || isConstant(init))) {
        // A `let` counter or flag: set again each time the machine starts, so a
        // restart (await or spawn again) begins from the same values as the first run.
        this.addField(b, t, false);
        this.restart.push(assign(field(b.field!, b.decl.range), init ? cloneDeep(init) : call(id("__coop_zero", b.decl.range), [], b.decl.range, [t]), b.decl.range));
        continue;
      }
      this.addField(b, t, true);
      if (init && (init.kind === NodeKind.New || init.kind === NodeKind.Call)) this.owned.push(b.field!);
    }
    // Run locals that live across an await become fields too.
    for (const b of this.bindings.values()) {
      if (b.kind !== "run" || !this.crosses(b)) continue;
      const t = b.decl.type ?? this.typeOf(b.decl.initializer);
      if (!t) {
        this.report.error(b.decl.name.range, `'${b.name}' lives across an await, so it becomes a field of ${this.fn.name}'s state machine and needs a type: write \`let ${b.name}: <Type> = ...\``);
        ok = false;
        continue;
      }
      this.addField(b, t, false);
    }
    if (!ok) return null;

    // Emit the run.
    this.cases = [{ id: 0, body: this.cur = [...this.restart], fallIn: false }];
    this.atTop = true;
    this.dead = false;
    for (const s of run) this.emitStmt(s);
    this.emit(...this.finish(null, this.r));
    if (this.failed) return null;
    return this.build(prologue);
  }

  private failed = false;
  /** Completion calls `$release`; renamed to `cancel` at the end when no await borrows what it waits on. */
  private readonly releaseCalls: N[] = [];
  private fail(range: Range, msg: string): void { this.failed = true; this.report.error(range, msg); }

  // ---- analysis -------------------------------------------------------------

  private scanStmt(s: N, scope: Scope): void {
    if (!s) return;
    switch (s.kind) {
      case NodeKind.Block: { const inner = new Scope(scope); for (const c of s.statements) this.scanStmt(c, inner); return; }
      case NodeKind.Variable:
        for (const d of s.declarations) {
          if (d.initializer) this.scanExpr(d.initializer, scope, true);
          // In scope from the end of its initializer: `const v = await f()` does not live across its own await.
          const b: Binding = { name: d.name.text, kind: "run", decl: d, pos: d.range.end, uses: [], field: null, type: null };
          this.bindings.set(d, b);
          scope.set(b.name, b);
        }
        return;
      case NodeKind.For: {
        const inner = new Scope(scope);
        const split = hasAwait(s);
        if (split) this.splitLoops.push({ start: s.range.start, end: s.range.end });
        if (s.initializer) {
          this.scanStmt(s.initializer, inner);
          if (split && s.initializer.kind === NodeKind.Variable) for (const d of s.initializer.declarations) this.bindings.get(d)!.force = true;
        }
        if (s.condition) this.scanExpr(s.condition, inner, false);
        if (s.incrementor) this.scanExpr(s.incrementor, inner, false);
        this.scanStmt(s.body, inner);
        return;
      }
      case NodeKind.While: case NodeKind.Do:
        if (hasAwait(s)) this.splitLoops.push({ start: s.range.start, end: s.range.end });
        this.scanExpr(s.condition, scope, false);
        this.scanStmt(s.body, new Scope(scope));
        return;
      case NodeKind.If: {
        this.scanExpr(s.condition, scope, false);
        const outer = this.branch;
        this.branch = [...outer, { node: s, side: true }];
        this.scanStmt(s.ifTrue, new Scope(scope));
        this.branch = [...outer, { node: s, side: false }];
        if (s.ifFalse) this.scanStmt(s.ifFalse, new Scope(scope));
        this.branch = outer;
        return;
      }
      case NodeKind.Switch: {
        this.scanExpr(s.condition, scope, false);
        const inner = new Scope(scope);
        for (const c of s.cases) { if (c.label) this.scanExpr(c.label, inner, false); for (const t of c.statements) this.scanStmt(t, inner); }
        return;
      }
      case NodeKind.Expression: {
        const e = s.expression;
        if (e.kind === NodeKind.Binary && e.operator === Token.Equals && isAwait(e.right)) {
          this.written(e.left, scope);
          this.scanExpr(e.left, scope, false);
          this.scanExpr(e.right, scope, true);
        } else this.scanExpr(e, scope, true);
        return;
      }
      case NodeKind.Return: if (s.value) this.scanExpr(s.value, scope, true); return;
      case NodeKind.Break: case NodeKind.Continue:
        if (s.label) this.fail(s.range, "labelled break/continue is not supported in async functions");
        return;
      case NodeKind.Empty: return;
      case NodeKind.Throw: this.scanExpr(s.value, scope, false); return;
      case NodeKind.Void: this.scanExpr(s.expression, scope, false); return;
      case NodeKind.ForOf: this.fail(s.range, "for-of is not supported in async functions: use a counted for loop"); return;
      case NodeKind.Try: this.fail(s.range, "try is not supported by AssemblyScript"); return;
      case NodeKind.FunctionDeclaration: case NodeKind.ClassDeclaration:
        this.fail(s.range, "declarations inside an async function are not supported: declare it at the top level of the file");
        return;
      default:
        children(s, (c) => (c.kind >= NodeKind.Block ? this.scanStmt(c, scope) : this.scanExpr(c, scope, false)));
    }
  }

  /** `top`: the expression is in a position where an await may stand. */
  private scanExpr(e: N, scope: Scope, top: boolean): void {
    if (!e) return;
    if (isAwait(e)) {
      if (!top) { this.fail(e.range, AWAIT_RULE); return; }
      const o = e.operand;
      // A path is evaluated again at every poll; anything else (an async call's
      // arguments, a method chain) once, before the first suspension.
      this.awaitPos.push({ pos: isPath(o) ? e.range.start : e.range.end, branch: this.branch });
      if (o.kind === NodeKind.Call && o.expression.kind === NodeKind.Identifier && !scope.get(o.expression.text) && this.resolveCallee(o.expression.text)) {
        for (const a of o.args) this.scanExpr(a, scope, false); // await f(...): the machine is built at init
      } else this.scanExpr(o, scope, false);
      return;
    }
    switch (e.kind) {
      case NodeKind.Identifier: {
        const b = scope.get(e.text);
        if (b) { b.uses.push({ pos: e.range.start, branch: this.branch }); this.refs.set(e, b); }
        return;
      }
      case NodeKind.Function: case NodeKind.Class:
        this.fail(e.range, "closures and class expressions are not supported in async functions (AssemblyScript has no closures): use a top-level function");
        return;
      case NodeKind.New:
        this.fail(e.range, `\`new\` in the running part allocates on every pass: declare the object among ${this.fn.name}'s leading declarations (before any other statement; they run once, at init) and reuse it`);
        return;
      case NodeKind.Literal:
        if (e.literalKind === 5 || e.literalKind === 6) { this.fail(e.range, `an array or object literal in the running part allocates: declare it among ${this.fn.name}'s leading declarations (they run once, at init) and reuse it`); return; }
        if (e.literalKind === 3 && e.expressions.length) { this.fail(e.range, "a template string with substitutions allocates: format into a buffer (UartWrite's str/int) instead"); return; }
        break;
      case NodeKind.Binary:
        if ((e.operator === Token.Plus || e.operator === Token.Plus_Equals) && (isString(e.left) || isString(e.right))) {
          this.fail(e.range, "string concatenation allocates: format into a buffer (UartWrite's str/int) instead");
          return;
        }
        if (e.operator >= Token.Equals && e.operator <= Token.Caret_Equals) this.written(e.left, scope);
        break;
      case NodeKind.UnaryPrefix: case NodeKind.UnaryPostfix:
        if (e.operator === Token.Plus_Plus || e.operator === Token.Minus_Minus) this.written(e.operand, scope);
        break;
      case NodeKind.Call:
        if (e.expression.kind === NodeKind.Identifier && !scope.get(e.expression.text)) {
          const callee = this.resolveCallee(e.expression.text);
          if (callee) {
            this.fail(e.range, `calling async function ${callee.name} in the running part builds a new state machine (an allocation): await it (await ${callee.name}(...)) or call it in a leading declaration`);
            return;
          }
        }
        break;
      case NodeKind.This:
        this.fail(e.range, "`this` has no meaning in an async function");
        return;
    }
    children(e, (c) => this.scanExpr(c, scope, false));
  }

  /** Records that the run assigns a variable (an awaited callee built at init must not take it as an argument). */
  private written(target: N, scope: Scope): void {
    if (target.kind !== NodeKind.Identifier) return;
    const b = scope.get(target.text);
    if (b) b.written = true;
  }

  /** A run local lives across an await: an await between its declaration and a later use, or a use in an awaiting loop it was declared outside of. */
  private crosses(b: Binding): boolean {
    if (b.force) return true;
    // An await in one branch of an if does not come before a use in the other
    // branch: each branch starts in the case where the if is.
    const exclusive = (x: Branch[], y: Branch[]) => x.some((p) => y.some((q) => q.node === p.node && q.side !== p.side));
    if (b.uses.some((u) => this.awaitPos.some((a) => a.pos > b.pos && a.pos < u.pos && !exclusive(a.branch, u.branch)))) return true;
    return this.splitLoops.some((l) => b.pos < l.start && b.uses.some((u) => u.pos > l.start && u.pos < l.end));
  }

  /** A type for a field from its initializer, when the syntax says it. */
  private typeOf(init: N): N | null {
    if (!init) return null;
    switch (init.kind) {
      case NodeKind.New:
        return Node.createNamedType(init.typeName, init.typeArguments, false, init.range);
      case NodeKind.True: case NodeKind.False: return named("bool", init.range);
      case NodeKind.Literal:
        if (init.literalKind === 1) return named("i32", init.range);
        if (init.literalKind === 0) return named("f64", init.range);
        if (init.literalKind === 2) return named("string", init.range);
        return null;
      case NodeKind.Assertion: return init.toType ?? null;
      case NodeKind.UnaryPrefix:
        if (isAwait(init)) {
          const c = this.calleeOf(init.operand);
          return c ? c.result : null;
        }
        return init.operator === Token.Minus ? this.typeOf(init.operand) : null;
      case NodeKind.Parenthesized: return this.typeOf(init.expression);
    }
    return null;
  }

  private calleeOf(e: N): AsyncFn | null {
    if (!e || e.kind !== NodeKind.Call || e.expression.kind !== NodeKind.Identifier) return null;
    if (this.refs.has(e.expression)) return null;
    return this.resolveCallee(e.expression.text);
  }

  private addField(b: Binding, type: N, ctor: boolean): void {
    let name = b.name;
    for (let k = 1; this.fieldNames.has(name); k++) name = `${b.name}$${k}`;
    this.fieldNames.add(name);
    b.field = name;
    b.type = type;
    this.fields.push({ name, type, init: ctor ? null : call(id("__coop_zero", b.decl.range), [], b.decl.range, [type]), ctor });
  }

  // ---- emission ---------------------------------------------------------------

  private emit(...s: N[]): void { if (!this.dead) this.cur.push(...s); }
  private label(): Label { const l: Label = { uses: [], state: -1 }; this.labels.push(l); return l; }
  /** The state number of a label, written now and fixed up when the cases are numbered. */
  private stateOf(l: Label, r: Range): N { const lit = int(0, r); l.uses.push(lit); return lit; }

  /**
   * Code continues at label l. A label nothing jumps to (yet) and that the
   * code falls into needs no case of its own; `target`: it will be jumped to
   * or resumed at (loop heads, await states), so it starts a case, unless the
   * current case is still empty.
   */
  private mark(l: Label, target = false): void {
    if (!target && !l.uses.length) {
      if (!this.dead && this.terminated()) this.dead = true;
      l.state = this.cases.length - 1;
      return;
    }
    if (this.atTop && !this.dead && this.cur.length === 0) { l.state = this.cases.length - 1; return; }
    let fallIn: boolean;
    if (this.atTop) {
      fallIn = !this.dead && !this.terminated();
    } else {
      // Inside a branch of an earlier case: leave it by jumping to the new case.
      if (!this.dead && !this.terminated()) this.cur.push(this.jump(l, this.r));
      const last = this.cases[this.cases.length - 1].body;
      fallIn = !endsInJump(last);
    }
    l.state = this.cases.length;
    this.cases.push({ id: l.state, body: this.cur = [], fallIn });
    this.atTop = true;
    this.dead = false;
  }

  /** The current case ends in a jump or a return: what follows is not reached by falling through. */
  private terminated(): boolean {
    const last = this.cur[this.cur.length - 1];
    if (!last) return false;
    if (last.kind === NodeKind.Return) return true;
    if (last.kind === NodeKind.Block) {
      const t = last.statements[last.statements.length - 1];
      return !!t && (t.kind === NodeKind.Continue || t.kind === NodeKind.Return);
    }
    return false;
  }

  /** Suspend at label l (the current case): `$s` is set only when the case may have been entered by falling through. */
  private suspend(l: Label, r: Range): N {
    const c = this.cases[this.cases.length - 1];
    const stay = ret(Node.createFalseExpression(r), r);
    return c.fallIn ? block([assign(field("$s", r), this.stateOf(l, r), r), stay], r) : stay;
  }

  private jump(l: Label, r: Range): N {
    const j = block([assign(field("$s", r), this.stateOf(l, r), r), Node.createContinueStatement(null, r)], r);
    this.jumps.set(j, l);
    return j;
  }

  /**
   * Jump threading: a case that only jumps on (the end of an if inside a loop,
   * say) is skipped by every jump to it, and dropped when nothing falls into it.
   */
  private thread(): void {
    const onward = (c: { body: N[] } | undefined): Label | undefined => (c && c.body.length === 1 ? this.jumps.get(c.body[0]) : undefined);
    const target = (state: number): number => {
      for (let hops = 0; hops < this.cases.length; hops++) {
        const l = onward(this.cases[state]);
        if (!l || l.state === state) return state;
        state = l.state;
      }
      return state;
    };
    for (const l of this.labels) l.state = target(l.state);
    // A case that only jumps and that the one before falls into: the one before jumps instead.
    const kept: typeof this.cases = [];
    for (const c of this.cases) {
      const l = c.id === 0 ? undefined : onward(c);
      if (!l) { kept.push(c); continue; }
      if (c.fallIn) kept[kept.length - 1].body.push(this.jump(l, c.body[0].range));
    }
    this.cases = kept;
  }

  /** Completion: store the result, release what the machine owns, back to the start. */
  private finish(value: N | null, r: Range): N[] {
    const out: N[] = [];
    if (value && this.fn.result) out.push(assign(field("value", r), value, r));
    else if (value) out.push(exprStmt(value));
    const callee = field("$release", r);
    this.releaseCalls.push(callee);
    out.push(exprStmt(call(callee, [], r)), ret(Node.createTrueExpression(r), r));
    return out;
  }

  /** Rewrites identifiers bound to fields into this.<field>, in place; returns the new root. */
  private rw(e: N): N {
    if (!e) return e;
    if (e.kind === NodeKind.Identifier) {
      const b = this.refs.get(e);
      return b && b.field ? field(b.field, e.range) : e;
    }
    mapChildren(e, (c) => this.rw(c));
    return e;
  }

  /** A statement without awaits: identifiers rewritten, returns completed, break/continue of split constructs turned into jumps. */
  private plain(s: N, loops: number, switches: number): N {
    if (!s) return s;
    switch (s.kind) {
      case NodeKind.Return: return block(this.finish(s.value ? this.rw(s.value) : null, s.range), s.range);
      case NodeKind.Break:
        if (loops === 0 && switches === 0) return this.jump(this.ctx[this.ctx.length - 1].brk, s.range);
        return s;
      case NodeKind.Continue:
        if (loops === 0) {
          const c = [...this.ctx].reverse().find((x) => x.cont !== null);
          return this.jump(c!.cont!, s.range);
        }
        return s;
      case NodeKind.Variable: {
        const out = this.plainList(s, loops, switches);
        return out.length === 1 ? out[0] : block(out, s.range);
      }
      case NodeKind.Expression: s.expression = this.rw(s.expression); return s;
      case NodeKind.Block: s.statements = s.statements.flatMap((c: N) => this.plainList(c, loops, switches)); return s;
      case NodeKind.If:
        s.condition = this.rw(s.condition);
        s.ifTrue = this.plain(s.ifTrue, loops, switches);
        if (s.ifFalse) s.ifFalse = this.plain(s.ifFalse, loops, switches);
        return s;
      case NodeKind.While: s.condition = this.rw(s.condition); s.body = this.plain(s.body, loops + 1, switches); return s;
      case NodeKind.Do: s.condition = this.rw(s.condition); s.body = this.plain(s.body, loops + 1, switches); return s;
      case NodeKind.For:
        if (s.initializer) s.initializer = this.plain(s.initializer, loops, switches);
        if (s.condition) s.condition = this.rw(s.condition);
        if (s.incrementor) s.incrementor = this.rw(s.incrementor);
        s.body = this.plain(s.body, loops + 1, switches);
        return s;
      case NodeKind.Switch:
        s.condition = this.rw(s.condition);
        for (const c of s.cases) {
          if (c.label) c.label = this.rw(c.label);
          c.statements = c.statements.flatMap((t: N) => this.plainList(t, loops, switches + 1));
        }
        return s;
      case NodeKind.Throw: s.value = this.rw(s.value); return s;
      case NodeKind.Void: s.expression = this.rw(s.expression); return s;
      default: return s;
    }
  }

  /** plain() for a statement in a list: a declaration of fields becomes assignments, in order, in the same scope. */
  private plainList(s: N, loops: number, switches: number): N[] {
    if (s.kind !== NodeKind.Variable) return [this.plain(s, loops, switches)];
    const out: N[] = [];
    for (const d of s.declarations) {
      const b = this.bindings.get(d);
      if (b && b.field) {
        const init = d.initializer ? this.rw(d.initializer) : call(id("__coop_zero", d.range), [], d.range, [b.type]);
        out.push(assign(field(b.field, d.name.range), init, d.range));
      } else {
        if (d.initializer) d.initializer = this.rw(d.initializer);
        out.push(s.declarations.length === 1 ? s : Node.createVariableStatement(s.decorators, [d], d.range));
      }
    }
    return out;
  }

  private emitStmt(s: N): void {
    if (!hasAwait(s)) { this.emit(...this.plainList(s, 0, 0)); return; }
    const r = s.range;
    switch (s.kind) {
      case NodeKind.Block: for (const c of s.statements) this.emitStmt(c); return;
      case NodeKind.Expression: {
        const e = s.expression;
        if (isAwait(e)) { this.emitAwait(e); return; }
        // v = await f(...)
        const res = this.emitAwait(e.right);
        if (res) this.emit(exprStmt(Node.createBinaryExpression(Token.Equals, this.rw(e.left), res, e.range)));
        return;
      }
      case NodeKind.Variable:
        for (const d of s.declarations) {
          if (!isAwait(d.initializer)) { this.emit(...this.plainList(Node.createVariableStatement(null, [d], d.range), 0, 0)); continue; }
          const res = this.emitAwait(d.initializer);
          if (!res) continue;
          const b = this.bindings.get(d)!;
          if (b.field) this.emit(assign(field(b.field, d.name.range), res, d.range));
          else { d.initializer = res; this.emit(Node.createVariableStatement(null, [d], d.range)); }
        }
        return;
      case NodeKind.Return: {
        const res = this.emitAwait(s.value);
        this.emit(...this.finish(res, r));
        return;
      }
      case NodeKind.If: {
        // Each branch starts inside the current case (so it sees the case's
        // locals, and an else-if chain tests its conditions in one place);
        // a branch that reaches an await continues in cases of its own, and
        // both meet at the end label.
        const endL = this.label();
        const thenB: N[] = [];
        const elseB: N[] = [];
        this.emit(Node.createIfStatement(this.rw(s.condition), block(thenB, r), block(elseB, r), r));
        if (this.dead) { this.mark(endL); return; }
        const branch = (stmt: N | null, into: N[]) => {
          this.cur = into;
          this.atTop = false;
          this.dead = false;
          if (stmt) this.emitStmt(stmt);
          if (!this.dead && !this.terminated()) this.emit(this.jump(endL, r));
        };
        branch(s.ifTrue, thenB);
        branch(s.ifFalse, elseB);
        this.dead = false;
        this.mark(endL, true);
        return;
      }
      case NodeKind.While: {
        const head = this.label();
        const end = this.label();
        this.mark(head, true);
        if (s.condition.kind !== NodeKind.True) this.emit(ifThen(not(this.rw(s.condition), r), this.jump(end, r), r));
        this.ctx.push({ brk: end, cont: head });
        this.emitStmt(s.body);
        this.ctx.pop();
        this.emit(this.jump(head, r));
        this.mark(end);
        return;
      }
      case NodeKind.Do: {
        const top = this.label();
        const cond = this.label();
        const end = this.label();
        this.mark(top, true);
        this.ctx.push({ brk: end, cont: cond });
        this.emitStmt(s.body);
        this.ctx.pop();
        this.mark(cond);
        this.emit(ifThen(this.rw(s.condition), this.jump(top, r), r));
        this.mark(end);
        return;
      }
      case NodeKind.For: {
        const head = this.label();
        const next = this.label();
        const end = this.label();
        if (s.initializer) this.emitStmt(s.initializer);
        this.mark(head, true);
        if (s.condition) this.emit(ifThen(not(this.rw(s.condition), r), this.jump(end, r), r));
        this.ctx.push({ brk: end, cont: next });
        this.emitStmt(s.body);
        this.ctx.pop();
        this.mark(next);
        if (s.incrementor) this.emit(exprStmt(this.rw(s.incrementor)));
        this.emit(this.jump(head, r));
        this.mark(end);
        return;
      }
      case NodeKind.Switch: {
        const end = this.label();
        const labels = s.cases.map(() => this.label());
        const disc = `$d${this.tempCount++}`;
        this.emit(Node.createVariableStatement(null, [Node.createVariableDeclaration(id(disc, r), null, CommonFlags.Const, null, this.rw(s.condition), r)], r));
        let dflt = end;
        s.cases.forEach((c: N, i: number) => {
          if (!c.label) { dflt = labels[i]; return; }
          this.emit(ifThen(Node.createBinaryExpression(Token.Equals_Equals, id(disc, r), this.rw(c.label), c.range), this.jump(labels[i], c.range), c.range));
        });
        this.emit(this.jump(dflt, r));
        this.ctx.push({ brk: end, cont: null });
        s.cases.forEach((c: N, i: number) => { this.mark(labels[i]); for (const t of c.statements) this.emitStmt(t); });
        this.ctx.pop();
        this.mark(end);
        return;
      }
      default:
        this.fail(r, AWAIT_RULE);
    }
  }

  /**
   * One suspension point. Emits what starts the awaited operation, then a new
   * state that polls it; returns the expression of its result (async callees).
   */
  private emitAwait(a: N): N | null {
    const r = a.range;
    const e = a.operand;
    const state = this.label();
    const src = this.fn.source;
    this.sites.push({ state, line: src.lineAt(r.start) });
    let target: N;
    let result: N | null = null;
    const callee = this.calleeOf(e);
    if (callee) {
      const f = this.innerFor(callee, e);
      if (!f) return null;
      // Arguments are evaluated when the await starts, into the callee's parameter fields.
      callee.paramNames.forEach((p, i) => {
        const arg = e.args[i];
        if (arg) this.emit(assign(prop(field(f, r), p, r), this.rw(arg), arg.range));
      });
      target = field(f, r);
      if (callee.result) result = prop(field(f, r), "value", r);
    } else if (isPath(e) || this.fluentRoot(e)) {
      // `await out.str("x").nl()` with @fluent methods (each returns its receiver): run the
      // chain, then await the receiver itself, a path.
      const root: N = isPath(e) ? e : this.fluentRoot(e)!;
      // Owned or borrowed: decided on the user's own root node, before it is rewritten.
      const owned = root.kind === NodeKind.Identifier && this.refs.get(root)?.field && this.owned.includes(this.refs.get(root)!.field!);
      if (root === e) {
        target = this.rw(e);
      } else {
        const chain = this.rw(e); // rewritten in place: its innermost receiver is the rewritten root
        this.emit(exprStmt(chain));
        let recv: N = chain;
        while (recv.kind === NodeKind.Call) recv = recv.expression.expression;
        target = cloneish(recv);
      }
      // Cancelled at this await only: what it names may be borrowed.
      if (!owned) this.siteCancels.push({ state, stmt: exprStmt(call(prop(cloneish(target), "cancel", r), [], r)) });
    } else {
      // Any other Future-valued expression: evaluated once when the await starts.
      const known = this.chainType(e);
      if (known) {
        // The declarations say what the chain returns: a typed temp, polled and
        // cancelled directly. Awaits run one at a time, so one temp per type serves them all.
        const key = known.name.identifier.text;
        let t = this.typedTemps.get(key);
        if (!t) {
          t = `$f${this.tempCount++}`;
          this.fieldNames.add(t);
          this.typedTemps.set(key, t);
          this.fields.push({ name: t, type: known, init: call(id("__coop_zero", r), [], r, [known]), ctor: false });
        }
        this.emit(assign(field(t, r), this.rw(e), r));
        this.siteCancels.push({ state, stmt: exprStmt(call(prop(field(t, r), "cancel", r), [], r)) });
        target = field(t, r);
        this.mark(state, true);
        this.emit(ifThen(not(call(prop(target, "poll", r), [id("$w", r)], r), r),
          this.suspend(state, r), r));
        return null;
      }
      const t = `$f${this.tempCount++}`;
      this.fieldNames.add(t);
      this.fields.push({ name: t, type: named("usize", r), init: int(0, r), ctor: false });
      this.emit(assign(field(t, r), call(id("changetype", r), [this.rw(e)], r, [named("usize", r)]), r));
      this.siteCancels.push({ state, stmt: exprStmt(call(id("__coop_cancel", r), [field(t, r)], r)) });
      target = null;
      this.mark(state, true);
      this.emit(ifThen(not(call(id("__coop_poll", r), [field(t, r), id("$w", r)], r), r),
        this.suspend(state, r), r));
      return null;
    }
    this.mark(state, true);
    this.emit(ifThen(not(call(prop(target, "poll", r), [id("$w", r)], r), r),
      this.suspend(state, r), r));
    return result;
  }

  /**
   * The type of a method chain rooted at a field, read from the class
   * declarations (`out.str("x").int(n)`: UartWrite, when str and int are
   * declared to return UartWrite), or null when the syntax does not say.
   */
  private chainType(e: N): N | null {
    if (e.kind === NodeKind.Parenthesized) return this.chainType(e.expression);
    if (e.kind === NodeKind.Identifier) {
      const b = this.refs.get(e);
      const t = b ? b.type ?? b.decl.type ?? (b.kind === "prologue" ? this.typeOf(b.decl.initializer) : null) : null;
      return t && t.kind === NodeKind.NamedType && !t.typeArguments?.length && !t.isNullable ? t : null;
    }
    if (e.kind !== NodeKind.Call || e.expression.kind !== NodeKind.PropertyAccess) return null;
    const recv = this.chainType(e.expression.expression);
    if (!recv) return null;
    const ret = this.methodReturn(recv.name.identifier.text, e.expression.property.text, 0);
    return ret && ret.kind === NodeKind.NamedType && !ret.typeArguments?.length && !ret.isNullable && !ret.name.next ? ret : null;
  }

  /**
   * The receiver path at the root of a chain of @fluent method calls (methods
   * declared to return their receiver), or null: `out.str("x").int(n)` gives
   * `out` when str and int are @fluent methods of out's class.
   */
  private fluentRoot(e: N): N | null {
    if (e.kind !== NodeKind.Call || e.expression.kind !== NodeKind.PropertyAccess) return null;
    const recv = e.expression.expression;
    const t = this.chainType(recv);
    if (!t || !this.isFluent(t.name.identifier.text, e.expression.property.text, 0)) return null;
    if (isPath(recv)) return recv;
    return this.fluentRoot(recv);
  }

  private isFluent(cls: string, method: string, depth: number): boolean {
    const c = this.classes.get(cls);
    if (!c || depth > 8) return false;
    for (const m of c.members) {
      if (m.kind === NodeKind.MethodDeclaration && m.name.text === method && !(m.flags & CommonFlags.Static)) {
        return !!m.decorators && m.decorators.some((d: N) => d.name.kind === NodeKind.Identifier && d.name.text === "fluent");
      }
    }
    return c.extendsType ? this.isFluent(c.extendsType.name.identifier.text, method, depth + 1) : false;
  }

  private methodReturn(cls: string, method: string, depth: number): N | null {
    const c = this.classes.get(cls);
    if (!c || depth > 8) return null;
    for (const m of c.members) {
      if (m.kind === NodeKind.MethodDeclaration && m.name.text === method && !(m.flags & CommonFlags.Static)) return m.signature.returnType;
    }
    return c.extendsType ? this.methodReturn(c.extendsType.name.identifier.text, method, depth + 1) : null;
  }

  /** The field holding the inner machine for an awaited async call: one per callee, or one per site when the callee's prologue reads its parameters. */
  private innerFor(callee: AsyncFn, e: N): string | null {
    if (callee === this.fn || this.reaches(callee, this.fn, new Set())) {
      this.fail(e.range, `${this.fn.name} awaits ${callee.name}, which leads back to ${this.fn.name}: recursion would need a machine inside itself (unbounded memory); write it as a loop`);
      return null;
    }
    const key = callee.prologueUsesParams ? `${callee.name}@${e.range.start}` : callee.name;
    const have = this.inner.get(key);
    if (have) return have;
    const name = `$a${this.inner.size}`;
    this.inner.set(key, name);
    this.fieldNames.add(name);
    this.fields.push({ name, type: named(callee.className, e.range), init: null, ctor: true });
    if (callee.source !== this.fn.source) this.extraImports.add(callee.name);
    let build: N;
    if (!callee.prologueUsesParams) {
      build = call(prop(id(callee.className, e.range), "idle", e.range), [], e.range);
    } else {
      for (const arg of e.args) {
        const bad = findIdent(arg, (i) => { const b = this.refs.get(i); return !!b && (b.kind === "run" || !!b.written); });
        if (bad) {
          const why = this.refs.get(bad)!.kind === "run" ? "is not known then" : `changes after start-up, so ${callee.name}'s resources would keep its first value`;
          this.fail(bad.range, `${callee.name} builds its resources from its parameters (its declarations before its first await), so ${this.fn.name} builds it at init with these arguments: '${bad.text}' ${why}. Pass a value that is fixed at init (a parameter or declaration never assigned after, a constant), or make ${callee.name} use the parameter only after its first await`);
          return null;
        }
      }
      // Copies: the arguments are evaluated again at the await, and rewritten there to read the machine's fields.
      build = call(id(callee.name, e.range), e.args.map((a: N) => cloneDeep(a)), e.range);
    }
    this.innerCtor.push({ field: name, expr: build });
    this.owned.push(name);
    return name;
  }

  private reaches(from: AsyncFn, to: AsyncFn, seen: Set<AsyncFn>): boolean {
    if (seen.has(from)) return false;
    seen.add(from);
    let found = false;
    const walk = (n: N) => {
      if (!n || found) return;
      if (isAwait(n) && n.operand.kind === NodeKind.Call && n.operand.expression.kind === NodeKind.Identifier) {
        const c = this.all.get(n.operand.expression.text);
        if (c && (c === to || this.reaches(c, to, seen))) { found = true; return; }
      }
      children(n, walk);
    };
    walk(from.decl.body);
    return found;
  }

  // ---- the class and the factory --------------------------------------------

  private build(prologue: N[]): N[] {
    const fn = this.fn;
    const r = this.r;
    const decl: N = fn.decl;
    const exported = (decl.flags & CommonFlags.Export) !== 0;
    const members: N[] = [];
    const mflags = CommonFlags.Instance;
    // constructor(public a: A, ...) { super(); }: parameter properties, so each
    // field is stored once, straight from its argument.
    const ctorFields = this.fields.filter((f) => f.ctor);
    const ctorParams: N[] = [];
    for (const f of this.fields) {
      const fd: N = Node.createFieldDeclaration(id(f.name, r), null, mflags | (f.ctor ? CommonFlags.Public : 0), f.type, f.init, r);
      if (f.ctor) {
        const param: N = Node.createParameter(0, id(f.name, r), f.type, null, r);
        param.flags |= CommonFlags.Public;
        param.implicitFieldDeclaration = fd;
        fd.parameterIndex = ctorParams.length;
        ctorParams.push(param);
      }
      members.push(fd);
    }
    const ctorBody = [exprStmt(call(Node.createSuperExpression(r), [], r))];
    members.push(Node.createMethodDeclaration(Node.createConstructorExpression(r), null, mflags | CommonFlags.Constructor, null,
      Node.createFunctionType(ctorParams, named("void", r), null, false, r), block(ctorBody, r), r));
    // poll($w: i32): bool { while (true) { switch (this.$s) { case N: { ... } } } }
    this.thread();
    // Each case is one wasm block around the switch: boards refuse a nesting
    // deeper than the module gate's limit (wasm3 compiles it recursively).
    if (this.cases.length + 3 > MAX_NESTING) {
      this.fail(decl.name.range, `${fn.name} has ${this.cases.length} states (awaits and the branches around them); each is a nested wasm block, and boards refuse nesting deeper than ${MAX_NESTING} (boards/wasm3/gate.json): split it into async helper functions`);
      return [];
    }
    const cases = this.cases.map((c) => Node.createSwitchCase(int(c.id, r), [block(c.body, r)], r));
    cases.push(Node.createSwitchCase(null, [exprStmt(call(id("unreachable", r), [], r))], r));
    const pollBody = block([Node.createWhileStatement(Node.createTrueExpression(r), block([Node.createSwitchStatement(field("$s", r), cases, r)], r), r)], r);
    members.push(this.method("poll", [Node.createParameter(0, id("$w", r), named("i32", r), null, r)], named("bool", r), pollBody));
    // cancel(): what the current await waits on, then everything owned.
    // Every label has its case now: write the state numbers.
    for (const l of this.labels) for (const lit of l.uses) lit.value = i64(l.state);
    const cancelCases = this.siteCancels.map((c) => Node.createSwitchCase(int(c.state.state, r), [c.stmt, Node.createBreakStatement(null, r)], r));
    const release = this.owned.map((f) => exprStmt(call(id("__coop_release", r), [field(f, r)], r)));
    release.push(assign(field("$s", r), int(0, r), r));
    if (cancelCases.length) {
      members.push(this.method("cancel", [], named("void", r), block([Node.createSwitchStatement(field("$s", r), cancelCases, r), exprStmt(call(field("$release", r), [], r))], r)));
      members.push(this.method("$release", [], named("void", r), block(release, r)));
    } else {
      // Nothing borrowed is awaited: cancel is the release, and completion calls it.
      for (const c of this.releaseCalls) c.property = id("cancel", r);
      members.push(this.method("cancel", [], named("void", r), block(release, r)));
    }
    // Where the machine waits ("file.ts:line"), for the simulator's metrics: debug builds only, since
    // the strings and the switch would cost every release build bytes no board reads.
    if (this.debug) {
      const file = fn.source.normalizedPath.split("/").pop();
      const siteCases = this.sites.map((s) => Node.createSwitchCase(int(s.state.state, r), [ret(Node.createStringLiteralExpression(`${file}:${s.line}`, r), r)], r));
      members.push(this.getter("awaitSite", block([Node.createSwitchStatement(field("$s", r), siteCases, r), ret(Node.createStringLiteralExpression("", r), r)], r)));
    }

    // The factory: the prologue, then the machine.
    const args: N[] = ctorFields.map((f) => {
      const inner = this.innerCtor.find((i) => i.field === f.name);
      return inner ? inner.expr : id(this.sourceNameOf(f.name), r);
    });
    const make = (prologueStmts: N[], machineArgs: N[]) => block([...prologueStmts, ret(Node.createNewExpression(Node.createSimpleTypeName(fn.className, r), null, machineArgs, r), r)], r);
    if (!fn.prologueUsesParams) {
      // idle(): the machine with zero parameters, for awaits from other async functions.
      const zeroParams = decl.signature.parameters.map((p: N) => Node.createVariableStatement(null, [Node.createVariableDeclaration(id(p.name.text, r), null, CommonFlags.Let, p.type, call(id("__coop_zero", r), [], r, [p.type]), r)], r));
      const idleBody = make([...zeroParams, ...prologue.map((s: N) => cloneDeep(s))], args.map(cloneDeep));
      members.push(Node.createMethodDeclaration(id("idle", r), null, CommonFlags.Static, null,
        Node.createFunctionType([], named(fn.className, r), null, false, r), idleBody, r));
    }
    const cls = Node.createClassDeclaration(id(fn.className, decl.name.range), null, exported ? CommonFlags.Export : CommonFlags.None, null,
      fn.result ? named("__CoopAsyncOf", r, [fn.result]) : named("__CoopAsync", r), null, members, r);
    decl.signature.returnType = named(fn.className, decl.signature.returnType.range);
    decl.body = make(prologue, args);
    return [cls];
  }

  /** The local name a constructor field is read from in the factory (params and prologue locals keep their names). */
  private sourceNameOf(fieldName: string): string {
    for (const b of this.bindings.values()) if (b.field === fieldName) return b.name;
    return fieldName;
  }

  private method(name: string, params: N[], ret: N, body: N): N {
    return Node.createMethodDeclaration(id(name, this.r), null, CommonFlags.Instance, null, Node.createFunctionType(params, ret, null, false, this.r), body, this.r);
  }

  private getter(name: string, body: N): N {
    return Node.createMethodDeclaration(id(name, this.r), null, CommonFlags.Instance | CommonFlags.Get, null,
      Node.createFunctionType([], named("string", this.r), null, false, this.r), body, this.r);
  }
}

class Scope {
  private readonly names = new Map<string, Binding>();
  constructor(private readonly parent: Scope | null) {}
  set(n: string, b: Binding): void { this.names.set(n, b); }
  get(n: string): Binding | null { return this.names.get(n) ?? (this.parent ? this.parent.get(n) : null); }
}

/** A statement list whose last statement is a jump block or a return. */
const endsInJump = (body: N[]): boolean => {
  const last = body[body.length - 1];
  if (!last) return false;
  if (last.kind === NodeKind.Return) return true;
  if (last.kind !== NodeKind.Block) return false;
  const t = last.statements[last.statements.length - 1];
  return !!t && (t.kind === NodeKind.Continue || t.kind === NodeKind.Return);
};
const isConstant = (e: N): boolean =>
  e.kind === NodeKind.True || e.kind === NodeKind.False || e.kind === NodeKind.Null ||
  (e.kind === NodeKind.Literal && e.literalKind <= 2) || (e.kind === NodeKind.UnaryPrefix && e.operator === Token.Minus && isConstant(e.operand));
const isString = (e: N): boolean => e && e.kind === NodeKind.Literal && (e.literalKind === 2 || e.literalKind === 3);
const isPath = (e: N): boolean =>
  e.kind === NodeKind.Identifier || (e.kind === NodeKind.PropertyAccess && isPath(e.expression)) || (e.kind === NodeKind.Parenthesized && isPath(e.expression));

function findIdent(e: N, pred: (i: N) => boolean): N | null {
  if (!e) return null;
  if (e.kind === NodeKind.Identifier) return pred(e) ? e : null;
  let hit: N | null = null;
  children(e, (c) => { if (!hit) hit = findIdent(c, pred); });
  return hit;
}

/** A copy of a path or argument expression (identifiers and property chains; other nodes are shared, they are not rewritten twice). */
function cloneish(e: N): N {
  if (e.kind === NodeKind.Identifier) return id(e.text, e.range);
  if (e.kind === NodeKind.PropertyAccess) return prop(cloneish(e.expression), e.property.text, e.range);
  if (e.kind === NodeKind.Parenthesized) return Node.createParenthesizedExpression(cloneish(e.expression), e.range);
  return e;
}

/**
 * Calls fn on every AST node directly below n (in fields and arrays; not the
 * range, the parent, or the keys in `skip`), replacing a child by what fn
 * returns, if anything. The generic walk of the transform's whole-file passes.
 */
export function eachChildNode(n: N, fn: (child: N) => N | void, skip: readonly string[] = []): void {
  const isNode = (v: N) => v && typeof v === "object" && typeof v.kind === "number";
  for (const k of Object.keys(n)) {
    if (k === "range" || k === "parent" || skip.includes(k)) continue;
    const v = n[k];
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) if (isNode(v[i])) { const r = fn(v[i]); if (r) v[i] = r; }
    } else if (isNode(v)) {
      const r = fn(v);
      if (r) n[k] = r;
    }
  }
}

/** A structural copy of a prologue statement (for idle(), which runs the prologue a second time in its own body). */
function cloneDeep(n: N): N {
  if (n === null || typeof n !== "object") return n;
  if (n instanceof Range || n.kind === NodeKind.Source) return n;
  if (Array.isArray(n)) return n.map(cloneDeep);
  const c = Object.create(Object.getPrototypeOf(n));
  for (const k of Object.keys(n)) {
    const v = n[k];
    c[k] = k === "range" || k === "parent" ? v : (v && typeof v === "object" && (Array.isArray(v) || typeof v.kind === "number") ? cloneDeep(v) : v);
  }
  return c;
}

export const TRANSFORM_CODE = DiagnosticCode.Transform_0_1;
