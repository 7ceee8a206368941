/**
 * Runs pipelines: checks stages and options, optionally verifies (and freezes, to
 * catch mutation) after every pass, prints IR after each pass on request, records
 * time and counts, and names the failing pass and the passes before it in errors.
 */
import { UserError, isGraph, printGraph, verify, type Graph } from "@quantpass/ir";
import { z } from "zod";
import { getPass, type PassContext } from "./pass.js";
import { formatPipeline, parsePipeline, type PipelineStep } from "./pipeline-text.js";

export interface PassRecord {
  readonly pass: string;
  readonly options: Readonly<Record<string, unknown>>;
  readonly ms: number;
  readonly changed: boolean;
  readonly counts: Readonly<Record<string, number>>;
}

export interface PipelineOptions extends Omit<PassContext, "count"> {
  /** Verify (and deep-freeze) after every pass; on by default under vitest. */
  readonly verifyEach?: boolean;
  /** Called with the IR text after every pass (`--print-ir-after-all`). */
  readonly printIrAfter?: (pass: string, ir: string) => void;
  readonly onPassDone?: (record: PassRecord) => void;
}

export interface PipelineResult {
  readonly graph: Graph;
  readonly records: readonly PassRecord[];
}

/** Deep-freezes plain objects and arrays (tensors and typed arrays are left alone). */
export function deepFreeze<T>(v: T): T {
  if (v === null || typeof v !== "object" || Object.isFrozen(v) || ArrayBuffer.isView(v)) return v;
  const proto = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== Array.prototype && proto !== null) return v;
  Object.freeze(v);
  for (const x of Object.values(v as object)) deepFreeze(x);
  return v;
}

function history(done: readonly PassRecord[]): string {
  return done.length ? `after ${done.map((r) => r.pass).join(", ")}` : "as the first pass";
}

/** Validates a step's options against the pass's zod schema (unknown keys are errors). */
export function resolveOptions(step: PipelineStep): Record<string, unknown> {
  const def = getPass(step.pass);
  if (!def) throw new UserError(`unknown pass '${step.pass}'`, step.pass);
  const schema = def.options;
  if (schema instanceof z.ZodObject) {
    const known = Object.keys(schema.shape);
    for (const k of Object.keys(step.options))
      if (!known.includes(k)) throw new UserError(`pass '${step.pass}' has no option '${k}' (options: ${known.join(", ") || "none"})`, step.pass);
  }
  const r = schema.safeParse(step.options);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    throw new UserError(`pass '${step.pass}': option '${issue.path.join(".")}': ${issue.message}`, step.pass);
  }
  return r.data as Record<string, unknown>;
}

export async function runPipeline(graph: Graph, pipeline: string | readonly PipelineStep[], opts: PipelineOptions = {}): Promise<PipelineResult> {
  const steps = typeof pipeline === "string" ? parsePipeline(pipeline) : pipeline;
  const verifyEach = opts.verifyEach ?? Boolean(process.env.VITEST);
  const options = steps.map(resolveOptions);
  const records: PassRecord[] = [];
  let g = graph;
  if (verifyEach) { verify(g); deepFreeze(g); }
  for (const [k, step] of steps.entries()) {
    const def = getPass(step.pass)!;
    const where = `pass '${def.name}' (step ${k + 1} of ${steps.length}, ${history(records)})`;
    if (def.requires && !def.requires.includes(g.stage))
      throw new UserError(`${where} needs a graph at stage ${def.requires.join(" or ")}, but it is at stage '${g.stage}'`, def.name);
    const counts: Record<string, number> = {};
    const ctx: PassContext = { ...opts, count: (key, n = 1) => { counts[key] = (counts[key] ?? 0) + n; } };
    const t0 = performance.now();
    let out: Graph;
    try {
      out = await def.run(g, options[k] as never, ctx);
      if (!isGraph(out)) throw new Error("run() did not return a Graph");
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      if (e instanceof UserError) throw new UserError(`${where}: ${msg}`, e.subject ?? def.name);
      throw new Error(`${where} failed: ${msg}`, { cause: e });
    }
    try {
      if (def.ensures && out.stage !== def.ensures) throw new Error(`left the graph at stage '${out.stage}', not '${def.ensures}'`);
      if (verifyEach) { verify(out); deepFreeze(out); }
    } catch (e) {
      // An invalid result is a bug in the pass, never the user's input.
      throw new Error(`${where} produced an invalid graph: ${(e as Error).message}`, { cause: e });
    }
    const record: PassRecord = { pass: def.name, options: options[k]!, ms: performance.now() - t0, changed: out !== g, counts };
    records.push(record);
    opts.onPassDone?.(record);
    opts.printIrAfter?.(def.name, printGraph(out));
    g = out;
  }
  return { graph: g, records };
}

export { formatPipeline, parsePipeline };
