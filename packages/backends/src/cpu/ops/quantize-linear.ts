/**
 * QuantizeLinear, DequantizeLinear (opset 21: per tensor, per axis, blocked) and
 * DynamicQuantizeLinear. Element arithmetic is the IR's (quant.ts), shared with the
 * quantpass `quantize` / `dequantize` ops: q = clamp(round_half_even(f32(x / s)) + zp),
 * x' = f32((q - zp) * s). Inputs of f16/bf16 are widened to f32 first.
 */
import { Tensor, dequantizeValue, intRange, quantizeValue, roundHalfEven, scaleIndex, type DType, type Granularity } from "@quantpass/ir";
import { defineKernel, type KernelContext } from "../kernel-registry.js";
import { f32In, f32Out } from "./float-util.js";

/** ONNX TensorProto.DataType codes accepted by output_dtype. */
const CODES: Readonly<Record<number, DType>> = { 1: "f32", 2: "u8", 3: "i8", 4: "u16", 5: "i16", 6: "i32", 10: "f16", 16: "bf16", 21: "u4", 22: "i4" };

/** For every element of x, the index of its scale / zero point. */
function paramIndex(x: Tensor, scale: Tensor, zp: Tensor | undefined, ctx: KernelContext): Int32Array {
  const r = x.shape.length;
  const block = ctx.attr<number>("block_size");
  let axis = ctx.attr<number>("axis");
  if (axis < 0) axis += r;
  if (zp && zp.size !== scale.size) ctx.fail(`zero point has ${zp.size} values, scale has ${scale.size}`);
  let g: Granularity;
  if (scale.size === 1 && block === 0) g = { kind: "per-tensor" };
  else {
    if (axis < 0 || axis >= r) ctx.fail(`axis ${ctx.attr<number>("axis")} out of range for rank ${r}`);
    if (block > 0) {
      const want = x.shape.map((d, k) => (k === axis ? Math.ceil(d / block) : d));
      if (scale.shape.length !== r || scale.shape.some((d, k) => d !== want[k])) ctx.fail(`blocked scale [${scale.shape}] must be [${want}]`);
      g = { kind: "per-group", axis, groupSize: block };
    } else {
      if (scale.shape.length !== 1 || scale.size !== x.shape[axis]) ctx.fail(`per-axis scale [${scale.shape}] must be [${x.shape[axis]}]`);
      g = { kind: "per-axis", axis };
    }
  }
  return scaleIndex(g, x.shape);
}

defineKernel("QuantizeLinear", ([x, scale, zp], ctx) => {
  const code = ctx.attr<number>("output_dtype");
  const dtype: DType | undefined = zp?.dtype ?? (code === 0 ? "u8" : CODES[code]);
  if (!dtype || !["u8", "i8", "u16", "i16", "u4", "i4"].includes(dtype)) ctx.fail(`cannot quantize to ${dtype ?? `dtype code ${code}`}`);
  const idx = paramIndex(x!, scale!, zp, ctx);
  const X = x!.dtype === "i32" ? (x!.data as Int32Array) : f32In(x!);
  const S = f32In(scale!);
  const Z = zp ? zp.toNumbers() : [0];
  const [qmin, qmax] = intRange(dtype);
  const out = Tensor.zeros(dtype, x!.shape);
  const packed = dtype === "u4" || dtype === "i4";
  const data = out.data as Uint8Array;
  for (let i = 0; i < X.length; i++) {
    const k = idx[i]!;
    const q = quantizeValue(X[i]!, S[k]!, Z[zp ? k : 0]!, qmin, qmax);
    if (packed) out.set(i, q);
    else data[i] = q;
  }
  return [out];
});

defineKernel("DequantizeLinear", ([x, scale, zp], ctx) => {
  const code = ctx.attr<number>("output_dtype");
  const dtype: DType | undefined = code === 0 ? scale!.dtype : CODES[code];
  if (dtype !== "f32" && dtype !== "f16" && dtype !== "bf16") ctx.fail(`output_dtype ${code} is not a float dtype`);
  if (zp && zp.dtype !== x!.dtype) ctx.fail(`x_zero_point is ${zp.dtype} but x is ${x!.dtype}`);
  const idx = paramIndex(x!, scale!, zp, ctx);
  const S = f32In(scale!);
  const Z = zp ? zp.toNumbers() : [0];
  const packed = x!.dtype === "u4" || x!.dtype === "i4";
  const X = packed ? x!.toNumbers() : (x!.data as ArrayLike<number>);
  const Y = new Float32Array(x!.size);
  for (let i = 0; i < Y.length; i++) {
    const k = idx[i]!;
    Y[i] = dequantizeValue(X[i]!, S[k]!, Z[zp ? k : 0]!);
  }
  return [f32Out(dtype, x!.shape, Y)];
});

/**
 * DynamicQuantizeLinear as onnxruntime computes it: the range [min(x, 0), max(x, 0)],
 * scale = f32((max - min) / 255) (1 when the range is empty, so never 0 or NaN),
 * zp = round_half_even(clamp(f32(0 - f32(min / scale)), 0, 255)), y = quantize(x).
 */
defineKernel("DynamicQuantizeLinear", ([x]) => {
  const X = f32In(x!);
  let lo = 0, hi = 0;
  for (let i = 0; i < X.length; i++) {
    const v = X[i]!;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const scale = hi === lo ? 1 : Math.fround((hi - lo) / 255);
  const initial = Math.fround(0 - Math.fround(lo / scale));
  const zp = roundHalfEven(Math.min(255, Math.max(0, initial)));
  const Y = new Uint8Array(X.length);
  for (let i = 0; i < X.length; i++) Y[i] = quantizeValue(X[i]!, scale, zp, 0, 255);
  return [new Tensor("u8", x!.shape, Y), Tensor.f32([], [scale]), Tensor.fromNumbers("u8", [], [zp])];
});
