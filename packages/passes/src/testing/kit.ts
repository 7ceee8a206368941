/**
 * `checkPass`: property-tests any pass (the project's or a user's) on random graphs:
 *
 *   1. the verifier accepts the pass's output (and the stage it declares in `ensures`);
 *   2. the input graph is not mutated (its printed IR, constants included, is unchanged);
 *   3. when the pass declares `idempotent`, running it on its output changes nothing;
 *   4. with a `bound`, every output element before and after the pass agrees within
 *      |after − before| <= abs + rel·|before| (NaN where NaN, same shapes). Without a bound
 *      the numeric check is skipped, and the returned report says so in `skipped`; it is
 *      never skipped silently.
 *
 * Graphs come from a fast-check arbitrary; `before` brings them to the stage the pass needs
 * (e.g. "rtn,fold-to-int" for an int-stage pass). Inputs are uniform in [-1, 1] (f32),
 * symbolic dims 2, unless `inputs` gives an arbitrary of feeds. Failures throw with the
 * check that failed and the IR of the (shrunk) counterexample.
 */
import fc from "fast-check";
import { printGraph, Tensor, verify, type Executor, type Graph } from "@quantpass/ir";
// Registers every built-in pass, so `before` pipelines can name them.
import "../index.js";
import { getPass, type CalibrationData, type PassDef } from "../pass.js";
import { runPipeline } from "../pass-manager.js";
import type { PipelineStep } from "../pipeline-text.js";

export type Feeds = Record<string, Tensor>;

export interface NumericBound {
  /** Absolute tolerance (default 0). */
  readonly abs?: number;
  /** Relative tolerance, times |before| (default 0). */
  readonly rel?: number;
}

export interface CheckPassOptions {
  /** Graphs to run the pass on (after `before`). */
  readonly graphs: fc.Arbitrary<Graph>;
  /** Runs graphs for the numeric check and for passes that need one (calibrate, fold-constants). */
  readonly executor: Executor;
  /** Feeds for a graph (default: uniform [-1, 1] f32, symbolic dims 2). */
  readonly inputs?: (g: Graph) => fc.Arbitrary<Feeds>;
  /** Numeric equivalence bound; omitted: no numeric check (reported in `skipped`). */
  readonly bound?: NumericBound;
  /** Pass options, as in pipeline text (`{ threshold: 0.01 }`). */
  readonly options?: Readonly<Record<string, unknown>>;
  /** Pipeline run first, to bring the graphs to the pass's stage ("rtn,fold-to-int"). */
  readonly before?: string | readonly PipelineStep[];
  /** Calibration data for `before` and the pass (default: none). */
  readonly data?: (g: Graph) => CalibrationData;
  readonly numRuns?: number;
  /** fast-check seed and path, to replay a failure (the error message gives both). */
  readonly seed?: number;
  readonly path?: string;
}

export interface CheckPassReport {
  readonly pass: string;
  readonly runs: number;
  /** Checks that ran on every graph. */
  readonly checked: readonly ("verifier" | "no-mutation" | "idempotent" | "numeric")[];
  /** Checks not run, each with the reason. */
  readonly skipped: readonly string[];
  /** Graphs the pass returned unchanged (the same object). */
  readonly unchanged: number;
  /** Largest |after − before| seen over all outputs and runs (numeric check only). */
  readonly maxAbsError: number;
}

/** Integer-valued dtypes get small non-negative values (index-safe), bool 0/1. */
function arbInput(dtype: string, shape: number[]): fc.Arbitrary<Tensor> {
  const n = shape.reduce((a, b) => a * b, 1);
  if (dtype === "f32")
    return fc.array(fc.float({ min: -1, max: 1, noNaN: true, noDefaultInfinity: true }), { minLength: n, maxLength: n }).map((v) => Tensor.f32(shape, v));
  if (dtype === "bool") return fc.array(fc.integer({ min: 0, max: 1 }), { minLength: n, maxLength: n }).map((v) => Tensor.fromNumbers("bool", shape, v));
  return fc.array(fc.integer({ min: 0, max: 1 }), { minLength: n, maxLength: n }).map((v) => Tensor.fromNumbers(dtype as never, shape, v));
}

/** Default feeds: every input, symbolic dims = `dim`. */
export function defaultInputs(g: Graph, dim = 2): fc.Arbitrary<Feeds> {
  const rec: Record<string, fc.Arbitrary<Tensor>> = {};
  for (const name of g.inputs) {
    const t = g.values[name]!;
    rec[name] = arbInput(t.dtype, t.shape.map((d) => (typeof d === "number" ? d : dim)));
  }
  return fc.record(rec) as fc.Arbitrary<Feeds>;
}

/** Where two tensors differ beyond the bound, or undefined; also the largest difference. */
export function compareWithin(a: Tensor, b: Tensor, bound: NumericBound): { error?: string; maxAbs: number } {
  if (a.shape.join() !== b.shape.join()) return { error: `shape [${a.shape.join(",")}] before, [${b.shape.join(",")}] after`, maxAbs: Infinity };
  const x = a.toF32();
  const y = b.toF32();
  const abs = bound.abs ?? 0;
  const rel = bound.rel ?? 0;
  let maxAbs = 0;
  for (let i = 0; i < x.length; i++) {
    const u = x[i]!;
    const v = y[i]!;
    if (Number.isNaN(u) || Number.isNaN(v)) {
      if (Number.isNaN(u) !== Number.isNaN(v)) return { error: `element ${i}: ${u} before, ${v} after`, maxAbs: Infinity };
      continue;
    }
    if (u === v) continue;
    const d = Math.abs(u - v);
    if (!(d <= abs + rel * Math.abs(u))) return { error: `element ${i}: ${u} before, ${v} after (|diff| ${d} > ${abs} + ${rel}·|before|)`, maxAbs: d };
    maxAbs = Math.max(maxAbs, d);
  }
  return { maxAbs };
}

function irOf(g: Graph): string {
  const t = printGraph(g);
  return t.length > 4000 ? `${t.slice(0, 4000)}\n... (${t.length} characters)` : t;
}

class CheckFailure extends Error {
  constructor(pass: string, what: string, g: Graph) {
    super(`checkPass(${pass}): ${what}\n--- input graph ---\n${irOf(g)}`);
  }
}

export async function checkPass(pass: PassDef | string, o: CheckPassOptions): Promise<CheckPassReport> {
  const def = typeof pass === "string" ? getPass(pass) : pass;
  if (!def) throw new Error(`checkPass: no pass named '${String(pass)}' is registered`);
  const step: PipelineStep = { pass: def.name, options: (o.options ?? {}) as PipelineStep["options"] };
  const checked: CheckPassReport["checked"][number][] = ["verifier", "no-mutation"];
  const skipped: string[] = [];
  if (def.idempotent) checked.push("idempotent");
  else skipped.push(`idempotence: pass '${def.name}' does not declare idempotent`);
  if (o.bound) checked.push("numeric");
  else skipped.push("numeric equivalence: no bound given (pass bound: { abs, rel } to check outputs before and after)");
  let runs = 0;
  let unchanged = 0;
  let maxAbsError = 0;
  // Graphs with the `before` pipeline applied, memoized per arbitrary value.
  const prepared = new WeakMap<Graph, Promise<Graph>>();
  const prepare = (g: Graph): Promise<Graph> => {
    let p = prepared.get(g);
    if (!p) {
      p = o.before ? runPipeline(g, o.before, { executor: o.executor, ...(o.data ? { data: o.data(g) } : {}), verifyEach: true }).then((r) => r.graph) : Promise.resolve(g);
      prepared.set(g, p);
    }
    return p;
  };
  const inputs = o.inputs ?? ((g: Graph) => defaultInputs(g));
  // Counterexamples print as IR and feed shapes, not as the JSON of the objects.
  const cases = o.graphs.chain((g) =>
    inputs(g).map((feeds) => ({
      g,
      feeds,
      [fc.toStringMethod]: () => `${irOf(g)}\nfeeds: ${Object.entries(feeds).map(([k, t]) => `${k}: ${t.dtype}[${t.shape.join(",")}] = ${Array.from(t.toF32().slice(0, 16)).join(", ")}${t.size > 16 ? ", ..." : ""}`).join("; ")}`,
    })),
  );
  const property = fc.asyncProperty(cases, async ({ g: raw, feeds }) => {
    runs++;
    const g = await prepare(raw);
    verify(g);
    const snapshot = printGraph(g);
    const ctx = { executor: o.executor, ...(o.data ? { data: o.data(raw) } : {}) };
    let out: Graph;
    try {
      out = (await runPipeline(g, [step], { ...ctx, verifyEach: false })).graph;
    } catch (e) {
      throw new CheckFailure(def.name, `the pass failed: ${(e as Error).message}`, g);
    }
    if (printGraph(g) !== snapshot) throw new CheckFailure(def.name, "the pass mutated its input graph", g);
    try {
      verify(out);
    } catch (e) {
      throw new CheckFailure(def.name, `the verifier rejects the output: ${(e as Error).message}\n--- output ---\n${irOf(out)}`, g);
    }
    if (def.ensures && out.stage !== def.ensures) throw new CheckFailure(def.name, `the output is at stage '${out.stage}', but the pass ensures '${def.ensures}'`, g);
    if (out === g) unchanged++;
    if (def.idempotent) {
      const once = printGraph(out);
      const twice = (await runPipeline(out, [step], { ...ctx, verifyEach: false })).graph;
      if (printGraph(twice) !== once) throw new CheckFailure(def.name, `declared idempotent, but a second run changed the graph:\n--- once ---\n${irOf(out)}\n--- twice ---\n${irOf(twice)}`, g);
    }
    if (o.bound) {
      const [a, b] = [await o.executor.run(g, feeds), await o.executor.run(out, feeds)];
      if (out.outputs.join("\u0000") !== g.outputs.join("\u0000")) throw new CheckFailure(def.name, `graph outputs changed: [${g.outputs.join(", ")}] → [${out.outputs.join(", ")}]`, g);
      for (const name of g.outputs) {
        const r = compareWithin(a[name]!, b[name]!, o.bound);
        if (r.error) throw new CheckFailure(def.name, `output '${name}' differs beyond the bound: ${r.error}`, g);
        maxAbsError = Math.max(maxAbsError, r.maxAbs);
      }
    }
  });
  const details = await fc.check(property, { numRuns: o.numRuns ?? 50, ...(o.seed !== undefined ? { seed: o.seed } : {}), ...(o.path !== undefined ? { path: o.path } : {}) });
  if (details.failed) {
    const e = details.errorInstance;
    const cause = e instanceof CheckFailure ? e.message : `checkPass(${def.name}): ${e instanceof Error ? e.message : String(e)}\n--- counterexample ---\n${details.counterexample ? fc.stringify(details.counterexample[0]) : "(none)"}`;
    throw new Error(`${cause}\n(after ${details.numRuns} run${details.numRuns === 1 ? "" : "s"}, shrunk ${details.numShrinks} times; replay with { seed: ${details.seed}, path: "${details.counterexamplePath ?? ""}" })`, { cause: e });
  }
  return { pass: def.name, runs, checked, skipped, unchanged, maxAbsError };
}
