// JUnit XML for CI systems (Jenkins, GitLab, GitHub test reporters): one
// <testsuite> per target, one <testcase> per scenario, <failure> with the
// failing step, <skipped> with the reason.

export interface CaseResult {
  /** Scenario name (from the file's `name`). */
  name: string;
  /** Suite-relative file path. */
  file: string;
  status: "pass" | "fail" | "skip";
  /** One-line reason for fail/skip. */
  message?: string;
  /** Longer report (failing step, time, serial tail). */
  detail?: string;
  seconds: number;
}

export interface TargetResult {
  target: string;
  cases: CaseResult[];
}

function esc(s: string): string {
  // Also drop characters XML 1.0 forbids (firmware output may contain any byte).
  return s
    .replace(/[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]/g, "?")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;");
}

export function junitXml(results: TargetResult[]): string {
  const count = (cs: CaseResult[], s: CaseResult["status"]) => cs.filter((c) => c.status === s).length;
  const time = (cs: CaseResult[]) => cs.reduce((a, c) => a + c.seconds, 0).toFixed(3);
  const all = results.flatMap((r) => r.cases);
  const out = [`<?xml version="1.0" encoding="UTF-8"?>`];
  out.push(`<testsuites name="coop hil" tests="${all.length}" failures="${count(all, "fail")}" skipped="${count(all, "skip")}" time="${time(all)}">`);
  for (const r of results) {
    const cs = r.cases;
    out.push(`  <testsuite name="${esc(r.target)}" tests="${cs.length}" failures="${count(cs, "fail")}" errors="0" skipped="${count(cs, "skip")}" time="${time(cs)}">`);
    for (const c of cs) {
      const open = `    <testcase classname="hil.${esc(r.target)}" name="${esc(c.name)}" file="${esc(c.file)}" time="${c.seconds.toFixed(3)}"`;
      if (c.status === "pass") out.push(`${open}/>`);
      else if (c.status === "skip") out.push(`${open}>`, `      <skipped message="${esc(c.message ?? "")}"/>`, `    </testcase>`);
      else out.push(`${open}>`, `      <failure message="${esc(c.message ?? "")}">${esc(c.detail ?? "")}</failure>`, `    </testcase>`);
    }
    out.push(`  </testsuite>`);
  }
  out.push(`</testsuites>`, "");
  return out.join("\n");
}
