// The text step of the async lowering: AssemblyScript 0.27's parser rejects
// `async function` and `await x` outright, so before it sees a firmware file
// `async ` becomes five spaces and `await` becomes `yield` (which it parses as
// a unary prefix operator). Both keep every line and column where the user
// wrote them, so every later diagnostic and source-map entry points at the
// user's text. The positions of what was rewritten are returned for the AST
// step (lower.ts) to find the async functions and to refuse the async forms
// it does not support.

export interface Rewrite {
  /** The text the parser sees. */
  text: string;
  /** Offset of the name of each `async function NAME`. */
  asyncNames: number[];
  /** Offsets of `async` keywords not followed by `function` (async arrows, methods): refused. */
  refusedAsync: number[];
  /** Offsets of every `await` (now `yield`). */
  awaits: number[];
  /** Offsets of `yield` the user wrote: AssemblyScript has no generators, so these are refused. */
  userYields: number[];
}

const isIdent = (c: string) => /[A-Za-z0-9_$]/.test(c);

/** Rewrites `async`/`await` outside strings, template literals and comments. */
export function rewriteAsync(src: string): Rewrite {
  const out: string[] = [];
  const r: Rewrite = { text: "", asyncNames: [], refusedAsync: [], awaits: [], userYields: [] };
  let i = 0;
  let last = 0;
  const n = src.length;
  const skipSpace = (j: number): number => {
    while (j < n) {
      if (/\s/.test(src[j])) { j++; continue; }
      if (src.startsWith("//", j)) { while (j < n && src[j] !== "\n") j++; continue; }
      if (src.startsWith("/*", j)) { const e = src.indexOf("*/", j + 2); j = e < 0 ? n : e + 2; continue; }
      break;
    }
    return j;
  };
  while (i < n) {
    const c = src[i];
    if (c === "/" && src[i + 1] === "/") { while (i < n && src[i] !== "\n") i++; continue; }
    if (c === "/" && src[i + 1] === "*") { const e = src.indexOf("*/", i + 2); i = e < 0 ? n : e + 2; continue; }
    if (c === '"' || c === "'" || c === "`") {
      // Template substitutions may hold code; firmware has no reason to await
      // inside one (the running part must not build strings), so skip whole.
      i++;
      while (i < n && src[i] !== c) { if (src[i] === "\\") i++; i++; }
      i++;
      continue;
    }
    if (isIdent(c)) {
      let j = i;
      while (j < n && isIdent(src[j])) j++;
      const word = src.slice(i, j);
      const prev = i > 0 ? src[i - 1] : "";
      const member = prev === "."; // obj.async, obj.await are property names
      if (!member && word === "async") {
        const k = skipSpace(j);
        if (src.startsWith("function", k) && !isIdent(src[k + 8] ?? "")) {
          const name = skipSpace(k + 8);
          r.asyncNames.push(name);
        } else {
          r.refusedAsync.push(i);
        }
        out.push(src.slice(last, i), "     ");
        last = j;
      } else if (!member && word === "await") {
        r.awaits.push(i);
        out.push(src.slice(last, i), "yield");
        last = j;
      } else if (!member && word === "yield") {
        r.userYields.push(i);
      }
      i = j;
      continue;
    }
    i++;
  }
  out.push(src.slice(last));
  r.text = out.join("");
  return r;
}
