/**
 * quantpass's own quantization ops (snake_case). Static parameters are attributes and
 * also appear in the output QuantType, so later passes and backends read them from types.
 */
import { defineOp } from "../op-registry.js";
import type { TensorType } from "../types.js";
import { asExpressed, QUANT_ATTRS, quantFromAttrs } from "./quant-params.js";
import { input } from "./shape-util.js";

const OBSERVED = ["observed", "calibrated"] as const;
const INT = ["int"] as const;

defineOp({
  name: "observe",
  doc: "identity that records statistics of x during calibration",
  inputs: ["x"], outputs: ["y"], stages: OBSERVED,
  attrs: {
    method: { kind: "string", default: "minmax", doc: "minmax | moving-average | percentile | mse | histogram" },
    axis: { kind: "int", default: -1, doc: "per-channel axis, or -1 for per-tensor statistics" },
    per_channel: { kind: "int", default: 0 },
    min: { kind: "floats", default: [], doc: "calibrated minimum (per channel when per_channel)" },
    max: { kind: "floats", default: [], doc: "calibrated maximum" },
  },
  infer: (ctx) => [{ dtype: input(ctx, 0).dtype, shape: input(ctx, 0).shape }],
});

defineOp({
  name: "fake_quant",
  doc: "dequantize(quantize(x)) in float: simulates quantization error",
  inputs: ["x"], outputs: ["y"], stages: ["fake-quant"],
  attrs: QUANT_ATTRS,
  infer: (ctx) => {
    const x = input(ctx, 0);
    quantFromAttrs(ctx, x.shape, asExpressed(ctx, x.dtype));
    return [{ dtype: x.dtype, shape: x.shape }];
  },
});

for (const [name, doc] of [
  ["quantize", "q = clamp(round_half_even(x / scale) + zp) into the storage type"],
  ["kv_quant", "quantize a key/value cache tensor with static per-channel parameters"],
] as const)
  defineOp({
    name, doc,
    inputs: ["x"], outputs: ["q"], stages: INT,
    attrs: QUANT_ATTRS,
    infer: (ctx) => {
      const x = input(ctx, 0);
      const quant = quantFromAttrs(ctx, x.shape, asExpressed(ctx, x.dtype));
      return [{ dtype: quant.storage, shape: x.shape, quant }];
    },
  });

for (const [name, doc] of [
  ["dequantize", "x = (q - zp) * scale, parameters from the input's quant type"],
  ["kv_dequant", "dequantize a key/value cache tensor back to float"],
] as const)
  defineOp({
    name, doc,
    inputs: ["q"], outputs: ["x"], stages: INT,
    attrs: {},
    infer: (ctx) => {
      const q = input(ctx, 0);
      if (!q.quant) ctx.fail(`input must have a quant type, got ${q.dtype}`);
      return [{ dtype: q.quant!.expressed, shape: q.shape }];
    },
  });

defineOp({
  name: "dynamic_quant",
  doc: "per-token symmetric int8 quantization computed at run time: (q, scale per row)",
  inputs: ["x"], outputs: ["q", "scale"], stages: INT,
  attrs: {},
  infer: (ctx) => {
    const x = input(ctx, 0);
    const expressed = asExpressed(ctx, x.dtype);
    if (x.shape.length < 1) ctx.fail("input must have rank >= 1");
    const quant = { storage: "i8", expressed, granularity: { kind: "per-token" }, scale: null, zeroPoint: null } as const;
    return [
      { dtype: "i8", shape: x.shape, quant },
      { dtype: "f32", shape: [...x.shape.slice(0, -1), 1] },
    ];
  },
});

function matmulShape(ctx: Parameters<typeof input>[0], x: TensorType, w: TensorType) {
  if (w.shape.length !== 2) ctx.fail(`weight must be 2-D [K, N], got rank ${w.shape.length}`);
  const k = x.shape[x.shape.length - 1];
  if (typeof k === "number" && typeof w.shape[0] === "number" && k !== w.shape[0]) ctx.fail(`inner dims differ: ${k} and ${w.shape[0]}`);
  return [...x.shape.slice(0, -1), w.shape[1]!];
}

defineOp({
  name: "quant_matmul",
  doc: "int8 x int8 -> exact int32 accumulation -> f32 (x scale * w scale), as Ascend QuantMatmul",
  inputs: ["x", "w", "x_scale", "bias"], minInputs: 2, outputs: ["y"], stages: INT,
  attrs: {},
  infer: (ctx) => {
    const x = input(ctx, 0);
    const w = input(ctx, 1);
    if (!x.quant || !w.quant) ctx.fail("x and w must be quantized values");
    if (x.quant!.granularity.kind === "per-token" && !ctx.inputs[2]) ctx.fail("per-token x needs the x_scale input");
    if (w.quant!.granularity.kind !== "per-tensor" && !(w.quant!.granularity.kind === "per-axis" && w.quant!.granularity.axis === 1))
      ctx.fail("w must be per-tensor or per-axis(1) (per output channel)");
    return [{ dtype: x.quant!.expressed, shape: matmulShape(ctx, x, w) }];
  },
});

defineOp({
  name: "weight_quant_matmul",
  doc: "float x times int8/int4 weight dequantized per channel or group (A16W8/A16W4), as Ascend WeightQuantBatchMatmul",
  inputs: ["x", "w", "bias"], minInputs: 2, outputs: ["y"], stages: INT,
  attrs: {},
  infer: (ctx) => {
    const x = input(ctx, 0);
    const w = input(ctx, 1);
    asExpressed(ctx, x.dtype);
    if (!w.quant) ctx.fail("w must be a quantized value");
    return [{ dtype: x.dtype, shape: matmulShape(ctx, x, w) }];
  },
});
