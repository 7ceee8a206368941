/**
 * Normalizations (ONNX semantics, opset 21): BatchNormalization, LayerNormalization,
 * InstanceNormalization, GroupNormalization (opset-21 per-channel scale/bias), LRN.
 */
import { defineOp, type InferContext } from "../op-registry.js";
import type { Dim, TensorType } from "../types.js";
import { input, normAxis } from "./shape-util.js";

function floatInput(ctx: InferContext, i: number, minRank: number): TensorType {
  const x = input(ctx, i);
  if (x.dtype !== "f32" && x.dtype !== "f16" && x.dtype !== "bf16" && x.dtype !== "f64") ctx.fail(`X must be float, got ${x.dtype}`);
  if (x.shape.length < minRank) ctx.fail(`X must have rank >= ${minRank}, got [${x.shape.join(",")}]`);
  return x;
}

/** Checks that inputs `which` are 1-D of length `n` (when both are known). */
function perChannel(ctx: InferContext, which: readonly number[], n: Dim, what: string): void {
  for (const i of which) {
    const t = ctx.inputs[i];
    if (!t) continue;
    const d = t.shape[0];
    if (t.shape.length !== 1 || (typeof d === "number" && typeof n === "number" && d !== n))
      ctx.fail(`input ${i} must have shape [${n}] (${what}), got [${t.shape.join(",")}]`);
  }
}

defineOp({
  name: "BatchNormalization",
  doc: "Y = (X - mean) / sqrt(var + epsilon) * scale + B per channel (dim 1); training_mode=1 uses batch statistics",
  inputs: ["X", "scale", "B", "input_mean", "input_var"],
  outputs: ["Y", "running_mean", "running_var"],
  minOutputs: 1,
  attrs: {
    epsilon: { kind: "float", default: 1e-5 },
    momentum: { kind: "float", default: 0.9, doc: "running statistics update (training mode)" },
    training_mode: { kind: "int", default: 0 },
  },
  infer(ctx) {
    const x = floatInput(ctx, 0, 2);
    const c = x.shape[1]!;
    perChannel(ctx, [1, 2, 3, 4], c, "one per channel");
    if (ctx.attr<number>("training_mode") === 0 && ctx.node.outputs.filter(Boolean).length > 1)
      ctx.fail("running_mean and running_var are outputs only in training mode");
    const stat = input(ctx, 3);
    return [{ dtype: x.dtype, shape: x.shape }, { dtype: stat.dtype, shape: [c] }, { dtype: stat.dtype, shape: [c] }];
  },
});

defineOp({
  name: "LayerNormalization",
  doc: "normalizes over dims [axis..] then scales and shifts; optional Mean and InvStdDev outputs",
  inputs: ["X", "Scale", "B"],
  minInputs: 2,
  outputs: ["Y", "Mean", "InvStdDev"],
  minOutputs: 1,
  attrs: {
    axis: { kind: "int", default: -1, doc: "first normalized dim" },
    epsilon: { kind: "float", default: 1e-5 },
    stash_type: { kind: "int", default: 1, doc: "ONNX dtype of the statistics (1 = float)" },
  },
  infer(ctx) {
    const x = floatInput(ctx, 0, 1);
    const axis = normAxis(ctx, ctx.attr<number>("axis"), x.shape.length);
    const norm = x.shape.slice(axis);
    for (const i of [1, 2]) {
      const t = ctx.inputs[i];
      if (!t) continue;
      if (t.shape.length > norm.length) ctx.fail(`input ${i} has rank ${t.shape.length} > normalized rank ${norm.length}`);
      t.shape.forEach((d, k) => {
        const o = norm[norm.length - t.shape.length + k]!;
        if (typeof d === "number" && d !== 1 && typeof o === "number" && d !== o)
          ctx.fail(`input ${i} [${t.shape.join(",")}] does not broadcast to [${norm.join(",")}]`);
      });
    }
    const stash = ctx.attr<number>("stash_type") === 1 ? "f32" : x.dtype;
    const stat: Dim[] = x.shape.map((d, k) => (k < axis ? d : 1));
    return [{ dtype: x.dtype, shape: x.shape }, { dtype: stash, shape: stat }, { dtype: stash, shape: stat }];
  },
});

defineOp({
  name: "InstanceNormalization",
  doc: "per (sample, channel) normalization over spatial dims, then per-channel scale and B",
  inputs: ["input", "scale", "B"],
  outputs: ["output"],
  attrs: { epsilon: { kind: "float", default: 1e-5 } },
  infer(ctx) {
    const x = floatInput(ctx, 0, 3);
    perChannel(ctx, [1, 2], x.shape[1]!, "one per channel");
    return [{ dtype: x.dtype, shape: x.shape }];
  },
});

defineOp({
  name: "GroupNormalization",
  doc: "normalizes each of num_groups channel groups per sample, then per-channel scale and bias (opset 21)",
  inputs: ["X", "scale", "bias"],
  outputs: ["Y"],
  attrs: {
    epsilon: { kind: "float", default: 1e-5 },
    num_groups: { kind: "int", required: true },
    stash_type: { kind: "int", default: 1, doc: "ONNX dtype of the statistics (1 = float)" },
  },
  infer(ctx) {
    const x = floatInput(ctx, 0, 2);
    const g = ctx.attr<number>("num_groups");
    const c = x.shape[1]!;
    if (g < 1 || (typeof c === "number" && c % g !== 0)) ctx.fail(`num_groups ${g} does not divide ${c} channels`);
    perChannel(ctx, [1, 2], c, "one per channel");
    return [{ dtype: x.dtype, shape: x.shape }];
  },
});

defineOp({
  name: "LRN",
  doc: "local response normalization across `size` neighbouring channels",
  inputs: ["X"],
  outputs: ["Y"],
  attrs: {
    alpha: { kind: "float", default: 1e-4 },
    beta: { kind: "float", default: 0.75 },
    bias: { kind: "float", default: 1 },
    size: { kind: "int", required: true, doc: "number of channels summed" },
  },
  infer(ctx) {
    const x = floatInput(ctx, 0, 3);
    if (ctx.attr<number>("size") < 1) ctx.fail("size must be >= 1");
    return [{ dtype: x.dtype, shape: x.shape }];
  },
});
