/**
 * Graph → the ONNX-op graph the OrtExecutor runs, at any stage:
 *
 *   %y = observe(%x) {...}                 →  %y = Identity(%x)        (same output name, so a
 *                                                                        fetched observer output is a graph output)
 *   %y = fake_quant(%w) {...}, %w constant  →  %y = constant: the interpreter's fake_quant of %w
 *                                              (the fake_quant kernel's own function, so the weights are its bits; any
 *                                              storage and granularity, any opset)
 *   %y = fake_quant(%x) {...}              →  %q = QuantizeLinear(%x, s, zp){axis, block_size}
 *                                             %y = DequantizeLinear(%q, s, zp){axis, block_size}
 *
 * QuantizeLinear divides in f32, rounds half to even and saturates; DequantizeLinear computes
 * f32((q - zp) · s): the interpreter's quantizeValue / dequantizeValue, so activations are
 * bit-identical for finite inputs (NaN: the kernel gives zp, onnxruntime saturates). Per-group
 * activations (block_size) and int4 activations need opset 21 (the exporter names the value).
 * A graph with int ops or quantized values then goes through lowerQuantized (qdq by default).
 * Quant ops inside If branches are not lowered (the exporter names the node).
 */
import {
  makeInferContext, getOp, nodeReads, quantFromAttrs, Tensor, UnsupportedOpError,
  type Attrs, type Graph, type Node, type QuantType, type TensorType,
} from "@quantpass/ir";
import { fakeQuantTensorFast } from "../cpu/kernels/quant-tensor.js";
import { lowerQuantized, type QuantFormat } from "./quant/export-quant.js";
import { paramShape, zeroPointTensor } from "./quant/params.js";

/** Ops of the int stage that lowerQuantized turns into ONNX. */
const INT_OPS = new Set(["quantize", "dequantize", "kv_quant", "kv_dequant", "dynamic_quant", "quant_matmul", "weight_quant_matmul"]);

export interface OrtLowered {
  readonly graph: Graph;
  /** Target opset chosen (the int exporter's when the graph had int ops, else undefined: the caller's). */
  readonly opset?: number;
}

/** The QuantType a fake_quant node's attributes describe, for an input of the given shape. */
function nodeQuant(n: Node, t: TensorType): QuantType {
  const def = getOp(n.op)!;
  const ic = makeInferContext(def, n, () => undefined, () => undefined);
  if (t.dtype !== "f32")
    throw new UnsupportedOpError(`onnxruntime: node '${n.name}' (fake_quant) reads ${t.dtype}; only f32-expressed fake_quant is lowered`, n.name);
  return quantFromAttrs(ic, t.shape, "f32");
}

/** observe → Identity, fake_quant → folded constant or QuantizeLinear/DequantizeLinear. */
export function lowerObserveFakeQuant(g: Graph): Graph {
  if (!g.nodes.some((n) => n.op === "observe" || n.op === "fake_quant")) return g;
  const values: Record<string, TensorType> = { ...g.values };
  const constants: Record<string, Tensor> = { ...g.constants };
  const fresh = (prefix: string) => {
    let name = prefix;
    for (let k = 1; name in values; k++) name = `${prefix}_${k}`;
    return name;
  };
  const constant = (prefix: string, t: Tensor) => {
    const name = fresh(prefix);
    constants[name] = t;
    values[name] = { dtype: t.dtype, shape: t.shape };
    return name;
  };
  const folded = new Set<string>();
  const nodes: Node[] = [];
  for (const n of g.nodes) {
    if (n.op === "observe") {
      nodes.push({ name: n.name, op: "Identity", inputs: [n.inputs[0]!], outputs: [n.outputs[0]!], attrs: {} });
      continue;
    }
    if (n.op !== "fake_quant") {
      nodes.push(n);
      continue;
    }
    const x = n.inputs[0]!, y = n.outputs[0]!;
    const w = constants[x];
    if (w) {
      const q = nodeQuant(n, { dtype: w.dtype, shape: w.shape });
      constants[y] = fakeQuantTensorFast(w, q);
      values[y] = { dtype: "f32", shape: w.shape };
      folded.add(x);
      continue;
    }
    const xt = values[x];
    if (!xt) throw new UnsupportedOpError(`onnxruntime: node '${n.name}' reads '${x}', which has no type`, n.name);
    const q = nodeQuant(n, xt);
    const gr = q.granularity;
    let shape: number[] = [];
    if (gr.kind === "per-group") {
      if (!xt.shape.every((d) => typeof d === "number"))
        throw new UnsupportedOpError(`onnxruntime: node '${n.name}' (per-group fake_quant) needs a static shape for '${x}', got [${xt.shape.join(",")}]`, n.name);
      shape = paramShape(q, xt.shape as number[]);
    } else if (gr.kind === "per-axis") shape = [q.scale!.length];
    const scale = constant(`${n.name}_scale`, new Tensor("f32", shape, Float32Array.from(q.scale!)));
    const zp = constant(`${n.name}_zero_point`, zeroPointTensor(q, shape));
    const attrs: Attrs = gr.kind === "per-axis" ? { axis: gr.axis } : gr.kind === "per-group" ? { axis: gr.axis, block_size: gr.groupSize } : {};
    const qv = fresh(`${y}_q`);
    values[qv] = { dtype: q.storage, shape: xt.shape };
    nodes.push({ name: `${n.name}/quantize`, op: "QuantizeLinear", inputs: [x, scale, zp], outputs: [qv], attrs });
    nodes.push({ name: `${n.name}/dequantize`, op: "DequantizeLinear", inputs: [qv, scale, zp], outputs: [y], attrs });
  }
  // Float weights only the folded fake_quants read are left out of the session.
  if (folded.size) {
    const read = new Set<string>(g.outputs);
    for (const n of nodes) for (const v of nodeReads(n)) read.add(v);
    for (const c of folded)
      if (!read.has(c)) {
        delete constants[c];
        delete values[c];
      }
  }
  return { ...g, nodes, values, constants };
}

/** The graph in ONNX ops: observe/fake_quant lowered here, int ops by lowerQuantized in `format`. */
export function lowerForOrt(g: Graph, format: QuantFormat = "qdq", opset?: number): OrtLowered {
  const plain = lowerObserveFakeQuant(g);
  // An already-lowered graph (ONNX ops only, no QuantTypes; e.g. lowerQuantized's output) runs as it is.
  const isInt = plain.nodes.some((n) => INT_OPS.has(n.op)) || Object.values(plain.values).some((t) => t.quant);
  if (!isInt) return { graph: plain };
  const l = lowerQuantized({ ...plain, stage: "int" }, { format, ...(opset !== undefined ? { opset } : {}) });
  return { graph: l.graph, opset: l.opset };
}
