/** Convolutions (ONNX semantics, opset 21): Conv, ConvTranspose, ConvInteger, QLinearConv. */
import { defineOp, type AttrSpec, type InferContext } from "../op-registry.js";
import type { DType } from "../dtype.js";
import type { Dim, TensorType } from "../types.js";
import { input } from "./shape-util.js";
import { windowAttrs, windowOutShape } from "./window.js";

const CONV_ATTRS: Record<string, AttrSpec> = {
  auto_pad: { kind: "string", default: "NOTSET", doc: "NOTSET | SAME_UPPER | SAME_LOWER | VALID" },
  dilations: { kind: "ints", doc: "per spatial axis (default 1)" },
  group: { kind: "int", default: 1, doc: "channel groups" },
  kernel_shape: { kind: "ints", doc: "spatial kernel (default: from W)" },
  pads: { kind: "ints", doc: "[begin..., end...] (default 0)" },
  strides: { kind: "ints", doc: "per spatial axis (default 1)" },
};

const FLOATS: readonly DType[] = ["f32", "f16", "bf16", "f64"];
const Q8: readonly DType[] = ["u8", "i8"];

/** Output shape of Conv-like ops: X [N,C,D...], W [M,C/group,k...] → [N,M,out...]. */
function convShape(ctx: InferContext, x: TensorType, w: TensorType): Dim[] {
  const r = x.shape.length - 2;
  if (r < 1) ctx.fail(`X must have rank >= 3, got [${x.shape.join(",")}]`);
  if (w.shape.length !== r + 2) ctx.fail(`W rank ${w.shape.length} does not match X rank ${x.shape.length}`);
  const group = ctx.attr<number>("group");
  if (group < 1) ctx.fail("group must be >= 1");
  const c = x.shape[1]!, cw = w.shape[1]!, m = w.shape[0]!;
  if (typeof c === "number" && typeof cw === "number" && c !== cw * group)
    ctx.fail(`X has ${c} channels but W expects ${cw} x group ${group}`);
  if (typeof m === "number" && m % group !== 0) ctx.fail(`W has ${m} filters, not divisible by group ${group}`);
  const wk = w.shape.slice(2);
  const kernel = wk.every((d): d is number => typeof d === "number") ? wk : undefined;
  const win = windowAttrs(ctx, r, kernel);
  if (kernel && win.kernel.some((k, i) => k !== kernel[i])) ctx.fail(`kernel_shape [${win.kernel}] differs from W [${kernel}]`);
  return [x.shape[0]!, m, ...windowOutShape(ctx, x.shape.slice(2), win)];
}

function checkBias(ctx: InferContext, i: number, dtype: DType, m: Dim): void {
  const b = ctx.inputs[i];
  if (!b) return;
  if (b.dtype !== dtype) ctx.fail(`B must be ${dtype}, got ${b.dtype}`);
  if (b.shape.length !== 1 || (typeof b.shape[0] === "number" && typeof m === "number" && b.shape[0] !== m))
    ctx.fail(`B must have shape [${m}], got [${b.shape.join(",")}]`);
}

function oneOf(ctx: InferContext, t: TensorType, allowed: readonly DType[], what: string): void {
  if (!allowed.includes(t.dtype)) ctx.fail(`${what} must be one of ${allowed.join("/")}, got ${t.dtype}`);
}

defineOp({
  name: "Conv",
  doc: "N-D cross-correlation with groups, strides, dilations, pads/auto_pad and optional bias",
  inputs: ["X", "W", "B"],
  minInputs: 2,
  outputs: ["Y"],
  attrs: CONV_ATTRS,
  infer(ctx) {
    const x = input(ctx, 0);
    const w = input(ctx, 1);
    oneOf(ctx, x, FLOATS, "X");
    if (w.dtype !== x.dtype) ctx.fail(`W is ${w.dtype} but X is ${x.dtype}`);
    const shape = convShape(ctx, x, w);
    checkBias(ctx, 2, x.dtype, shape[1]!);
    return [{ dtype: x.dtype, shape }];
  },
});

defineOp({
  name: "ConvInteger",
  doc: "int32 convolution of u8/i8 X and W minus zero points (X padded with its zero point)",
  inputs: ["x", "w", "x_zero_point", "w_zero_point"],
  minInputs: 2,
  outputs: ["y"],
  attrs: CONV_ATTRS,
  infer(ctx) {
    const x = input(ctx, 0);
    const w = input(ctx, 1);
    oneOf(ctx, x, Q8, "x");
    oneOf(ctx, w, Q8, "w");
    for (const [i, t] of [[2, x], [3, w]] as const) {
      const zp = ctx.inputs[i];
      if (zp && zp.dtype !== t.dtype) ctx.fail(`zero point ${i} is ${zp.dtype}, expected ${t.dtype}`);
    }
    return [{ dtype: "i32", shape: convShape(ctx, x, w) }];
  },
});

defineOp({
  name: "QLinearConv",
  doc: "quantized Conv: saturate(round((conv(x-xzp, w-wzp) + B) * x_scale*w_scale/y_scale) + y_zp)",
  inputs: ["x", "x_scale", "x_zero_point", "w", "w_scale", "w_zero_point", "y_scale", "y_zero_point", "B"],
  minInputs: 8,
  outputs: ["y"],
  attrs: CONV_ATTRS,
  infer(ctx) {
    const x = input(ctx, 0);
    const w = input(ctx, 3);
    const yzp = input(ctx, 7);
    oneOf(ctx, x, Q8, "x");
    oneOf(ctx, w, Q8, "w");
    oneOf(ctx, yzp, Q8, "y_zero_point");
    const shape = convShape(ctx, x, w);
    checkBias(ctx, 8, "i32", shape[1]!);
    return [{ dtype: yzp.dtype, shape }];
  },
});

defineOp({
  name: "ConvTranspose",
  doc: "transposed (fractionally strided) convolution; W is [C, M/group, k...]",
  inputs: ["X", "W", "B"],
  minInputs: 2,
  outputs: ["Y"],
  attrs: {
    ...CONV_ATTRS,
    output_padding: { kind: "ints", doc: "extra size added to one side of each output dim (default 0)" },
    output_shape: { kind: "ints", doc: "explicit output spatial shape; pads are then derived" },
  },
  infer(ctx) {
    const x = input(ctx, 0);
    const w = input(ctx, 1);
    oneOf(ctx, x, FLOATS, "X");
    if (w.dtype !== x.dtype) ctx.fail(`W is ${w.dtype} but X is ${x.dtype}`);
    const r = x.shape.length - 2;
    if (r < 1 || w.shape.length !== r + 2) ctx.fail(`X and W must have the same rank >= 3`);
    const group = ctx.attr<number>("group");
    const c = x.shape[1]!, cw = w.shape[0]!, mg = w.shape[1]!;
    if (typeof c === "number" && typeof cw === "number" && c !== cw) ctx.fail(`X has ${c} channels but W has ${cw}`);
    const m: Dim = typeof mg === "number" ? mg * group : "?";
    checkBias(ctx, 2, x.dtype, m);
    const wk = w.shape.slice(2);
    const win = windowAttrs(ctx, r, wk.every((d): d is number => typeof d === "number") ? wk : undefined);
    const outPad = ctx.has("output_padding") ? ctx.attr<number[]>("output_padding") : new Array<number>(r).fill(0);
    let spatial: Dim[];
    if (ctx.has("output_shape")) {
      const os = ctx.attr<number[]>("output_shape");
      if (os.length < r) ctx.fail(`output_shape has ${os.length} values, expected ${r}`);
      spatial = os.slice(os.length - r);
    } else
      spatial = x.shape.slice(2).map((d, i) => {
        if (typeof d !== "number") return "?";
        const s = win.strides[i]!;
        if (win.autoPad === "SAME_UPPER" || win.autoPad === "SAME_LOWER") return d * s;
        const dk = (win.kernel[i]! - 1) * win.dilations[i]! + 1;
        const pads = win.autoPad === "VALID" ? 0 : win.pads[i]! + win.pads[i + r]!;
        return s * (d - 1) + (outPad[i] ?? 0) + dk - pads;
      });
    return [{ dtype: x.dtype, shape: [x.shape[0]!, m, ...spatial] }];
  },
});
