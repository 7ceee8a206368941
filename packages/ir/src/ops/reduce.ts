/**
 * Reductions in their opset-18+ form (axes as an optional second input), ArgMax/ArgMin and
 * CumSum. Omitted or empty axes reduce every axis, unless noop_with_empty_axes=1 (identity).
 */
import { defineOp, type InferContext } from "../op-registry.js";
import type { TensorType } from "../types.js";
import {
  NUMERIC_TYPES, constInts, normAxes, normAxis, optionalInput, reduceShape, requireDType,
} from "./shape-util.js";

const WITH_BOOL = [...NUMERIC_TYPES, "bool"] as const;

function inferReduce(ctx: InferContext): TensorType[] {
  // ReduceMax/ReduceMin also take bool (opset 20).
  const minMax = ctx.node.op === "ReduceMax" || ctx.node.op === "ReduceMin";
  const x = minMax ? requireDType(ctx, 0, WITH_BOOL, "a numeric or bool type") : requireDType(ctx, 0, NUMERIC_TYPES, "a numeric type");
  const keep = ctx.attr<number>("keepdims") !== 0;
  const axesType = optionalInput(ctx, 1);
  if (axesType && axesType.dtype !== "i64") ctx.fail(`axes must be i64, got ${axesType.dtype}`);
  const count = axesType && axesType.shape.length === 1 && typeof axesType.shape[0] === "number" ? axesType.shape[0] : undefined;
  const axes = !axesType || count === 0 ? [] : constInts(ctx, 1);
  // Axes not known at compile time: "?" dims; the rank is known with keepdims or a known axes count.
  if (!axes) return [{ dtype: x.dtype, shape: reduceShape(x.shape, undefined, keep, count) }];
  if (axes.length === 0) {
    if (ctx.attr<number>("noop_with_empty_axes")) return [{ dtype: x.dtype, shape: x.shape }];
    return [{ dtype: x.dtype, shape: reduceShape(x.shape, x.shape.map((_, i) => i), keep) }];
  }
  return [{ dtype: x.dtype, shape: reduceShape(x.shape, normAxes(ctx, axes, x.shape.length), keep) }];
}

for (const [name, doc] of [
  ["ReduceSum", "sum over axes"],
  ["ReduceMean", "mean over axes (integers: truncated)"],
  ["ReduceMax", "maximum over axes (empty: -inf or the dtype minimum)"],
  ["ReduceMin", "minimum over axes (empty: +inf or the dtype maximum)"],
  ["ReduceProd", "product over axes"],
  ["ReduceL1", "sum of |x| over axes"],
  ["ReduceL2", "sqrt of the sum of x^2 over axes"],
  ["ReduceLogSum", "log of the sum over axes"],
  ["ReduceLogSumExp", "log of the sum of e^x over axes, computed stably"],
  ["ReduceSumSquare", "sum of x^2 over axes"],
] as const)
  defineOp({
    name,
    doc,
    inputs: ["data", "axes"],
    minInputs: 1,
    outputs: ["reduced"],
    attrs: {
      keepdims: { kind: "int", default: 1, doc: "keep reduced axes as size 1" },
      noop_with_empty_axes: { kind: "int", default: 0, doc: "empty or omitted axes: 1 = identity, 0 = reduce all" },
    },
    infer: inferReduce,
  });

for (const [name, doc] of [
  ["ArgMax", "index (i64) of the maximum along axis; first occurrence unless select_last_index"],
  ["ArgMin", "index (i64) of the minimum along axis; first occurrence unless select_last_index"],
] as const)
  defineOp({
    name,
    doc,
    inputs: ["data"],
    outputs: ["reduced"],
    attrs: {
      axis: { kind: "int", default: 0 },
      keepdims: { kind: "int", default: 1 },
      select_last_index: { kind: "int", default: 0 },
    },
    infer(ctx) {
      const x = requireDType(ctx, 0, NUMERIC_TYPES, "a numeric type");
      const a = normAxis(ctx, ctx.attr<number>("axis"), x.shape.length);
      return [{ dtype: "i64", shape: reduceShape(x.shape, [a], ctx.attr<number>("keepdims") !== 0) }];
    },
  });

defineOp({
  name: "CumSum",
  doc: "cumulative sum along the axis given by a scalar input (exclusive: shifted by one; reverse: from the end)",
  inputs: ["x", "axis"],
  outputs: ["y"],
  attrs: { exclusive: { kind: "int", default: 0 }, reverse: { kind: "int", default: 0 } },
  infer(ctx) {
    const x = requireDType(ctx, 0, NUMERIC_TYPES, "a numeric type");
    const ax = requireDType(ctx, 1, ["i32", "i64"], "i32 or i64");
    if (ax.shape.length > 1) ctx.fail(`axis must be a scalar, got rank ${ax.shape.length}`);
    const a = constInts(ctx, 1);
    if (a && a.length === 1) normAxis(ctx, a[0]!, x.shape.length);
    return [{ dtype: x.dtype, shape: x.shape }];
  },
});
