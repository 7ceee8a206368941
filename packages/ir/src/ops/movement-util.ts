/** Inference helpers shared by the data-movement op groups (shape, slice, gather, ...). */
import type { InferContext } from "../op-registry.js";
import type { Dim } from "../types.js";
import type { Tensor } from "../tensor.js";
import { constInts, UNKNOWN } from "./shape-util.js";

/**
 * Length of a 1-D shape-carrying input (Reshape shape, Slice starts...): from its constant
 * value or its declared type; undefined when unknown.
 */
export function vectorLength(ctx: InferContext, i: number): number | undefined {
  const c = ctx.constant(i);
  if (c) return c.size;
  const t = ctx.inputs[i];
  if (!t) return undefined;
  if (t.shape.length === 0) return 1;
  if (t.shape.length !== 1) ctx.fail(`input ${i} must be 1-D, got rank ${t.shape.length}`);
  const d = t.shape[0]!;
  return typeof d === "number" ? d : undefined;
}

/** Like vectorLength but fails when the length (hence an output rank) cannot be determined. */
export function requireVectorLength(ctx: InferContext, i: number, what: string): number {
  const n = vectorLength(ctx, i);
  if (n === undefined) ctx.fail(`cannot determine the output rank: ${what} has unknown length`);
  return n;
}

/** Constant integer values of optional input i; undefined when omitted or not constant. */
export function optConstInts(ctx: InferContext, i: number): number[] | undefined {
  return ctx.node.inputs[i] ? constInts(ctx, i) : undefined;
}

/**
 * Product of dims keeping symbols where possible: [seq] → seq, [seq, 1] → seq,
 * [2, 3] → 6, [batch, seq] → "?".
 */
export function symProduct(dims: readonly Dim[]): Dim {
  let p = 1;
  let sym: Dim | undefined;
  for (const d of dims) {
    if (typeof d === "number") p *= d;
    else if (sym === undefined && d !== UNKNOWN) sym = d;
    else return p === 0 ? 0 : UNKNOWN;
  }
  if (sym === undefined) return p;
  if (p === 0) return 0;
  return p === 1 ? sym : UNKNOWN;
}

/**
 * The dim that makes prod(others) * x == prod(total), cancelling named symbols that
 * appear on both sides: total [batch, seq, 12, 64], others [batch, 768] → seq.
 */
export function solveDim(total: readonly Dim[], others: readonly Dim[]): Dim {
  const syms = new Map<string, number>();
  let num = 1, den = 1;
  for (const d of total) {
    if (typeof d === "number") num *= d;
    else if (d === UNKNOWN) return UNKNOWN;
    else syms.set(d, (syms.get(d) ?? 0) + 1);
  }
  for (const d of others) {
    if (typeof d === "number") den *= d;
    else if (d === UNKNOWN || !syms.get(d)) return UNKNOWN;
    else syms.set(d, syms.get(d)! - 1);
  }
  const left = [...syms.entries()].filter(([, c]) => c > 0);
  if (den === 0) return UNKNOWN;
  if (left.length === 0) return num % den === 0 ? num / den : UNKNOWN;
  if (left.length === 1 && left[0]![1] === 1 && num === den) return left[0]![0];
  return UNKNOWN;
}

/** Clamps a Shape/Slice-style bound: negative counts from the end, then clamped into [lo, hi]. */
export function clampBound(v: number, dim: number, lo: number, hi: number): number {
  const x = v < 0 ? v + dim : v;
  return Math.min(Math.max(x, lo), hi);
}

/**
 * ONNX Slice bounds for one axis: returns [start, count] given start/end/step and the dim.
 * Negative start/end count from the end; positive steps clamp into [0, dim], negative steps
 * into [0, dim-1] for start and [-1, dim-1] for end.
 */
export function sliceBounds(start: number, end: number, step: number, dim: number): [number, number] {
  if (step === 0) throw new Error("slice step must not be 0");
  const s = step > 0 ? clampBound(start, dim, 0, dim) : clampBound(start, dim, 0, dim - 1);
  const e = step > 0 ? clampBound(end, dim, 0, dim) : clampBound(end, dim, -1, dim - 1);
  const count = step > 0 ? Math.ceil((e - s) / step) : Math.ceil((s - e) / -step);
  return [s, Math.max(0, count)];
}

/** Variadic outputs: the registry has no trailing "..." for outputs, so list enough names. */
export function manyOutputs(name: string, n = 1024): string[] {
  return Array.from({ length: n }, (_, k) => `${name}${k}`);
}

/** Opset-18 equal split: ceil(d / n) per part, the last part smaller. */
export function splitSizes(d: number, n: number): number[] {
  const c = Math.ceil(d / n);
  return Array.from({ length: n }, (_, i) => Math.max(0, Math.min(c, d - c * i)));
}

/**
 * Range's element count, max(ceil((limit - start) / delta), 0) from the three scalar tensors:
 * exact BigInt arithmetic for i64, the difference rounded to f32 for f32 (as onnxruntime).
 */
export function rangeLength(start: Tensor, limit: Tensor, delta: Tensor): number {
  if (start.dtype === "i64") {
    const [a, b, c] = [start, limit, delta].map((t) => (t.data as BigInt64Array)[0]!) as [bigint, bigint, bigint];
    if (c === 0n) return 0;
    const diff = b - a;
    if (diff === 0n || diff > 0n !== c > 0n) return 0;
    return Number((diff + c - (c > 0n ? 1n : -1n)) / c);
  }
  const [a, b, c] = [start, limit, delta].map((t) => t.get(0)) as [number, number, number];
  const diff = start.dtype === "f32" ? Math.fround(b - a) : b - a;
  return c === 0 ? 0 : Math.max(0, Math.ceil(diff / c));
}

/**
 * Resize output size for the resized axes: from sizes (with keep_aspect_ratio_policy) or
 * floor(dim * scale). Shared with the cpu kernel so both agree exactly.
 */
export function resizeOutput(inDims: readonly number[], scales: readonly number[] | undefined, sizes: readonly number[] | undefined, policy: string): { size: number[]; scale: number[] } {
  if (sizes) {
    let scale = sizes.map((s, i) => s / inDims[i]!);
    if (policy === "not_larger" || policy === "not_smaller") {
      const s = policy === "not_larger" ? Math.min(...scale) : Math.max(...scale);
      scale = scale.map(() => s);
      return { size: inDims.map((d) => Math.floor(s * d + 0.5)), scale };
    }
    return { size: [...sizes], scale };
  }
  return { size: inDims.map((d, i) => Math.floor(Math.fround(d * scales![i]!))), scale: [...scales!] };
}
