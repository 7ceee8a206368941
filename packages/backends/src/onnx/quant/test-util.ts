/**
 * Helpers of the quantized-export tests: onnxruntime sessions at optimization 'basic' (QDQ
 * transformers off unless asked, see README.md), comparisons, and two checks of a QDQ-style
 * export against the interpreter.
 *
 * directCheck runs both free: every QuantizeLinear output must be the interpreter's bit for bit.
 * oracleCheck is for files where that does not hold: onnxruntime's float Conv/MatMul sum in
 * another order than the interpreter's, so a value that lands within float noise of a rounding
 * boundary (k + 1/2 steps) may quantize one step apart, and the next layer then sees different
 * integers. It feeds the interpreter onnxruntime's own QuantizeLinear outputs (teacher forcing),
 * so each layer is compared on equal integer inputs: its integers must agree except at such
 * near-ties (which are counted and returned). Both require every graph output to agree (integers
 * bit for bit, floats within `rel` of the tensor's largest magnitude; an output that is a
 * QuantizeLinear's is checked as the layers are).
 */
import * as ort from "onnxruntime-node";
import { Tensor, type Graph, type Node } from "@quantpass/ir";
import { CpuInterpreter } from "../../cpu/interpreter.js";
import { exportOnnxBytes } from "../export.js";
import { fromOrt, toOrt } from "../ort-tensor.js";

export const cpu = new CpuInterpreter();

export interface OrtOptions {
  /**
   * Let onnxruntime run its QDQ graph transformers (onnxruntime's own default). Default false:
   * the session sets `session.disable_quant_qdq = "1"`, as OrtExecutor does (see README.md).
   */
  readonly qdqTransforms?: boolean;
}

/** Runs the file in onnxruntime at optimization 'basic', one thread; returns every graph output. */
export async function runOrt(bytes: Uint8Array, feeds: Readonly<Record<string, Tensor>>, opts: OrtOptions = {}): Promise<Record<string, Tensor>> {
  const s = await ort.InferenceSession.create(bytes, {
    graphOptimizationLevel: "basic", logSeverityLevel: 3, intraOpNumThreads: 1, interOpNumThreads: 1,
    ...(opts.qdqTransforms ? {} : { extra: { session: { disable_quant_qdq: "1" } } }),
  });
  try {
    const out = await s.run(Object.fromEntries(Object.entries(feeds).map(([k, t]) => [k, toOrt(t, k)])));
    return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, fromOrt(v, k)]));
  } finally {
    await s.release();
  }
}

const isFloat = (t: Tensor) => t.dtype === "f32" || t.dtype === "f16" || t.dtype === "bf16";

/** max |a - b| / max |b| (0 when both are all zero). */
export function relDiff(a: Tensor, b: Tensor): number {
  if (a.size !== b.size) return Infinity;
  const x = a.toF32(), y = b.toF32();
  let d = 0, m = 0;
  for (let i = 0; i < x.length; i++) {
    d = Math.max(d, Math.abs(x[i]! - y[i]!));
    m = Math.max(m, Math.abs(y[i]!));
  }
  return d === 0 ? 0 : m === 0 ? Infinity : d / m;
}

/** Equal dtype, shape and elements (floats bitwise). */
export function identical(a: Tensor, b: Tensor): boolean {
  if (a.dtype !== b.dtype || a.shape.join() !== b.shape.join()) return false;
  if (isFloat(a)) {
    const x = new Uint32Array(Float32Array.from(a.toF32()).buffer), y = new Uint32Array(Float32Array.from(b.toF32()).buffer);
    return x.every((v, i) => v === y[i]);
  }
  for (let i = 0; i < a.size; i++) if (a.get(i) !== b.get(i)) return false;
  return true;
}

/** Integer outputs bit for bit, float outputs within `rel`; returns the largest float difference. */
function compareOutputs(names: readonly string[], ortOut: Record<string, Tensor>, cpuOut: Record<string, Tensor>, rel: number): number {
  let worstRel = 0;
  for (const o of names) {
    const a = ortOut[o]!, b = cpuOut[o]!;
    if (!isFloat(b)) {
      if (!identical(a, b)) throw new Error(`integer output '${o}' differs between onnxruntime and the interpreter`);
      continue;
    }
    const r = relDiff(a, b);
    if (!(r <= rel)) throw new Error(`output '${o}': relative difference ${r} > ${rel}`);
    worstRel = Math.max(worstRel, r);
  }
  return worstRel;
}

/**
 * Runs the lowered graph in onnxruntime and in the interpreter, both free-running, with every
 * QuantizeLinear output fetched; throws unless each is bit for bit the interpreter's and the
 * graph outputs agree. The report's `flips` is 0.
 */
export async function directCheck(lowered: Graph, opset: number, feeds: Readonly<Record<string, Tensor>>, opts: OrtOptions & { rel?: number } = {}): Promise<OracleReport> {
  const taps = lowered.nodes.filter((n) => n.op === "QuantizeLinear").map((n) => n.outputs[0]!);
  const ortOut = await runOrt(exportOnnxBytes({ ...lowered, outputs: [...new Set([...lowered.outputs, ...taps])] }, { opset }), feeds, opts);
  const cpuOut = await cpu.run(lowered, feeds, { fetch: taps.filter((t) => !lowered.outputs.includes(t)) });
  let quantized = 0;
  for (const t of taps) {
    const a = ortOut[t]!, b = cpuOut[t]!;
    quantized += a.size;
    let d = 0;
    for (let i = 0; i < a.size; i++) if (a.get(i) !== b.get(i)) d++;
    if (d) throw new Error(`'${t}': ${d} of ${a.size} elements differ between onnxruntime and the interpreter`);
  }
  const worstRel = compareOutputs(lowered.outputs.filter((o) => !taps.includes(o)), ortOut, cpuOut, opts.rel ?? 1e-5);
  return { quantized, flips: 0, worstRel, ort: Object.fromEntries(lowered.outputs.map((o) => [o, ortOut[o]!])) };
}

export interface OracleReport {
  /** Quantized activation elements compared, and how many were near-tie flips. */
  readonly quantized: number;
  readonly flips: number;
  /** Largest relative difference of a float graph output. */
  readonly worstRel: number;
  /** onnxruntime's graph outputs. */
  readonly ort: Record<string, Tensor>;
}

/**
 * Runs the lowered graph in onnxruntime and, teacher-forced, in the interpreter (see the file
 * comment); throws with the first disagreement that is not a near-tie of a per-tensor
 * QuantizeLinear (|x/scale - (k + 1/2)| <= tie steps, one step apart).
 */
export async function oracleCheck(lowered: Graph, opset: number, feeds: Readonly<Record<string, Tensor>>, opts: OrtOptions & { rel?: number; tie?: number } = {}): Promise<OracleReport> {
  const rel = opts.rel ?? 1e-5, tie = opts.tie ?? 1e-3;
  const qnodes = lowered.nodes.filter((n) => n.op === "QuantizeLinear");
  const taps = qnodes.map((n) => n.outputs[0]!);
  const ortOut = await runOrt(exportOnnxBytes({ ...lowered, outputs: [...new Set([...lowered.outputs, ...taps])] }, { opset }), feeds, opts);
  // Each QuantizeLinear writes a shadow value; its real output becomes an input fed from onnxruntime.
  const shadow = (v: string) => `${v}#cpu`;
  const forced: Graph = {
    ...lowered,
    inputs: [...lowered.inputs, ...taps],
    outputs: lowered.outputs.filter((o) => !taps.includes(o)),
    values: { ...lowered.values, ...Object.fromEntries(taps.map((v) => [shadow(v), lowered.values[v]!])) },
    nodes: lowered.nodes.map((n): Node => (qnodes.includes(n) ? { ...n, outputs: [shadow(n.outputs[0]!)] } : n)),
  };
  const cpuOut = await cpu.run(forced, { ...feeds, ...Object.fromEntries(taps.map((v) => [v, ortOut[v]!])) }, {
    fetch: [...taps.map(shadow), ...qnodes.map((n) => n.inputs[0]!)],
  });
  let quantized = 0, flips = 0;
  for (const n of qnodes) {
    const v = n.outputs[0]!, a = ortOut[v]!, b = cpuOut[shadow(v)]!;
    const scale = lowered.constants[n.inputs[1]!]!;
    const x = cpuOut[n.inputs[0]!]!.toF32();
    quantized += a.size;
    for (let i = 0; i < a.size; i++) {
      if (a.get(i) === b.get(i)) continue;
      const t = Math.fround(x[i]! / scale.get(0));
      const nearTie = scale.size === 1 && Math.abs(a.get(i) - b.get(i)) === 1 && Math.abs(t - Math.floor(t) - 0.5) <= tie;
      if (!nearTie) throw new Error(`${n.name}: element ${i} quantizes to ${a.get(i)} in onnxruntime, ${b.get(i)} in the interpreter (x/scale = ${t})`);
      flips++;
    }
  }
  const worstRel = compareOutputs(forced.outputs, ortOut, cpuOut, rel);
  const ortOutputs = Object.fromEntries(lowered.outputs.map((o) => [o, ortOut[o]!]));
  return { quantized, flips, worstRel, ort: ortOutputs };
}

/** Deterministic pseudo-random f32 values in [lo, hi). */
export function randomTensor(shape: readonly number[], seed: number, lo = -1, hi = 1): Tensor {
  let s = seed >>> 0 || 1;
  const n = shape.reduce((a, b) => a * b, 1);
  const d = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    d[i] = lo + ((s >>> 8) / 2 ** 24) * (hi - lo);
  }
  return new Tensor("f32", shape, d);
}
