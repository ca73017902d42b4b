// Runs a scenario suite against HIL targets: finds the files, opens a fresh
// target per scenario, skips what a target cannot do, and collects results
// for the console and the JUnit report.
//
// Suite layout: <suite>/*.yaml run on every target; <suite>/<target>/*.yaml
// only on that target (and on targets listing the folder in extraSuites).

import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { allProblems, formatFailure, formatTime, parseScenario, runScenario, ScenarioError, type Scenario } from "../scenario.js";
import type { CaseResult, TargetResult } from "./junit.js";
import type { HilContext, HilTarget } from "./targets/types.js";

const SCENARIO_FILE = /\.(ya?ml|json)$/;

function listDir(dir: string): string[] {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) return [];
  return readdirSync(dir)
    .filter((f) => SCENARIO_FILE.test(f))
    .sort()
    .map((f) => join(dir, f));
}

/** The scenario files a target runs, in a stable order. */
export function suiteFiles(suite: string, target: HilTarget): string[] {
  const base = target.name.split(":")[0];
  const dirs = [suite, join(suite, base), ...target.extraSuites.map((d) => join(suite, d))];
  const seen = new Set<string>();
  const files: string[] = [];
  for (const d of dirs) for (const f of listDir(d)) if (!seen.has(f)) (seen.add(f), files.push(f));
  return files;
}

function oneLine(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split("\n")[0];
}

/** The scenario's `name` (so a skipped case has the same JUnit name as a run one), or its file. */
function scenarioName(file: string, rel: string): string {
  try {
    return parseScenario(readFileSync(file, "utf8"), rel).name;
  } catch {
    return rel;
  }
}

export interface RunOptions {
  ctx: HilContext;
  suite: string;
  /** Console output, one line per call. */
  print: (line: string) => void;
}

export async function runTarget(target: HilTarget, opts: RunOptions): Promise<TargetResult> {
  const { ctx, suite, print } = opts;
  const files = suiteFiles(suite, target);
  const cases: CaseResult[] = [];
  print(`hil: target ${target.name}: ${target.describe}`);
  const avail = await target.available(ctx).catch((e) => ({ ok: false as const, reason: oneLine(e), install: "(see the target's README)" }));
  if (!avail.ok) {
    const msg = `target ${target.name} skipped: ${avail.reason}; install with: ${avail.install}`;
    print(`  SKIP all ${files.length} scenario(s): ${avail.reason}`);
    print(`       install with: ${avail.install}`);
    for (const f of files) cases.push({ name: scenarioName(f, relative(suite, f)), file: relative(suite, f), status: "skip", message: msg, seconds: 0 });
    return { target: target.name, cases };
  }
  for (const file of files) {
    const rel = relative(suite, file);
    const t0 = performance.now();
    const secs = () => (performance.now() - t0) / 1000;
    // Every problem at once: the parse problems, then (for the steps that parsed) the target checks.
    const refuse = (name: string, problems: string[]) => {
      print(`  FAIL ${rel}${name ? ` (${name})` : ""}: ${problems[0]}`);
      for (const p of problems.slice(1)) print(`       ${p}`);
      const more = problems.length > 1 ? ` (and ${problems.length - 1} more)` : "";
      cases.push({ name: name || rel, file: rel, status: "fail", message: problems[0] + more, detail: problems.join("\n"), seconds: secs() });
    };
    let parsed: Scenario | ScenarioError;
    try {
      parsed = parseScenario(readFileSync(file, "utf8"), rel);
    } catch (e) {
      if (!(e instanceof ScenarioError && e.partial)) {
        refuse("", e instanceof ScenarioError ? e.problems : [oneLine(e)]);
        continue;
      }
      parsed = e;
    }
    const sc = parsed instanceof ScenarioError ? parsed.partial! : parsed;
    let t;
    try {
      t = await target.open(ctx);
    } catch (e) {
      const msg = `cannot start the firmware: ${oneLine(e)}`;
      print(`  FAIL ${rel} (${sc.name}): ${msg}`);
      cases.push({ name: sc.name, file: rel, status: "fail", message: msg, detail: msg, seconds: secs() });
      continue;
    }
    try {
      const problems = allProblems(parsed, t);
      const cannot = problems.filter((p) => p.includes("does not support"));
      if (cannot.length && !(parsed instanceof ScenarioError)) {
        // A step this kind of target cannot do (pins on a serial-only board): visible skip, not a failure.
        print(`  SKIP ${rel} (${sc.name}): ${cannot[0]}`);
        cases.push({ name: sc.name, file: rel, status: "skip", message: cannot[0], seconds: secs() });
        continue;
      }
      if (problems.length) {
        refuse(sc.name, problems);
        continue;
      }
      const r = await runScenario(sc, t);
      if (r.ok) {
        print(`  PASS ${rel} (${sc.name}) ${r.passed} steps, ${(secs() * 1000).toFixed(0)} ms wall, t=${formatTime(r.timeUs)}`);
        cases.push({ name: sc.name, file: rel, status: "pass", seconds: secs() });
      } else {
        const report = formatFailure(sc, r);
        print(`  FAIL ${rel}`);
        for (const l of report.split("\n")) print(`       ${l}`);
        const f = r.failure!;
        cases.push({ name: sc.name, file: rel, status: "fail", message: `step ${f.index + 1} (${sc.file}:${f.step.line}) ${f.step.text}: ${f.message}`, detail: report, seconds: secs() });
      }
    } catch (e) {
      const msg = oneLine(e);
      print(`  FAIL ${rel} (${sc.name}): ${msg}`);
      cases.push({ name: sc.name, file: rel, status: "fail", message: msg, detail: msg, seconds: secs() });
    } finally {
      await t.close().catch(() => {});
    }
  }
  const n = (s: CaseResult["status"]) => cases.filter((c) => c.status === s).length;
  print(`hil: ${target.name}: ${n("pass")} passed, ${n("fail")} failed, ${n("skip")} skipped`);
  return { target: target.name, cases };
}
