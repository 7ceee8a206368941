/** Test helper: infers an output type of one op over fresh graph inputs (used by the op group tests). */
import { GraphBuilder } from "../builder.js";
import type { Attrs } from "../graph.js";
import type { DType } from "../dtype.js";
import type { Dim, TensorType } from "../types.js";
import "./index.js";

/** Output k of `op` over inputs of the given types (null: omitted optional input). */
export function inferOne(op: string, ins: readonly (readonly [DType, readonly Dim[]] | null)[], attrs: Attrs = {}, k = 0): TensorType | undefined {
  const b = new GraphBuilder("t");
  const names = ins.map((t, i) => (t ? b.input(`x${i}`, t[0], t[1]) : ""));
  const outs = b.op(op, names, attrs, { outputs: k + 1 });
  return b.typeOf(outs[k]!);
}
