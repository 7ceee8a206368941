/** Pooling (ONNX semantics, opset 21): MaxPool, AveragePool, LpPool and their Global forms. */
import { defineOp, type AttrSpec, type InferContext } from "../op-registry.js";
import type { Dim, TensorType } from "../types.js";
import { input } from "./shape-util.js";
import { windowAttrs, windowOutShape } from "./window.js";

const WINDOW: Record<string, AttrSpec> = {
  auto_pad: { kind: "string", default: "NOTSET", doc: "NOTSET | SAME_UPPER | SAME_LOWER | VALID" },
  ceil_mode: { kind: "int", default: 0, doc: "ceil instead of floor for the output size" },
  dilations: { kind: "ints", doc: "per spatial axis (default 1)" },
  kernel_shape: { kind: "ints", required: true, doc: "spatial window" },
  pads: { kind: "ints", doc: "[begin..., end...] (default 0)" },
  strides: { kind: "ints", doc: "per spatial axis (default 1)" },
};

function pooled(ctx: InferContext): TensorType {
  const x = input(ctx, 0);
  const r = x.shape.length - 2;
  if (r < 1) ctx.fail(`X must have rank >= 3, got [${x.shape.join(",")}]`);
  const w = windowAttrs(ctx, r, undefined);
  return { dtype: x.dtype, shape: [x.shape[0]!, x.shape[1]!, ...windowOutShape(ctx, x.shape.slice(2), w)] };
}

function requireFloat(ctx: InferContext, t: TensorType): void {
  if (t.dtype !== "f32" && t.dtype !== "f16" && t.dtype !== "bf16" && t.dtype !== "f64") ctx.fail(`X must be float, got ${t.dtype}`);
}

defineOp({
  name: "MaxPool",
  doc: "max over sliding windows (padding ignored); optional Indices output (flat, i64)",
  inputs: ["X"],
  outputs: ["Y", "Indices"],
  minOutputs: 1,
  attrs: { ...WINDOW, storage_order: { kind: "int", default: 0, doc: "Indices layout: 0 row-major, 1 column-major" } },
  infer(ctx) {
    const x = input(ctx, 0);
    if (!["f32", "f16", "bf16", "f64", "i8", "u8"].includes(x.dtype)) ctx.fail(`X must be float, i8 or u8, got ${x.dtype}`);
    const y = pooled(ctx);
    return [y, { dtype: "i64", shape: y.shape }];
  },
});

defineOp({
  name: "AveragePool",
  doc: "mean over sliding windows; count_include_pad chooses whether padding counts in the divisor",
  inputs: ["X"],
  outputs: ["Y"],
  attrs: { ...WINDOW, count_include_pad: { kind: "int", default: 0, doc: "divide by the padded window size" } },
  infer(ctx) {
    requireFloat(ctx, input(ctx, 0));
    return [pooled(ctx)];
  },
});

defineOp({
  name: "LpPool",
  doc: "(sum |x|^p)^(1/p) over sliding windows",
  inputs: ["X"],
  outputs: ["Y"],
  attrs: { ...WINDOW, p: { kind: "int", default: 2, doc: "norm order" } },
  infer(ctx) {
    requireFloat(ctx, input(ctx, 0));
    return [pooled(ctx)];
  },
});

function globalShape(ctx: InferContext): TensorType[] {
  const x = input(ctx, 0);
  requireFloat(ctx, x);
  if (x.shape.length < 3) ctx.fail(`X must have rank >= 3, got [${x.shape.join(",")}]`);
  const shape: Dim[] = [x.shape[0]!, x.shape[1]!, ...x.shape.slice(2).map(() => 1)];
  return [{ dtype: x.dtype, shape }];
}

for (const [name, doc] of [
  ["GlobalAveragePool", "mean over all spatial dims: [N,C,D...] -> [N,C,1...]"],
  ["GlobalMaxPool", "max over all spatial dims: [N,C,D...] -> [N,C,1...]"],
] as const)
  defineOp({ name, doc, inputs: ["X"], outputs: ["Y"], attrs: {}, infer: globalShape });

defineOp({
  name: "GlobalLpPool",
  doc: "Lp norm over all spatial dims: [N,C,D...] -> [N,C,1...]",
  inputs: ["X"],
  outputs: ["Y"],
  attrs: { p: { kind: "int", default: 2, doc: "norm order" } },
  infer: globalShape,
});
