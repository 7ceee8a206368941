/** Test helpers for the data-movement kernels: one-node graphs with constant shape inputs. */
import fc from "fast-check";
import { GraphBuilder, Tensor, type Attrs, type DType, type TensorType } from "@quantpass/ir";
import { CpuInterpreter } from "../interpreter.js";

export interface RunOpts {
  /** Number of outputs (default 1). */
  outputs?: number;
  /** Inputs that become graph constants (default: every input but the first). */
  consts?: readonly number[];
  /** Whether every inferred dim must be known (default: when all shape inputs are constant). */
  exact?: boolean;
}

/**
 * Runs `op` through the interpreter. Inputs listed in `consts` are graph constants, so
 * shape-carrying inputs infer precisely; every numeric inferred dim must equal the kernel's,
 * and when all shape inputs are constant no dim may be "?".
 */
export function run(op: string, inputs: readonly (Tensor | undefined)[], attrs: Attrs = {}, opts: RunOpts = {}): Tensor[] {
  return runTyped(op, inputs, attrs, opts).outs;
}

export function runTyped(op: string, inputs: readonly (Tensor | undefined)[], attrs: Attrs = {}, opts: RunOpts = {}): { outs: Tensor[]; types: TensorType[] } {
  const consts = opts.consts ?? inputs.map((_, i) => i).filter((i) => i > 0);
  const b = new GraphBuilder("t");
  const feeds: Record<string, Tensor> = {};
  const names = inputs.map((t, i) => {
    if (!t) return "";
    if (consts.includes(i)) return b.constant(`c${i}`, t);
    feeds[`x${i}`] = t;
    return b.input(`x${i}`, t.dtype, t.shape);
  });
  const outs = b.op(op, names, attrs, { outputs: opts.outputs ?? 1 });
  b.output(...outs);
  const g = b.build();
  const res = new CpuInterpreter().runSync(g, feeds);
  const allConst = opts.exact ?? inputs.every((t, i) => !t || i === 0 || consts.includes(i));
  const types = outs.map((o) => g.values[o]!);
  const got = outs.map((o, k) => {
    const t = res[o]!;
    const want = types[k]!;
    const bad =
      t.dtype !== want.dtype ||
      t.shape.length !== want.shape.length ||
      want.shape.some((d, j) => (typeof d === "number" ? d !== t.shape[j] : allConst));
    if (bad) throw new Error(`${op}: kernel output ${t.dtype}[${t.shape}] differs from inferred ${want.dtype}[${want.shape}]`);
    return t;
  });
  return { outs: got, types };
}

/** i64 tensor from numbers; ±9223372036854775807 (which doubles round up to 2^63) saturate. */
export const i64 = (shape: readonly number[], v: readonly number[]) =>
  new Tensor("i64", shape, BigInt64Array.from(v.map((x) => (x >= 2 ** 63 ? 2n ** 63n - 1n : x <= -(2 ** 63) ? -(2n ** 63n) + 1n : BigInt(x)))));
export const i64v = (v: readonly number[]) => i64([v.length], v);
export const f32 = (shape: readonly number[], v?: readonly number[]) => Tensor.f32(shape, v ?? Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => i));
export const nums = (t: Tensor) => t.toNumbers();

/** A tensor of `shape` whose element i encodes i exactly in any movable dtype. */
export function iota(dtype: DType, shape: readonly number[]): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  if (dtype === "string") return new Tensor("string", shape, Array.from({ length: n }, (_, i) => `s${i}`));
  if (dtype === "i64") return new Tensor("i64", shape, BigInt64Array.from({ length: n }, (_, i) => 1_000_000_000_000n * BigInt(i) + 7n));
  if (dtype === "bool") return Tensor.fromNumbers("bool", shape, Array.from({ length: n }, (_, i) => i % 3 === 0 ? 1 : 0));
  const mod = dtype === "u8" || dtype === "i8" ? 100 : 1e6;
  return Tensor.fromNumbers(dtype, shape, Array.from({ length: n }, (_, i) => i % mod));
}

/** Element i as a comparable value (bigint for i64, string for strings). */
export function elem(t: Tensor, i: number): unknown {
  if (t.dtype === "string") return (t.data as string[])[i];
  if (t.dtype === "i64") return (t.data as BigInt64Array)[i];
  return t.get(i);
}

export const elems = (t: Tensor): unknown[] => Array.from({ length: t.size }, (_, i) => elem(t, i));

/** Row-major multi-index of flat index i. */
export function unravel(i: number, shape: readonly number[]): number[] {
  const idx = new Array<number>(shape.length);
  for (let k = shape.length - 1; k >= 0; k--) { idx[k] = i % shape[k]!; i = Math.floor(i / shape[k]!); }
  return idx;
}

export function ravel(idx: readonly number[], shape: readonly number[]): number {
  let f = 0;
  for (let k = 0; k < shape.length; k++) f = f * shape[k]! + idx[k]!;
  return f;
}

export const arbMoveDType = fc.constantFrom<DType>("f32", "i64", "f16", "u8", "bool", "i32", "string", "f64");
export const arbDims = (maxRank = 4, maxDim = 4) => fc.array(fc.integer({ min: 1, max: maxDim }), { minLength: 1, maxLength: maxRank });
