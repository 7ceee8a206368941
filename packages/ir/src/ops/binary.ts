/** Elementwise binary ops with numpy broadcasting (ONNX semantics). */
import { defineOp, type InferContext } from "../op-registry.js";
import type { TensorType } from "../types.js";
import { broadcastShapes, input } from "./shape-util.js";

function sameDtypeBroadcast(ctx: InferContext): TensorType[] {
  const a = input(ctx, 0);
  const b = input(ctx, 1);
  if (a.dtype !== b.dtype) ctx.fail(`input dtypes differ: ${a.dtype} and ${b.dtype}`);
  return [{ dtype: a.dtype, shape: broadcastShapes(ctx, [a.shape, b.shape]) }];
}

for (const [name, doc] of [
  ["Add", "a + b with broadcasting"],
  ["Sub", "a - b with broadcasting"],
  ["Mul", "a * b with broadcasting"],
  ["Div", "a / b with broadcasting (integer division truncates)"],
] as const)
  defineOp({ name, doc, inputs: ["a", "b"], outputs: ["c"], attrs: {}, infer: sameDtypeBroadcast });
