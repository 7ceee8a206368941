/** Test helpers for the elementwise, reduction and softmax kernels: one-node graphs run through the interpreter. */
import fc from "fast-check";
import { GraphBuilder, Tensor, type Attrs, type DType, type TensorType } from "@quantpass/ir";
import { CpuInterpreter } from "../interpreter.js";

/**
 * Runs a one-node graph; inputs at `consts` become graph constants (axes and the like), the
 * rest graph inputs. Throws unless the kernel's output dtype and shape equal the inferred type
 * (every numeric inferred dim must match). With `symbolic`, graph inputs declare every dim n as
 * the symbol "n<n>" (equal sizes share a symbol, so feeds bind consistently).
 */
export function runOp(op: string, inputs: readonly (Tensor | undefined)[], attrs: Attrs = {}, consts: readonly number[] = [], symbolic = false): { out: Tensor; type: TensorType } {
  const b = new GraphBuilder("t");
  const feeds: Record<string, Tensor> = {};
  const names = inputs.map((t, i) => {
    if (!t) return "";
    if (consts.includes(i)) return b.constant(`c${i}`, t);
    feeds[`x${i}`] = t;
    return b.input(`x${i}`, t.dtype, symbolic ? t.shape.map((d) => `n${d}`) : t.shape);
  });
  const o = b.op1(op, names, attrs);
  b.output(o);
  const g = b.build();
  const out = new CpuInterpreter().runSync(g, feeds)[o]!;
  const type = g.values[o]!;
  if (out.dtype !== type.dtype || out.shape.length !== type.shape.length || type.shape.some((d, j) => typeof d === "number" && d !== out.shape[j]))
    throw new Error(`${op}: kernel output ${out.dtype}[${out.shape}] differs from inferred ${type.dtype}[${type.shape}]`);
  return { out, type };
}

/** The output tensor of runOp. */
export const run1 = (op: string, inputs: readonly (Tensor | undefined)[], attrs: Attrs = {}, consts: readonly number[] = []): Tensor =>
  runOp(op, inputs, attrs, consts).out;

export const f32 = (shape: readonly number[], v: readonly number[]) => Tensor.f32(shape, v);
export const t = (dtype: DType, shape: readonly number[], v: readonly number[]) => Tensor.fromNumbers(dtype, shape, v);
export const i64 = (shape: readonly number[], v: readonly (number | bigint)[]) => new Tensor("i64", shape, BigInt64Array.from(v.map((x) => BigInt(x))));
export const scalarI64 = (v: number) => i64([], [v]);
export const vals = (x: Tensor) => x.toNumbers();

/** Static shapes of rank 0..4 with small dims (0 allowed when `empty`). */
export const arbShape = (empty = false) => fc.array(fc.integer({ min: empty ? 0 : 1, max: 4 }), { maxLength: 4 });

/** A shape broadcast-compatible with `shape`: a suffix of it with some dims set to 1. */
export const arbBroadcastable = (shape: readonly number[]) =>
  fc.tuple(fc.nat({ max: shape.length }), fc.array(fc.boolean(), { minLength: shape.length, maxLength: shape.length }))
    .map(([drop, ones]) => shape.slice(drop).map((d, i) => (ones[i + drop] ? 1 : d)));

/** A tensor of `shape` with values from `gen`. */
export const arbTensorOf = (dtype: DType, shape: readonly number[], gen: fc.Arbitrary<number>) =>
  fc.array(gen, { minLength: shape.reduce((a, b) => a * b, 1), maxLength: shape.reduce((a, b) => a * b, 1) }).map((v) => Tensor.fromNumbers(dtype, shape, v));

/** f32 values, finite, including 0, halves and integers. */
export const arbF32 = fc.oneof(
  fc.float({ noNaN: true, noDefaultInfinity: true, min: -100, max: 100 }),
  fc.constantFrom(0, -0, 0.5, -0.5, 1.5, 2.5, -2.5, 1, -1, 3),
);

/** Flat index → multi-index for a row-major shape. */
export function unravel(i: number, shape: readonly number[]): number[] {
  const idx = new Array<number>(shape.length);
  for (let k = shape.length - 1; k >= 0; k--) {
    idx[k] = i % shape[k]!;
    i = Math.floor(i / shape[k]!);
  }
  return idx;
}

/** Row-major flat index of a multi-index (dims of size 1 broadcast). */
export function ravelBroadcast(idx: readonly number[], shape: readonly number[]): number {
  let f = 0;
  const off = idx.length - shape.length;
  for (let k = 0; k < shape.length; k++) f = f * shape[k]! + (shape[k] === 1 ? 0 : idx[k + off]!);
  return f;
}
