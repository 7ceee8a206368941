/**
 * ConvInteger and QLinearConv kernels: the exact int32 convolution of (x - x_zero_point) and
 * (w - w_zero_point[m]), as im2col of the raw u8/i8 input (padding reads the zero point, so
 * it contributes 0) and matmulQ8 (gemm-q8.ts), images batched per call; then for
 * QLinearConv the int32 bias (wrap-around add) and f32 requantization (requant.ts).
 */
import { Tensor, type DType } from "@quantpass/ir";
import { defineKernel, type KernelContext } from "../kernel-registry.js";
import { convGeometry } from "./conv.js";
import { numelOf } from "./float-util.js";
import { matmulQ8 } from "./gemm-q8.js";
import { im2col, isPointwise, lift3 } from "./im2col.js";
import { groupParam, multiplier, q8, q8Range, q8Tensor, requantize } from "./requant.js";

/** Bytes of im2col buffer per call (images are processed in chunks that fit). */
const COL_BUDGET = 1 << 23;

/** The int32 convolution of centred x and w; returns the accumulators and output shape. */
function convInt(x: Tensor, xzp: Tensor | undefined, w: Tensor, wzp: Tensor | undefined, ctx: KernelContext): { acc: Int32Array; shape: number[]; m: number; outSize: number } {
  const { n, c, m, group, win } = convGeometry(x, w, ctx);
  const X = q8(x, "x", ctx.fail), W = q8(w, "w", ctx.fail);
  const zx = groupParam(xzp, 0, [], "x_zero_point", ctx.fail)[0]!;
  const zw = groupParam(wzp, 0, [m], "w_zero_point", ctx.fail);
  const cg = c / group, mg = m / group, kg = cg * numelOf(win.kernel);
  const inSize = numelOf(win.inShape), outSize = numelOf(win.outShape);
  const acc = new Int32Array(n * m * outSize);
  const L = isPointwise(win) ? undefined : lift3(win);
  const chunk = Math.max(1, Math.min(n, Math.floor(COL_BUDGET / (kg * outSize))));
  const col = L ? (X instanceof Uint8Array ? new Uint8Array(chunk * kg * outSize) : new Int8Array(chunk * kg * outSize)) : X;
  for (let img0 = 0; img0 < n; img0 += chunk) {
    const cnt = Math.min(chunk, n - img0);
    for (let g = 0; g < group; g++) {
      if (L) for (let t = 0; t < cnt; t++) im2col(X, ((img0 + t) * c + g * cg) * inSize, cg, L, col, t * kg * outSize, zx);
      matmulQ8({
        m: mg, n: outSize, k: kg, batch: cnt,
        a: W, aOffset: g * mg * kg, batchStrideA: 0, za: zw.length === 1 ? zw : zw.subarray(g * mg, (g + 1) * mg),
        b: col, bOffset: L ? 0 : (img0 * c + g * cg) * inSize, batchStrideB: L ? kg * outSize : c * inSize, zb: [zx],
        y: acc, yOffset: (img0 * m + g * mg) * outSize, batchStrideY: m * outSize,
      });
    }
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
