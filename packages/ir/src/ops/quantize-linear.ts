/**
 * ONNX linear quantization (opset 21 form): QuantizeLinear, DequantizeLinear (per tensor,
 * per axis, blocked along one axis) and DynamicQuantizeLinear. Rounding is half to even.
 */
import { defineOp, type AttrSpec, type InferContext } from "../op-registry.js";
import type { DType } from "../dtype.js";
import type { TensorType } from "../types.js";
import { input, normAxis } from "./shape-util.js";

/** ONNX TensorProto.DataType codes of the dtypes these ops use. */
export const ONNX_DTYPE_CODES: Readonly<Record<number, DType>> = {
  1: "f32", 2: "u8", 3: "i8", 4: "u16", 5: "i16", 6: "i32", 7: "i64", 10: "f16", 11: "f64", 16: "bf16", 21: "u4", 22: "i4",
};

const QUANT_OUT: readonly DType[] = ["u8", "i8", "u16", "i16", "u4", "i4"];
const DEQUANT_IN: readonly DType[] = [...QUANT_OUT, "i32"];
const FLOATS: readonly DType[] = ["f32", "f16", "bf16"];

const Q_ATTRS: Record<string, AttrSpec> = {
  axis: { kind: "int", default: 1, doc: "quantization axis (per-axis and blocked)" },
  block_size: { kind: "int", default: 0, doc: "> 0: blocked quantization along axis" },
};

/** Checks that scale (input si) and zero point (zi) are per-tensor, per-axis or blocked for x. */
function checkScaleShape(ctx: InferContext, x: TensorType, si: number, zi: number): void {
  const s = input(ctx, si);
  const block = ctx.attr<number>("block_size");
  const show = (t: TensorType) => `[${t.shape.join(",")}]`;
  if (block < 0) ctx.fail("block_size must be >= 0");
  const single = s.shape.length === 0 || (s.shape.length === 1 && s.shape[0] === 1);
  if (block === 0 && !single) {
    if (s.shape.length !== 1) ctx.fail(`scale ${show(s)} must be a scalar or 1-D (per axis) without block_size`);
    const axis = normAxis(ctx, ctx.attr<number>("axis"), x.shape.length);
    const d = x.shape[axis]!, n = s.shape[0]!;
    if (typeof d === "number" && typeof n === "number" && d !== n) ctx.fail(`scale has ${n} values but axis ${axis} has ${d}`);
  } else if (block > 0) {
    const axis = normAxis(ctx, ctx.attr<number>("axis"), x.shape.length);
    if (s.shape.length !== x.shape.length) ctx.fail(`blocked scale ${show(s)} must have the rank of x ${show(x)}`);
    s.shape.forEach((d, k) => {
      const xd = x.shape[k]!;
      if (typeof d !== "number" || typeof xd !== "number") return;
      const want = k === axis ? Math.ceil(xd / block) : xd;
      if (d !== want) ctx.fail(`blocked scale ${show(s)} does not match x ${show(x)} with block_size ${block} on axis ${axis}`);
    });
  }
  const z = ctx.inputs[zi];
  if (z && (z.shape.length !== s.shape.length || z.shape.some((d, k) => typeof d === "number" && typeof s.shape[k] === "number" && d !== s.shape[k])))
    ctx.fail(`zero point ${show(z)} must have the shape of the scale ${show(s)}`);
}

defineOp({
  name: "QuantizeLinear",
  doc: "y = saturate(round_half_even(x / y_scale) + y_zero_point)",
  inputs: ["x", "y_scale", "y_zero_point"],
  minInputs: 2,
  outputs: ["y"],
  attrs: {
    ...Q_ATTRS,
    saturate: { kind: "int", default: 1, doc: "float8 outputs only" },
    output_dtype: { kind: "int", default: 0, doc: "ONNX dtype code of y when y_zero_point is absent (0: u8)" },
  },
  infer(ctx) {
    const x = input(ctx, 0);
    if (![...FLOATS, "i32"].includes(x.dtype)) ctx.fail(`x must be float or i32, got ${x.dtype}`);
    const zp = ctx.inputs[2];
    const code = ctx.attr<number>("output_dtype");
    const coded = code === 0 ? undefined : ONNX_DTYPE_CODES[code];
    if (code !== 0 && !coded) ctx.fail(`output_dtype ${code} is not supported`);
    if (zp && coded && zp.dtype !== coded) ctx.fail(`output_dtype ${coded} differs from y_zero_point dtype ${zp.dtype}`);
    const dtype = zp?.dtype ?? coded ?? "u8";
    if (!QUANT_OUT.includes(dtype)) ctx.fail(`cannot quantize to ${dtype}`);
    checkScaleShape(ctx, x, 1, 2);
    return [{ dtype, shape: x.shape }];
  },
});

defineOp({
  name: "DequantizeLinear",
  doc: "y = (x - x_zero_point) * x_scale",
  inputs: ["x", "x_scale", "x_zero_point"],
  minInputs: 2,
  outputs: ["y"],
  attrs: { ...Q_ATTRS, output_dtype: { kind: "int", default: 0, doc: "ONNX dtype code of y (opset 23; 0: the scale's dtype)" } },
  infer(ctx) {
    const x = input(ctx, 0);
    const s = input(ctx, 1);
    if (!DEQUANT_IN.includes(x.dtype)) ctx.fail(`x must be one of ${DEQUANT_IN.join("/")}, got ${x.dtype}`);
    if (!FLOATS.includes(s.dtype)) ctx.fail(`x_scale must be float, got ${s.dtype}`);
    const zp = ctx.inputs[2];
    if (zp && zp.dtype !== x.dtype) ctx.fail(`x_zero_point is ${zp.dtype} but x is ${x.dtype}`);
    checkScaleShape(ctx, x, 1, 2);
    const code = ctx.attr<number>("output_dtype");
    const dtype = code === 0 ? s.dtype : ONNX_DTYPE_CODES[code];
    if (!dtype || !FLOATS.includes(dtype)) ctx.fail(`output_dtype ${code} is not a float dtype`);
    return [{ dtype, shape: x.shape }];
  },
});

defineOp({
  name: "DynamicQuantizeLinear",
  doc: "u8 asymmetric per-tensor quantization with scale and zero point from min/max of x (range includes 0)",
  inputs: ["x"],
  outputs: ["y", "y_scale", "y_zero_point"],
  attrs: {},
  infer(ctx) {
    const x = input(ctx, 0);
    if (x.dtype !== "f32") ctx.fail(`x must be f32, got ${x.dtype}`);
    return [{ dtype: "u8", shape: x.shape }, { dtype: "f32", shape: [] }, { dtype: "u8", shape: [] }];
  },
});
