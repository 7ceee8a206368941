/**
 * Softmax, LogSoftmax and Hardmax along one axis (opset 13). Softmax computes e^(x - max)
 * and the sum in f64 and rounds once on store; f16/bf16 go through the same f64 path.
 */
import type { Tensor } from "@quantpass/ir";
import { defineKernel, type KernelContext } from "../kernel-registry.js";
import { finishNums, kernelAxis, numOut, nums, splitAxis, type NumArr } from "./elementwise-util.js";

/** f(x, o, base, len, stride): one slice along the axis, elements base + k*stride. */
type Slice = (x: NumArr, o: NumArr, base: number, len: number, stride: number, tmp: Float64Array) => void;

function alongAxis(slice: Slice) {
  return (inputs: readonly (Tensor | undefined)[], ctx: KernelContext): Tensor[] => {
    const t = inputs[0]!;
    const axis = kernelAxis(ctx.attr<number>("axis"), t.shape.length, ctx.fail);
    const [outer, len, inner] = splitAxis(t.shape, axis);
    const x = nums(t);
    const o = numOut(t.dtype, t.size);
    const tmp = new Float64Array(len);
    for (let a = 0; a < outer; a++)
      for (let b = 0; b < inner; b++) slice(x, o, a * len * inner + b, len, inner, tmp);
    return [finishNums(t.dtype, t.shape, o)];
  };
}

function sliceMax(x: NumArr, base: number, len: number, stride: number): number {
  let m = -Infinity;
  for (let k = 0; k < len; k++) {
    const v = x[base + k * stride]!;
    if (v > m || v !== v) m = v;
  }
  return m;
}

defineKernel("Softmax", alongAxis((x, o, base, len, stride, e) => {
  const m = sliceMax(x, base, len, stride);
  let s = 0;
  for (let k = 0; k < len; k++) s += e[k] = Math.exp(x[base + k * stride]! - m);
  for (let k = 0; k < len; k++) o[base + k * stride] = e[k]! / s;
}));

defineKernel("LogSoftmax", alongAxis((x, o, base, len, stride) => {
  const m = sliceMax(x, base, len, stride);
  let s = 0;
  for (let k = 0; k < len; k++) s += Math.exp(x[base + k * stride]! - m);
  const ls = Math.log(s);
  for (let k = 0; k < len; k++) o[base + k * stride] = x[base + k * stride]! - m - ls;
}));

defineKernel("Hardmax", alongAxis((x, o, base, len, stride) => {
  let best = 0;
  for (let k = 1; k < len; k++) if (x[base + k * stride]! > x[base + best * stride]!) best = k;
  for (let k = 0; k < len; k++) o[base + k * stride] = k === best ? 1 : 0;
}));
