/**
 * ConvInteger and QLinearConv kernels: exact int32 convolution of (x - x_zero_point) and
 * (w - w_zero_point[m]) via im2col + gemmI32 (padding contributes 0, i.e. x is padded with
 * its zero point), then for QLinearConv the int32 bias and f32 requantization (requant.ts).
 */
import { Tensor, type DType } from "@quantpass/ir";
import { defineKernel, type KernelContext } from "../kernel-registry.js";
import { convGeometry } from "./conv.js";
import { numelOf } from "./float-util.js";
import { gemmI32 } from "./gemm-i32.js";
import { im2col, isPointwise, lift3 } from "./im2col.js";
import { groupParam, multiplier, q8, q8Range, q8Tensor, requantize } from "./requant.js";

/** The int32 convolution of centred x and w; returns the accumulators and output shape. */
function convInt(x: Tensor, xzp: Tensor | undefined, w: Tensor, wzp: Tensor | undefined, ctx: KernelContext): { acc: Int32Array; shape: number[]; m: number; outSize: number } {
  const { n, c, m, group, win } = convGeometry(x, w, ctx);
  const xs = q8(x, "x", ctx.fail), ws = q8(w, "w", ctx.fail);
  const zx = groupParam(xzp, 0, [], "x_zero_point", ctx.fail)[0]!;
  const zw = groupParam(wzp, 0, [m], "w_zero_point", ctx.fail);
  const X = new Int32Array(xs.length);
  for (let i = 0; i < xs.length; i++) X[i] = xs[i]! - zx;
  const cg = c / group, mg = m / group, kg = cg * numelOf(win.kernel);
  const W = new Int32Array(ws.length);
  for (let i = 0; i < ws.length; i++) W[i] = ws[i]! - zw[zw.length === 1 ? 0 : Math.floor(i / kg)]!;
  const inSize = numelOf(win.inShape), outSize = numelOf(win.outShape);
  const acc = new Int32Array(n * m * outSize);
  const L = isPointwise(win) ? undefined : lift3(win);
  const col = L ? new Int32Array(kg * outSize) : X;
  for (let img = 0; img < n; img++)
    for (let g = 0; g < group; g++) {
      const xOff = (img * c + g * cg) * inSize;
      if (L) im2col(X, xOff, cg, L, col);
      gemmI32(mg, outSize, kg, W, g * mg * kg, col, L ? 0 : xOff, acc, (img * m + g * mg) * outSize);
    }
  return { acc, shape: [n, m, ...win.outShape], m, outSize };
}

defineKernel("ConvInteger", ([x, w, xzp, wzp], ctx) => {
  const { acc, shape } = convInt(x!, xzp, w!, wzp, ctx);
  return [new Tensor("i32", shape, acc)];
});

defineKernel("QLinearConv", (inputs, ctx) => {
  const [x, xs, xzp, w, ws, wzp, ys, yzp, b] = inputs;
  const { acc, shape, m, outSize } = convInt(x!, xzp, w!, wzp, ctx);
  if (xs!.size !== 1 || ys!.size !== 1 || yzp!.size !== 1) ctx.fail("x_scale, y_scale and y_zero_point must be scalars");
  const sw = groupParam(ws, 1, [m], "w_scale", ctx.fail);
  const mult = Float64Array.from({ length: m }, (_, o) => multiplier(xs!.get(0), sw[sw.length === 1 ? 0 : o]!, ys!.get(0)));
  const bias = b ? (b.data as Int32Array) : undefined;
  if (bias && bias.length !== m) ctx.fail(`B has ${bias.length} values, expected ${m}`);
  const dtype: DType = yzp!.dtype;
  const [qmin, qmax] = q8Range(dtype);
  const zp = yzp!.get(0);
  const out = q8Tensor(dtype, shape, acc.length);
  for (let i = 0; i < acc.length; i++) {
    const o = Math.floor(i / outSize) % m;
    out.data[i] = requantize(bias ? (acc[i]! + bias[o]!) | 0 : acc[i]!, mult[o]!, zp, qmin, qmax);
  }
  return [out.t];
});
