/**
 * Integer helpers of the quantized kernels (MatMulInteger, QLinearMatMul, ConvInteger,
 * QLinearConv): operands minus zero points as Int32Array, and f32 requantization
 *   y = clamp(round_half_even(f32(f32(acc) * f32(f32(s_a * s_b) / s_y))) + zp_y, qmin, qmax)
 * (onnxruntime's MLAS order: the accumulator converted to f32, one f32 multiply by the
 * combined scale, round to nearest even, add the zero point, saturate).
 */
import { Tensor, intRange, roundHalfEven, type DType } from "@quantpass/ir";

const f32 = Math.fround;

/** The elements of a u8/i8 tensor as numbers (its own storage). */
export function q8(t: Tensor, what: string, fail: (m: string) => never): Uint8Array | Int8Array {
  if (t.dtype !== "u8" && t.dtype !== "i8") fail(`${what} must be u8 or i8, got ${t.dtype}`);
  return t.data as Uint8Array | Int8Array;
}

/**
 * Per-group values of an optional scale or zero point (per tensor: 1 value; otherwise one
 * per group, `groups` = number of rows/columns/channels it may be given for). `alt` is an
 * accepted larger size (e.g. per row of every batch entry). Returns a function of the group.
 */
export function groupParam(t: Tensor | undefined, dflt: number, sizes: readonly number[], what: string, fail: (m: string) => never): Float64Array {
  if (!t) return Float64Array.of(dflt);
  if (t.size === 1) return Float64Array.of(t.get(0));
  if (!sizes.includes(t.size)) fail(`${what} has ${t.size} values, expected 1 or ${sizes.join(" or ")}`);
  return Float64Array.from(t.toNumbers());
}

/** Combined f32 multiplier s_a * s_b / s_y as onnxruntime computes it. */
export function multiplier(sa: number, sb: number, sy: number): number {
  return f32(f32(f32(sa) * f32(sb)) / f32(sy));
}

/** Saturating requantization of one int32 accumulator (see the file comment). */
export function requantize(acc: number, mult: number, zp: number, qmin: number, qmax: number): number {
  const v = roundHalfEven(f32(f32(acc) * mult)) + zp;
  return v < qmin ? qmin : v > qmax ? qmax : v;
}

export function q8Range(d: DType): [number, number] {
  return intRange(d);
}

/** A u8/i8 output tensor over the given storage values. */
export function q8Tensor(dtype: DType, shape: readonly number[], n: number): { t: Tensor; data: Uint8Array | Int8Array } {
  const data = dtype === "u8" ? new Uint8Array(n) : new Int8Array(n);
  return { t: new Tensor(dtype, shape, data), data };
}
