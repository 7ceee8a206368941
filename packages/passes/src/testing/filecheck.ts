/**
 * A small FileCheck for pass goldens. A `.qir` file holds text IR plus directives:
 *
 *   // RUN: insert-observers{method=minmax},calibrate     the pipeline to run
 *   // CHECK: text          next line (at or after the last match) containing text
 *   // CHECK-NEXT: text     the line right after the last match contains text
 *   // CHECK-NOT: text      text does not occur between the last match and the next one
 *   // CHECK-ERROR: text    the pipeline fails with an error message containing text
 *   // ALLOW-INVALID-INPUT  the input need not verify (repair passes); the output still must
 *
 * Lines starting with `//` are directives or comments; the rest is the input IR.
 */
import { readFileSync } from "node:fs";
import { parseGraph, printGraph, verify, type Graph } from "@quantpass/ir";
import { parsePipeline, runPipeline, type PipelineOptions } from "../pass-manager.js";

export type CheckKind = "CHECK" | "CHECK-NEXT" | "CHECK-NOT" | "CHECK-ERROR";
export interface Check {
  readonly kind: CheckKind;
  readonly text: string;
  /** Line of the directive in the check file (1-based). */
  readonly line: number;
}
export interface CheckFile {
  readonly pipeline: string;
  readonly checks: readonly Check[];
  readonly ir: string;
  readonly allowInvalidInput: boolean;
}

export function parseCheckFile(text: string, file = "<input>"): CheckFile {
  let pipeline: string | undefined;
  const checks: Check[] = [];
  const ir: string[] = [];
  let allowInvalidInput = false;
  text.split("\n").forEach((l, k) => {
    const m = /^\s*\/\/\s*(RUN|CHECK|CHECK-NEXT|CHECK-NOT|CHECK-ERROR):\s?(.*)$/.exec(l);
    if (m) {
      if (m[1] === "RUN") {
        if (pipeline !== undefined) throw new Error(`${file}:${k + 1}: more than one RUN line`);
        pipeline = m[2]!.trim();
      } else checks.push({ kind: m[1] as CheckKind, text: m[2]!.trimEnd(), line: k + 1 });
    } else if (/^\s*\/\/\s*ALLOW-INVALID-INPUT\s*$/.test(l)) {
      allowInvalidInput = true;
      ir.push("");
    } else if (!/^\s*\/\//.test(l)) ir.push(l);
    else ir.push("");
  });
  if (pipeline === undefined) throw new Error(`${file}: no '// RUN:' line`);
  if (!checks.length) throw new Error(`${file}: no CHECK lines`);
  return { pipeline, checks, ir: ir.join("\n"), allowInvalidInput };
}

/** Checks output against the positive/negative checks; returns a failure message or undefined. */
export function fileCheck(output: string, checks: readonly Check[], file = "<input>"): string | undefined {
  const lines = output.split("\n");
  let line = -1; // line of the last match
  let pending: Check[] = []; // CHECK-NOTs waiting for the next match
  const notsBetween = (from: number, to: number): string | undefined => {
    for (const c of pending)
      for (let l = from; l < to; l++)
        if (lines[l]!.includes(c.text)) return `${file}:${c.line}: CHECK-NOT: '${c.text}' found on output line ${l + 1}: ${lines[l]}`;
    pending = [];
    return undefined;
  };
  for (const c of checks) {
    if (c.kind === "CHECK-ERROR") continue;
    if (c.kind === "CHECK-NOT") { pending.push(c); continue; }
    let found = -1;
    if (c.kind === "CHECK-NEXT") {
      if (line + 1 < lines.length && lines[line + 1]!.includes(c.text)) found = line + 1;
      else return `${file}:${c.line}: CHECK-NEXT: '${c.text}' not on the line after output line ${line + 1}; it is: ${lines[line + 1] ?? "<end>"}`;
    } else {
      for (let l = Math.max(line + (line >= 0 ? 1 : 0), 0); l < lines.length; l++) if (lines[l]!.includes(c.text)) { found = l; break; }
      if (found < 0) return `${file}:${c.line}: CHECK: '${c.text}' not found after output line ${line + 1}`;
    }
    const bad = notsBetween(line + 1, found);
    if (bad) return bad;
    line = found;
  }
  return notsBetween(line + 1, lines.length);
}

/** Runs a check file: parses its IR, runs its pipeline, and checks the printed result or error. */
export async function runCheckFile(path: string, options: PipelineOptions | ((g: Graph) => PipelineOptions) = {}): Promise<string> {
  const spec = parseCheckFile(readFileSync(path, "utf8"), path);
  const g = parseGraph(spec.ir, path);
  const opts = typeof options === "function" ? options(g) : options;
  const wantError = spec.checks.find((c) => c.kind === "CHECK-ERROR");
  let out: string;
  try {
    if (spec.allowInvalidInput) {
      const steps = parsePipeline(spec.pipeline);
      let r = (await runPipeline(g, steps.slice(0, 1), { ...opts, verifyEach: false })).graph;
      verify(r);
      if (steps.length > 1) r = (await runPipeline(r, steps.slice(1), { verifyEach: true, ...opts })).graph;
      out = printGraph(r);
    } else out = printGraph((await runPipeline(g, spec.pipeline, { verifyEach: true, ...opts })).graph);
  } catch (e) {
    const msg = (e as Error).message;
    if (!wantError) throw new Error(`${path}: pipeline '${spec.pipeline}' failed: ${msg}`, { cause: e });
    if (!msg.includes(wantError.text)) throw new Error(`${path}:${wantError.line}: CHECK-ERROR: '${wantError.text}' not in the error: ${msg}`);
    return msg;
  }
  if (wantError) throw new Error(`${path}:${wantError.line}: CHECK-ERROR: the pipeline succeeded:\n${out}`);
  const failure = fileCheck(out, spec.checks, path);
  if (failure) throw new Error(`${failure}\n--- output ---\n${out}`);
  return out;
}
