/**
 * Indexing ops (ONNX semantics, opset 21): Gather, GatherElements, GatherND, ScatterElements,
 * ScatterND. Indices are i32 or i64; negative indices count from the end of the axis.
 */
import { defineOp, type InferContext } from "../op-registry.js";
import type { TensorType } from "../types.js";
import { input, normAxis } from "./shape-util.js";

function indexType(ctx: InferContext, i: number): TensorType {
  const t = input(ctx, i);
  if (t.dtype !== "i64" && t.dtype !== "i32") ctx.fail(`indices must be i64 or i32, got ${t.dtype}`);
  return t;
}

export const SCATTER_REDUCTIONS = ["none", "add", "mul", "max", "min"] as const;

function checkReduction(ctx: InferContext): void {
  const r = ctx.attr<string>("reduction");
  if (!(SCATTER_REDUCTIONS as readonly string[]).includes(r)) ctx.fail(`unknown reduction '${r}'`);
}

defineOp({
  name: "Gather",
  doc: "select slices of data along `axis` at the given indices: out = data[:axis] + indices.shape + data[axis+1:]",
  inputs: ["data", "indices"],
  outputs: ["output"],
  attrs: { axis: { kind: "int", default: 0, doc: "gather axis" } },
  infer(ctx) {
    const x = input(ctx, 0);
    const idx = indexType(ctx, 1);
    const a = normAxis(ctx, ctx.attr<number>("axis"), x.shape.length);
    return [{ dtype: x.dtype, shape: [...x.shape.slice(0, a), ...idx.shape, ...x.shape.slice(a + 1)] }];
  },
});

defineOp({
  name: "GatherElements",
  doc: "out[i][j][k] = data[index][j][k] with index = indices[i][j][k] on `axis` (output has the indices' shape)",
  inputs: ["data", "indices"],
  outputs: ["output"],
  attrs: { axis: { kind: "int", default: 0, doc: "gather axis" } },
  infer(ctx) {
    const x = input(ctx, 0);
    const idx = indexType(ctx, 1);
    if (idx.shape.length !== x.shape.length) ctx.fail(`indices rank ${idx.shape.length} differs from data rank ${x.shape.length}`);
    normAxis(ctx, ctx.attr<number>("axis"), x.shape.length);
    return [{ dtype: x.dtype, shape: idx.shape }];
  },
});

defineOp({
  name: "GatherND",
  doc: "gather slices addressed by the last dim of indices (after `batch_dims` leading batch dims)",
  inputs: ["data", "indices"],
  outputs: ["output"],
  attrs: { batch_dims: { kind: "int", default: 0, doc: "leading dims shared by data and indices" } },
  infer(ctx) {
    const x = input(ctx, 0);
    const idx = indexType(ctx, 1);
    const b = ctx.attr<number>("batch_dims");
    const q = idx.shape.length;
    if (q < 1) ctx.fail("indices must have rank >= 1");
    if (b < 0 || b >= q || b >= x.shape.length) ctx.fail(`batch_dims ${b} out of range`);
    const m = idx.shape[q - 1]!;
    if (typeof m !== "number") return ctx.fail("the last dim of indices must be known to infer the output rank");
    if (b + m > x.shape.length) ctx.fail(`indices address ${m} dims after ${b} batch dims of a rank-${x.shape.length} tensor`);
    return [{ dtype: x.dtype, shape: [...idx.shape.slice(0, q - 1), ...x.shape.slice(b + m)] }];
  },
});

defineOp({
  name: "ScatterElements",
  doc: "copy of data with updates written at indices along `axis` (optionally reduced: add/mul/max/min)",
  inputs: ["data", "indices", "updates"],
  outputs: ["output"],
  attrs: {
    axis: { kind: "int", default: 0, doc: "scatter axis" },
    reduction: { kind: "string", default: "none", doc: SCATTER_REDUCTIONS.join(" | ") },
  },
  infer(ctx) {
    const x = input(ctx, 0);
    const idx = indexType(ctx, 1);
    const u = input(ctx, 2);
    if (u.dtype !== x.dtype) ctx.fail(`updates must be ${x.dtype}, got ${u.dtype}`);
    if (idx.shape.length !== x.shape.length || u.shape.length !== x.shape.length)
      ctx.fail("data, indices and updates must have the same rank");
    normAxis(ctx, ctx.attr<number>("axis"), x.shape.length);
    checkReduction(ctx);
    return [{ dtype: x.dtype, shape: x.shape }];
  },
});

defineOp({
  name: "ScatterND",
  doc: "copy of data with update slices written at the addresses in indices (optionally reduced)",
  inputs: ["data", "indices", "updates"],
  outputs: ["output"],
  attrs: { reduction: { kind: "string", default: "none", doc: SCATTER_REDUCTIONS.join(" | ") } },
  infer(ctx) {
    const x = input(ctx, 0);
    const idx = indexType(ctx, 1);
    const u = input(ctx, 2);
    if (u.dtype !== x.dtype) ctx.fail(`updates must be ${x.dtype}, got ${u.dtype}`);
    const q = idx.shape.length;
    const m = idx.shape[q - 1];
    if (q < 1) ctx.fail("indices must have rank >= 1");
    if (typeof m === "number") {
      if (m > x.shape.length) ctx.fail(`indices address ${m} dims of a rank-${x.shape.length} tensor`);
      const want = q - 1 + x.shape.length - m;
      if (u.shape.length !== want) ctx.fail(`updates must have rank ${want}, got ${u.shape.length}`);
    }
    checkReduction(ctx);
    return [{ dtype: x.dtype, shape: x.shape }];
  },
});
