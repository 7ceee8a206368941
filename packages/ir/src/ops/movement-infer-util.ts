/** Test helper for the data-movement op tests: one node over graph inputs ([dtype, shape]) and constants (Tensor), verified. */
import { GraphBuilder } from "../builder.js";
import type { DType } from "../dtype.js";
import { Tensor } from "../tensor.js";
import type { Dim, TensorType } from "../types.js";
import { verify } from "../verifier.js";
import "./index.js";

export type InferInput = [DType, Dim[]] | Tensor | undefined;

/** Output types of `op`; the built graph must pass the verifier. */
export function inferTypes(op: string, ins: readonly InferInput[], attrs = {}, outputs = 1): TensorType[] {
  const b = new GraphBuilder("g");
  const names = ins.map((t, i) => (t === undefined ? "" : t instanceof Tensor ? b.constant(`c${i}`, t) : b.input(`x${i}`, t[0], t[1])));
  const ys = b.op(op, names, attrs, { outputs });
  b.output(...ys);
  verify(b.build());
  return ys.map((y) => b.typeOf(y)!);
}

export const inferShapes = (op: string, ins: readonly InferInput[], attrs = {}, outputs = 1) =>
  inferTypes(op, ins, attrs, outputs).map((t) => t.shape);

/** An i64 vector constant; ±9223372036854775807 (which doubles round to ±2^63) saturate. */
export const i64c = (v: readonly number[]) =>
  new Tensor("i64", [v.length], BigInt64Array.from(v.map((x) => (x >= 2 ** 63 ? 2n ** 63n - 1n : x <= -(2 ** 63) ? 1n - 2n ** 63n : BigInt(x)))));
