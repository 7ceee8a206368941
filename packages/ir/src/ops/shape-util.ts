/** Helpers shared by op type inference: broadcasting, axis normalisation, constant reads. */
import type { InferContext } from "../op-registry.js";
import type { Tensor } from "../tensor.js";
import type { DType } from "../dtype.js";
import type { Dim, TensorType } from "../types.js";

export const UNKNOWN: Dim = "?";

/** Numpy-style multidirectional broadcast of shapes; fails on a known mismatch. */
export function broadcastShapes(ctx: InferContext, shapes: readonly (readonly Dim[])[]): Dim[] {
  const rank = Math.max(0, ...shapes.map((s) => s.length));
  const out: Dim[] = [];
  for (let i = 0; i < rank; i++) {
    let d: Dim = 1;
    for (const s of shapes) {
      const k = s.length - rank + i;
      if (k < 0) continue;
      const e = s[k]!;
      if (e === 1) continue;
      if (d === 1) d = e;
      else if (typeof d === "number" && typeof e === "number") {
        if (d !== e) ctx.fail(`cannot broadcast shapes ${shapes.map((x) => `[${x.join(",")}]`).join(" and ")}`);
      } else if (typeof d !== "number" && typeof e === "number") d = e;
      else if (typeof d === "string" && typeof e === "string" && d !== e) d = UNKNOWN;
    }
    out.push(d);
  }
  return out;
}

/** Normalises a possibly negative axis for a tensor of the given rank. */
export function normAxis(ctx: InferContext, axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= rank) ctx.fail(`axis ${axis} out of range for rank ${rank}`);
  return a;
}

/** The input type at i, failing with a clear message if it is missing. */
export function input(ctx: InferContext, i: number): TensorType {
  const t = ctx.inputs[i];
  if (!t) return ctx.fail(`input ${i} is missing or has no type`);
  return t;
}

/** Integer values of a constant input (shape, axes, pads...), or undefined when not constant. */
export function constInts(ctx: InferContext, i: number): number[] | undefined {
  const t: Tensor | undefined = ctx.constant(i);
  return t ? t.toNumbers() : undefined;
}

export function unknownShape(rank: number): Dim[] {
  return new Array<Dim>(rank).fill(UNKNOWN);
}

/** Product of dims, or "?" when any is not a known number. */
export function dimProduct(dims: readonly Dim[]): Dim {
  let p = 1;
  for (const d of dims) {
    if (typeof d !== "number") return UNKNOWN;
    p *= d;
  }
  return p;
}

export function same(t: TensorType): TensorType[] {
  return [{ dtype: t.dtype, shape: t.shape }];
}

/** The input type at i when present (undefined for an omitted optional input). */
export function optionalInput(ctx: InferContext, i: number): TensorType | undefined {
  return ctx.node.inputs[i] ? input(ctx, i) : undefined;
}

/** Fails unless input i's dtype is one of `allowed` (`what` names the class, e.g. "a float type"). */
export function requireDType(ctx: InferContext, i: number, allowed: readonly DType[], what: string): TensorType {
  const t = input(ctx, i);
  if (!allowed.includes(t.dtype)) ctx.fail(`input ${i} must be ${what}, got ${t.dtype}`);
  return t;
}

/** Fails unless the inputs at `indices` share one dtype; returns it. */
export function requireSameDType(ctx: InferContext, indices: readonly number[]): DType {
  const ts = indices.map((i) => input(ctx, i));
  const d = ts[0]!.dtype;
  for (let k = 1; k < ts.length; k++)
    if (ts[k]!.dtype !== d) ctx.fail(`input dtypes differ: ${d} and ${ts[k]!.dtype} (inputs ${indices[0]} and ${indices[k]})`);
  return d;
}

/**
 * Output shape of a reduction over `axes` (already normalised, no duplicates);
 * `axes` undefined means the axes are not known at compile time: keepdims keeps the
 * rank with "?" dims, otherwise the rank is `shape.length - knownCount` ("?" dims).
 */
export function reduceShape(shape: readonly Dim[], axes: readonly number[] | undefined, keepdims: boolean, knownCount?: number): Dim[] {
  if (!axes) return keepdims ? unknownShape(shape.length) : unknownShape(Math.max(0, shape.length - (knownCount ?? shape.length)));
  const out: Dim[] = [];
  shape.forEach((d, k) => {
    if (!axes.includes(k)) out.push(d);
    else if (keepdims) out.push(1);
  });
  return out;
}

/** Normalises a list of possibly negative axes; fails on out-of-range or repeated axes. */
export function normAxes(ctx: InferContext, axes: readonly number[], rank: number): number[] {
  const out = axes.map((a) => normAxis(ctx, a, rank));
  if (new Set(out).size !== out.length) ctx.fail(`repeated axis in [${axes.join(",")}]`);
  return out;
}

/** ONNX TensorProto.DataType codes of the IR dtypes (float8 types have no IR dtype). */
export const ONNX_DTYPE_CODES: Readonly<Record<number, DType>> = {
  1: "f32", 2: "u8", 3: "i8", 4: "u16", 5: "i16", 6: "i32", 7: "i64", 8: "string", 9: "bool",
  10: "f16", 11: "f64", 12: "u32", 13: "u64", 16: "bf16", 21: "u4", 22: "i4",
};

/** The IR dtype of an ONNX TensorProto.DataType code, or undefined (complex, float8, unknown). */
export function dtypeFromOnnxCode(code: number): DType | undefined {
  return ONNX_DTYPE_CODES[code];
}

/** The ONNX TensorProto.DataType code of an IR dtype. */
export function onnxCodeOfDType(d: DType): number {
  for (const [k, v] of Object.entries(ONNX_DTYPE_CODES)) if (v === d) return Number(k);
  throw new Error(`dtype ${d} has no ONNX code`);
}

/** Dtype classes for op type constraints (ONNX's tensor(float) etc.). */
export const FLOAT_TYPES: readonly DType[] = ["f32", "f16", "bf16", "f64"];
export const SIGNED_INT_TYPES: readonly DType[] = ["i8", "i16", "i32", "i64"];
export const UNSIGNED_INT_TYPES: readonly DType[] = ["u8", "u16", "u32", "u64"];
export const NUMERIC_TYPES: readonly DType[] = [...FLOAT_TYPES, ...SIGNED_INT_TYPES, ...UNSIGNED_INT_TYPES];
export const SIGNED_NUMERIC_TYPES: readonly DType[] = [...FLOAT_TYPES, ...SIGNED_INT_TYPES];
