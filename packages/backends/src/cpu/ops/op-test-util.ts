/** Test helpers for the kernel tests: run one op through the interpreter, naive references. */
import { GraphBuilder, Tensor, type Attrs } from "@quantpass/ir";
import { CpuInterpreter } from "../interpreter.js";

/**
 * Runs `op` on the given inputs (undefined: omitted optional input) through the cpu
 * interpreter and checks that every output has the dtype and shape the op table infers.
 */
export function runOp(op: string, inputs: readonly (Tensor | undefined)[], attrs: Attrs = {}, outputs = 1): Tensor[] {
  const b = new GraphBuilder("t");
  const feeds: Record<string, Tensor> = {};
  const names = inputs.map((t, i) => {
    if (!t) return "";
    feeds[`x${i}`] = t;
    return b.input(`x${i}`, t.dtype, t.shape);
  });
  const outs = b.op(op, names, attrs, { outputs });
  b.output(...outs);
  const g = b.build();
  const res = new CpuInterpreter().runSync(g, feeds);
  return outs.map((o) => {
    const t = res[o]!;
    const want = g.values[o]!;
    if (t.dtype !== want.dtype || t.shape.length !== want.shape.length || t.shape.some((d, k) => want.shape[k] !== d))
      throw new Error(`${op}: kernel output ${t.dtype}[${t.shape}] differs from inferred ${want.dtype}[${want.shape}]`);
    return t;
  });
}

/** Max |a - b| over two equal-length arrays (Infinity on a length mismatch or a NaN mismatch). */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let d = 0;
  for (let i = 0; i < a.length; i++) {
    if (Number.isNaN(a[i]!) !== Number.isNaN(b[i]!)) return Infinity;
    if (!Number.isNaN(a[i]!)) d = Math.max(d, Math.abs(a[i]! - b[i]!));
  }
  return d;
}

/** Deterministic small integers in [lo, hi] (exact in f32 products), as f32 data. */
export function smallInts(n: number, seed: number, lo = -3, hi = 3): Float32Array {
  let s = seed >>> 0 || 1;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s ^= s << 13; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    out[i] = lo + (s % (hi - lo + 1));
  }
  return out;
}
