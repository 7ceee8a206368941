/**
 * Constant folding of integer shape arithmetic during lowering. Exporters compute shapes at run
 * time (Shape → Size → Sub → ConstantOfShape → Concat → Reshape); when the input shapes are
 * static, folding those chains lets inference see constant shape inputs (the IR cannot
 * represent an unknown rank). Only exact integer/bool work is folded, never float math:
 *   s = Shape(x: f32[2,3]); n = Size(s); r = Sub(n, [1])   →   constants [2,3], 2, [1]
 */
import { getOp, inferNode, isInt, isStaticShape, Tensor, type DType } from "@quantpass/ir";
import { coerceAttr, i64Tensor } from "./convert.js";
import type { NormContext, OnnxNode } from "./opset/index.js";

/** Folded outputs larger than this stay as nodes. */
const MAX_ELEMENTS = 4096;

const isIntLike = (d: DType) => isInt(d) || d === "bool";

type Folder = (ins: Tensor[], node: OnnxNode, out: readonly number[][], ctx: NormContext) => Tensor[] | undefined;

function make(dtype: DType, shape: readonly number[], values: readonly number[]): Tensor {
  return dtype === "i64" ? i64Tensor(values as number[], shape) : Tensor.fromNumbers(dtype, shape, values);
}

/** Index into a broadcast operand for flat output index i. */
function broadcastIndex(i: number, outShape: readonly number[], inShape: readonly number[]): number {
  let idx = 0, stride = 1, rem = i;
  const off = outShape.length - inShape.length;
  const coords = new Array<number>(outShape.length);
  for (let k = outShape.length - 1; k >= 0; k--) { coords[k] = rem % outShape[k]!; rem = Math.floor(rem / outShape[k]!); }
  for (let k = inShape.length - 1; k >= 0; k--) {
    const d = inShape[k]!;
    idx += (d === 1 ? 0 : coords[k + off]!) * stride;
    stride *= d;
  }
  return idx;
}

function elementwise(dtype: (ins: Tensor[]) => DType, f: (...xs: number[]) => number): Folder {
  return (ins, _n, out) => {
    const shape = out[0]!;
    const n = shape.reduce((a, b) => a * b, 1);
    const vals = Array.from({ length: n }, (_, i) => f(...ins.map((t) => t.get(broadcastIndex(i, shape, t.shape)))));
    return [make(dtype(ins), shape, vals)];
  };
}

const first = (ins: Tensor[]) => ins[0]!.dtype;
const bool = () => "bool" as DType;
const reshaped: Folder = (ins, _n, out) => [ins[0]!.withShape(out[0]!)];

const FOLDERS: Readonly<Record<string, Folder>> = {
  Identity: reshaped, Reshape: reshaped, Squeeze: reshaped, Unsqueeze: reshaped, Flatten: reshaped,
  Add: elementwise(first, (a, b) => a + b),
  Sub: elementwise(first, (a, b) => a - b),
  Mul: elementwise(first, (a, b) => a * b),
  Div: elementwise(first, (a, b) => Math.trunc(a / b)),
  Neg: elementwise(first, (a) => -a),
  Abs: elementwise(first, (a) => Math.abs(a)),
  Min: elementwise(first, (...xs) => Math.min(...xs)),
  Max: elementwise(first, (...xs) => Math.max(...xs)),
  Equal: elementwise(bool, (a, b) => Number(a === b)),
  Less: elementwise(bool, (a, b) => Number(a < b)),
  Greater: elementwise(bool, (a, b) => Number(a > b)),
  Not: elementwise(bool, (a) => Number(!a)),
  And: elementwise(bool, (a, b) => Number(a && b)),
  Or: elementwise(bool, (a, b) => Number(a || b)),
  Where: elementwise((ins) => ins[1]!.dtype, (c, a, b) => (c ? a : b)),
  Cast(ins, node, out) {
    const to = node.attrs.get("to");
    const t = ins[0]!;
    const target = new Map<number, DType>([[6, "i32"], [7, "i64"], [9, "bool"], [1, "f32"]]).get(to as number);
    if (!target) return undefined;
    return [make(target, out[0]!, t.toNumbers().map((v) => (target === "bool" ? Number(v !== 0) : v)))];
  },
  Concat(ins, _n, out) {
    if (!ins.every((t) => t.shape.length === 1)) return undefined;
    return [make(ins[0]!.dtype, out[0]!, ins.flatMap((t) => t.toNumbers()))];
  },
  Gather(ins, node, out) {
    const [data, idx] = ins as [Tensor, Tensor];
    const rank = data.shape.length;
    const a0 = coerceAttr("int", node.attrs.get("axis") ?? 0) as number;
    const axis = a0 < 0 ? a0 + rank : a0;
    const outer = data.shape.slice(0, axis).reduce((p, q) => p * q, 1);
    const inner = data.shape.slice(axis + 1).reduce((p, q) => p * q, 1);
    const dim = data.shape[axis]!;
    const vals: number[] = [];
    for (let o = 0; o < outer; o++)
      for (let j = 0; j < idx.size; j++) {
        const k = idx.get(j) < 0 ? idx.get(j) + dim : idx.get(j);
        if (k < 0 || k >= dim) return undefined;
        for (let i = 0; i < inner; i++) vals.push(data.get((o * dim + k) * inner + i));
      }
    return [make(data.dtype, out[0]!, vals)];
  },
  Slice(ins, _n, out) {
    const [data, starts, ends, axes, steps] = ins;
    if (data!.shape.length !== 1 || (axes && axes.size !== 1)) return undefined;
    const n = data!.shape[0]!;
    const step = steps ? steps.get(0) : 1;
    const clamp = (v: number, lo: number, hi: number) => Math.max(lo, Math.min(hi, v < 0 ? v + n : v));
    const vals: number[] = [];
    if (step > 0) for (let i = clamp(starts!.get(0), 0, n), e = clamp(ends!.get(0), 0, n); i < e; i += step) vals.push(data!.get(i));
    else for (let i = clamp(starts!.get(0), -1, n - 1), e = clamp(ends!.get(0), -1, n - 1); i > e; i += step) vals.push(data!.get(i));
    return vals.length === out[0]![0] ? [make(data!.dtype, out[0]!, vals)] : undefined;
  },
  Range(ins) {
    const [s, l, d] = ins.map((t) => t.get(0)) as [number, number, number];
    const n = Math.max(Math.ceil((l - s) / d), 0);
    if (!(n <= MAX_ELEMENTS)) return undefined;
    return [make(ins[0]!.dtype, [n], Array.from({ length: n }, (_, i) => s + i * d))];
  },
  ConstantOfShape(_ins, node, out) {
    const v = node.attrs.get("value");
    const fill = v instanceof Tensor ? v : Tensor.f32([1], [0]);
    return [make(fill.dtype, out[0]!, new Array<number>(out[0]!.reduce((a, b) => a * b, 1)).fill(fill.get(0)))];
  },
};

/** Output shapes of the node as inference sees it, when all are static. */
function staticOutShapes(node: OnnxNode, ctx: NormContext): number[][] | undefined {
  const def = getOp(node.op);
  if (!def) return undefined;
  const attrs: Record<string, number | string | number[] | string[] | Tensor> = {};
  for (const [k, v] of node.attrs) {
    const spec = def.attrs[k];
    const c = spec ? coerceAttr(spec.kind, v) : undefined;
    if (c === undefined) return undefined;
    attrs[k] = c;
  }
  try {
    const types = inferNode({ name: node.name, op: node.op, inputs: node.inputs, outputs: node.outputs, attrs }, ctx.typeOf, ctx.constantOf);
    const shapes = types.map((t) => t.shape);
    return shapes.every(isStaticShape) ? (shapes as number[][]) : undefined;
  } catch {
    return undefined;
  }
}

/** The node's outputs as constants, or undefined when it is not foldable. */
export function tryFold(node: OnnxNode, ctx: NormContext): Tensor[] | undefined {
  if (node.op === "Shape" || node.op === "Size") {
    const t = ctx.typeOf(node.inputs[0] ?? "");
    if (!t || !isStaticShape(t.shape)) return undefined;
    if (node.op === "Size") return [i64Tensor([t.shape.reduce((a, b) => a * b, 1)], [])];
    const r = t.shape.length;
    const norm = (v: number) => Math.max(0, Math.min(r, v < 0 ? v + r : v));
    const start = norm(coerceAttr("int", node.attrs.get("start") ?? 0) as number);
    const end = norm(coerceAttr("int", node.attrs.get("end") ?? r) as number);
    return [i64Tensor(t.shape.slice(start, Math.max(start, end)))];
  }
  const folder = FOLDERS[node.op];
  if (!folder || node.outputs.length !== 1) return undefined;
  const ins: Tensor[] = [];
  for (const i of node.inputs) {
    if (!i) { ins.push(undefined as unknown as Tensor); continue; }
    const c = ctx.constantOf(i);
    if (!c || c.dtype === "string" || (!isIntLike(c.dtype) && node.op !== "ConstantOfShape")) return undefined;
    ins.push(c);
  }
  const out = staticOutShapes(node, ctx);
  if (!out || out.some((s) => s.reduce((a, b) => a * b, 1) > MAX_ELEMENTS)) return undefined;
  const res = folder(ins, node, out, ctx);
  return res && res.every((t) => isIntLike(t.dtype) || node.op === "ConstantOfShape") ? res : undefined;
}
