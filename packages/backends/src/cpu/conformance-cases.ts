/**
 * ONNX backend node cases (Debian libonnx-testdata) for the cpu interpreter: loading a case,
 * classifying it (unsupported: the frontend rejects an op or opset, or an op has no cpu kernel),
 * running test_data_set_0 and comparing with the expected outputs the way ONNX's backend tests
 * do (exact for integers and bool, allclose rtol 1e-3 atol 1e-5 for floats, NaN equals NaN).
 * The frontend is passed in, so this module depends only on ir and formats.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { decodeOnnx, onnx, onnxTensorToRaw } from "@quantpass/formats";
import { isFloat, isGraph, Tensor, UnsupportedOpError, getOp, type DType, type Graph } from "@quantpass/ir";
import { getKernel } from "./kernel-registry.js";
import { CpuInterpreter } from "./interpreter.js";

export const NODE_CASES_DIR = "/usr/share/libonnx-testdata/data/node";

/**
 * Cases whose expected outputs come from a random generator the interpreter does not reproduce
 * (Bernoulli, Random*; training-mode Dropout does reproduce numpy's masks and runs): listed as
 * unsupported rather than run.
 */
export const RANDOM_OUTPUT_CASES = /^test_(bernoulli|random)/;

export type Lower = (model: onnx.IModelProto, opts: { file?: string }) => Graph;

export interface PreparedCase {
  readonly name: string;
  readonly status: "ready" | "unsupported" | "failed";
  readonly reason?: string;
  /** Ops (`ir:Op` not in the op table, `cpu:Op` without a kernel) that make the case unsupported. */
  readonly missing?: readonly string[];
  readonly graph?: Graph;
  readonly inputs?: Readonly<Record<string, Tensor>>;
  readonly expected?: readonly Tensor[];
}

export interface CaseResult {
  readonly name: string;
  readonly status: "passed" | "failed" | "unsupported";
  readonly reason?: string;
  readonly missing?: readonly string[];
  readonly ms?: number;
}

export function listCases(dir = NODE_CASES_DIR): string[] {
  return readdirSync(dir).filter((c) => existsSync(join(dir, c, "model.onnx"))).sort();
}

function readTensor(path: string): Tensor {
  const raw = onnxTensorToRaw(onnx.TensorProto.decode(readFileSync(path)), path);
  return new Tensor(raw.dtype as DType, raw.dims, raw.data);
}

function dataFiles(dir: string, prefix: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.startsWith(prefix) && f.endsWith(".pb"))
    .sort((a, b) => Number(a.slice(prefix.length, -3)) - Number(b.slice(prefix.length, -3)))
    .map((f) => join(dir, f));
}

/** ONNX ops of the model (any depth) that the IR op table lacks. */
function missingIrOps(model: onnx.IModelProto): string[] {
  const out = new Set<string>();
  const walk = (g: onnx.IGraphProto) => {
    for (const n of g.node ?? []) {
      const domain = n.domain && n.domain !== "ai.onnx" ? `${n.domain}.` : "";
      if (n.opType !== "Constant" && (domain || !getOp(n.opType ?? ""))) out.add(`ir:${domain}${n.opType}`);
      for (const a of n.attribute ?? []) if (a.g) walk(a.g);
    }
  };
  if (model.graph) walk(model.graph);
  return [...out].sort();
}

/** IR ops of the graph (any depth) without a cpu kernel. */
export function missingKernels(g: Graph): string[] {
  const out = new Set<string>();
  const walk = (h: Graph) => {
    for (const n of h.nodes) {
      if (!getKernel(n.op)) out.add(`cpu:${n.op}`);
      for (const a of Object.values(n.attrs)) if (isGraph(a)) walk(a);
    }
  };
  walk(g);
  return [...out].sort();
}

/** Loads and lowers a case and reads its test_data_set_0. */
export function prepareCase(name: string, lower: Lower, dir = NODE_CASES_DIR): PreparedCase {
  const file = join(dir, name, "model.onnx");
  if (RANDOM_OUTPUT_CASES.test(name)) return { name, status: "unsupported", reason: "random outputs (numpy RNG): not comparable" };
  let model: onnx.IModelProto;
  let graph: Graph;
  try {
    model = decodeOnnx(readFileSync(file), { file, baseDir: join(dir, name) });
  } catch (e) {
    return { name, status: "failed", reason: `decode: ${msg(e)}` };
  }
  const data = join(dir, name, "test_data_set_0");
  let ins: Tensor[] = [], expected: Tensor[] = [];
  let dataError: string | undefined; // reported only if the model lowers (sequence data does not parse)
  try {
    ins = dataFiles(data, "input_").map(readTensor);
    expected = dataFiles(data, "output_").map(readTensor);
    fitInputShapes(model, ins);
  } catch (e) {
    dataError = `test data: ${msg(e)}`;
  }
  try {
    graph = lower(model, { file: `${name}/model.onnx` });
  } catch (e) {
    if (e instanceof UnsupportedOpError) return { name, status: "unsupported", reason: msg(e), missing: missingIrOps(model) };
    return { name, status: "failed", reason: `lowering: ${msg(e)}` };
  }
  const missing = missingKernels(graph);
  if (missing.length) return { name, status: "unsupported", reason: `no cpu kernel for ${missing.map((m) => m.slice(4)).join(", ")}`, missing };
  if (dataError) return { name, status: "failed", reason: dataError };
  if (ins.length !== graph.inputs.length)
    return { name, status: "failed", reason: `case has ${ins.length} inputs, the graph ${graph.inputs.length}` };
  const inputs: Record<string, Tensor> = {};
  graph.inputs.forEach((k, i) => (inputs[k] = asDeclared(ins[i]!, graph.values[k]!.dtype)));
  const outs = expected.map((t, i) => (graph.outputs[i] ? asDeclared(t, graph.values[graph.outputs[i]!]!.dtype) : t));
  return { name, status: "ready", graph, inputs, expected: outs };
}

/**
 * A few cases feed data whose shape contradicts the declared input shape (test_castlike_*:
 * declared [3,4], fed [1]); like ONNX's runner, the data wins: such inputs are re-declared.
 */
function fitInputShapes(model: onnx.IModelProto, ins: readonly Tensor[]): void {
  const inits = new Set((model.graph?.initializer ?? []).map((t) => t.name));
  const declared = (model.graph?.input ?? []).filter((vi) => !inits.has(vi.name));
  declared.forEach((vi, i) => {
    const t = ins[i];
    const shape = vi.type?.tensorType?.shape;
    if (!t || !shape) return;
    const dims = shape.dim ?? [];
    const fits = dims.length === t.shape.length && dims.every((d, k) => d.dimValue == null || Number(d.dimValue) === t.shape[k]);
    if (!fits) shape.dim = t.shape.map((n) => ({ dimValue: n }));
  });
}

/** numpy has no bfloat16: ONNX's generator stores bf16 test data as uint16 bits. */
function asDeclared(t: Tensor, dtype: DType): Tensor {
  return t.dtype === "u16" && dtype === "bf16" ? new Tensor("bf16", t.shape, t.data) : t;
}

/** Runs a prepared case on the cpu interpreter. */
export function runCase(c: PreparedCase): CaseResult {
  if (c.status !== "ready") return { name: c.name, status: c.status, reason: c.reason, missing: c.missing };
  const t0 = performance.now();
  try {
    const out = new CpuInterpreter().runSync(c.graph!, c.inputs!);
    const ms = performance.now() - t0;
    const outs = c.graph!.outputs;
    if (outs.length !== c.expected!.length) return { name: c.name, status: "failed", reason: `graph has ${outs.length} outputs, case expects ${c.expected!.length}`, ms };
    for (let k = 0; k < outs.length; k++) {
      const why = compareTensors(out[outs[k]!]!, c.expected![k]!);
      if (why) return { name: c.name, status: "failed", reason: `output '${outs[k]}': ${why}`, ms };
    }
    return { name: c.name, status: "passed", ms };
  } catch (e) {
    return { name: c.name, status: "failed", reason: `run: ${msg(e)}`, ms: performance.now() - t0 };
  }
}

/** Why `got` differs from `want`, or undefined when they match. */
export function compareTensors(got: Tensor, want: Tensor, rtol0 = 1e-3, atol = 1e-5): string | undefined {
  // The reference data truncates float → bfloat16 (libonnx-testdata 1.12); quantpass rounds to
  // nearest even like current ONNX, so bf16 results may differ by one bf16 ulp (2^-7 relative).
  const rtol = want.dtype === "bf16" ? Math.max(rtol0, 2 ** -7) : rtol0;
  if (got.dtype !== want.dtype) return `dtype ${got.dtype}, expected ${want.dtype}`;
  if (got.shape.length !== want.shape.length || got.shape.some((d, i) => d !== want.shape[i]))
    return `shape [${got.shape}], expected [${want.shape}]`;
  if (want.dtype === "string") {
    const g = got.data as string[], w = want.data as string[];
    const i = w.findIndex((s, k) => s !== g[k]);
    return i < 0 ? undefined : `element ${i} is '${g[i]}', expected '${w[i]}'`;
  }
  const exact = !isFloat(want.dtype);
  let bad = -1, worst = 0, count = 0;
  for (let i = 0; i < want.size; i++) {
    const a = got.get(i), b = want.get(i);
    if (Number.isNaN(a) && Number.isNaN(b)) continue;
    if (a === b) continue;
    const diff = Math.abs(a - b);
    if (exact || !(diff <= atol + rtol * Math.abs(b))) {
      count++;
      if (bad < 0 || diff > worst) { bad = i; worst = diff; }
    }
  }
  if (bad < 0) return undefined;
  return `${count} of ${want.size} elements differ; worst at ${bad}: ${got.get(bad)} vs expected ${want.get(bad)}`;
}

/** The report: tally line, failures with reasons, unsupported cases, missing ops by case count. */
export function formatReport(results: readonly CaseResult[]): { text: string; summary: string } {
  const passed = results.filter((r) => r.status === "passed");
  const failed = results.filter((r) => r.status === "failed");
  const unsupported = results.filter((r) => r.status === "unsupported");
  const tally = `conformance: ${passed.length} passed, ${failed.length} failed`;
  const byOp = new Map<string, number>();
  for (const r of unsupported) for (const m of r.missing ?? []) byOp.set(m, (byOp.get(m) ?? 0) + 1);
  const top = [...byOp].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  const slow = results.filter((r) => (r.ms ?? 0) > 500).map((r) => `  ${r.name}: ${Math.round(r.ms!)} ms`);
  const lines = [
    tally,
    `(${unsupported.length} unsupported, ${results.length} cases)`,
    "",
    `failed (${failed.length}):`,
    ...failed.map((r) => `  ${r.name}: ${r.reason}`),
    "",
    `unsupported (${unsupported.length}):`,
    ...unsupported.map((r) => `  ${r.name}: ${r.reason}`),
    "",
    "missing ops by case count (ir: not in the op table, cpu: no kernel):",
    ...top.map(([op, n]) => `  ${op}: ${n}`),
    ...(slow.length ? ["", "slow cases (> 500 ms):", ...slow] : []),
  ];
  const summary = [
    tally,
    `  ${unsupported.length} unsupported; top missing: ${top.slice(0, 12).map(([op, n]) => `${op} (${n})`).join(", ") || "none"}`,
    ...(failed.length ? [`  failing: ${failed.slice(0, 20).map((r) => r.name).join(", ")}${failed.length > 20 ? ", ..." : ""}`] : []),
  ].join("\n");
  return { text: lines.join("\n") + "\n", summary };
}

function msg(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).replace(/\s*\n\s*/g, " ");
}
