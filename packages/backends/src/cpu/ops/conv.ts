/**
 * Conv and ConvTranspose kernels (f32 compute, any float dtype in and out).
 *
 * Conv: per image and group, im2col then one GEMM: Y[g] = W[g] (Mg x Cg*kprod) x col, with
 * the bias added in the GEMM epilogue (y = f32(acc + b)); each output element therefore sums
 * its Cg*kprod products in f32 in (channel, kd, kh, kw) order (see gemm-dispatch.ts).
 * ConvTranspose: per image and group, col = W[g]^T x X[g] (one GEMM), then col2im adds the
 * columns into Y in f32 in (output channel, kd, kh, kw, input position) order, then the bias.
 */
import { Tensor } from "@quantpass/ir";
import { defineKernel, type KernelContext } from "../kernel-registry.js";
import { f32In, f32Out, numelOf } from "./float-util.js";
import { matmulF32 } from "./gemm-dispatch.js";
import { im2col, isPointwise, lift3 } from "./im2col.js";
import { axisRanges, resolveWindow, type AxisRange, type Window } from "./window.js";

/** Floats of im2col buffer per Conv call (images are processed in chunks that fit). */
const COL_BUDGET = 1 << 21;

/** Common Conv-family checks; returns the geometry. */
export function convGeometry(x: Tensor, w: Tensor, ctx: KernelContext): { n: number; c: number; m: number; group: number; win: Window } {
  const r = x.shape.length - 2;
  if (r < 1 || w.shape.length !== r + 2) ctx.fail(`X [${x.shape}] and W [${w.shape}] must have the same rank >= 3`);
  const group = ctx.attr<number>("group");
  const [n, c] = x.shape as [number, number];
  const m = w.shape[0]!;
  if (c !== w.shape[1]! * group || m % group !== 0) ctx.fail(`X [${x.shape}] and W [${w.shape}] do not match group ${group}`);
  const win = resolveWindow(ctx, x.shape.slice(2), w.shape.slice(2));
  if (win.kernel.some((k, i) => k !== w.shape[i + 2])) ctx.fail(`kernel_shape [${win.kernel}] differs from W [${w.shape}]`);
  return { n, c, m, group, win };
}

defineKernel("Conv", ([x, w, b], ctx) => {
  const { n, c, m, group, win } = convGeometry(x!, w!, ctx);
  const X = f32In(x!), W = f32In(w!), B = b ? f32In(b) : undefined;
  if (B && B.length !== m) ctx.fail(`B has ${B.length} values, expected ${m}`);
  const cg = c / group, mg = m / group;
  const kprod = numelOf(win.kernel), kg = cg * kprod;
  const inSize = numelOf(win.inShape), outSize = numelOf(win.outShape);
  if (cg === 1 && group > 1 && win.r <= 3) return [f32Out(x!.dtype, [n, m, ...win.outShape], depthwise(X, W, B, n, c, mg, win))];
  const y = new Float32Array(n * m * outSize);
  const pointwise = isPointwise(win);
  const L = pointwise ? undefined : lift3(win);
  // Images go through the GEMM in chunks (one batched call per chunk and group; W broadcast).
  const chunk = Math.max(1, Math.min(n, Math.floor(COL_BUDGET / (kg * outSize))));
  const col = pointwise ? X : new Float32Array(chunk * kg * outSize);
  for (let img0 = 0; img0 < n; img0 += chunk) {
    const cnt = Math.min(chunk, n - img0);
    for (let g = 0; g < group; g++) {
      if (L) for (let t = 0; t < cnt; t++) im2col(X, ((img0 + t) * c + g * cg) * inSize, cg, L, col, t * kg * outSize);
      matmulF32({
        m: mg, n: outSize, k: kg, batch: cnt,
        a: W, aOffset: g * mg * kg, batchStrideA: 0,
        b: col, bOffset: L ? 0 : (img0 * c + g * cg) * inSize, batchStrideB: L ? kg * outSize : c * inSize,
        y, yOffset: (img0 * m + g * mg) * outSize, batchStrideY: m * outSize,
        ...(B ? { c: B, cOffset: g * mg, cRowStride: 1, cColStride: 0, batchStrideC: 0, beta: 1 } : {}),
      });
    }
  }
  return [f32Out(x!.dtype, [n, m, ...win.outShape], y)];
});

/**
 * Convolution where every output channel reads one input channel (group == C, e.g. depthwise),
 * computed directly, one output row at a time: per output element acc = +0;
 * acc = f32(acc + f32(w * x)) over the taps in (kd, kh, kw) order; y = f32(acc + b). That is the
 * GEMM path's summation order with the padding taps (exact zeros there) skipped, so the bits are
 * the same (unless a weight is infinite or NaN, where the GEMM path would add 0 * w = NaN).
 */
function depthwise(X: Float32Array, W: Float32Array, B: Float32Array | undefined, n: number, c: number, mg: number, win: Window): Float32Array {
  const [A, H, Wd] = axisRanges(win) as [AxisRange, AxisRange, AxisRange];
  const m = c * mg, inSize = A.n * H.n * Wd.n, oW = Wd.out, outSize = A.out * H.out * oW;
  const kH = win.kernel[win.r - 2] ?? 1, kW = win.kernel[win.r - 1]!;
  const sW = win.strides[win.r - 1]!, pW = win.padBegin[win.r - 1]!, dW = Wd.d;
  // per kw: output columns [lo, hi) whose tap is inside the row
  const lo = new Int32Array(kW), hi = new Int32Array(kW);
  for (let kw = 0; kw < kW; kw++) {
    let a = 0;
    while (a < oW && a * sW - pW + kw * dW < 0) a++;
    let b = oW;
    while (b > a && (b - 1) * sW - pW + kw * dW >= Wd.n) b--;
    lo[kw] = a, hi[kw] = b;
  }
  const kprod = numelOf(win.kernel);
  const f32 = Math.fround;
  const acc = new Float32Array(oW);
  const y = new Float32Array(n * m * outSize);
  for (let img = 0; img < n; img++)
    for (let o = 0; o < m; o++) {
      const xc = (img * c + Math.floor(o / mg)) * inSize, wo = o * kprod;
      let q = (img * m + o) * outSize;
      for (let od = 0; od < A.out; od++)
        for (let oh = 0; oh < H.out; oh++, q += oW) {
          acc.fill(0);
          for (let kd = A.lo[od]!; kd < A.hi[od]!; kd++) {
            const plane = (A.c0[od]! + kd * A.d) * H.n;
            for (let kh = H.lo[oh]!; kh < H.hi[oh]!; kh++) {
              const row = xc + (plane + H.c0[oh]! + kh * H.d) * Wd.n - pW;
              for (let kw = 0; kw < kW; kw++) {
                const wv = W[wo + (kd * kH + kh) * kW + kw]!;
                const b = hi[kw]!;
                for (let ow = lo[kw]!, ix = row + ow * sW + kw * dW; ow < b; ow++, ix += sW) acc[ow] = acc[ow]! + f32(wv * X[ix]!);
              }
            }
          }
          if (B) for (let ow = 0; ow < oW; ow++) y[q + ow] = acc[ow]! + B[o]!;
          else y.set(acc, q);
        }
    }
  return y;
}

/** ConvTranspose geometry: output shape and begin pads (ONNX rules, output_shape wins). */
function transposeGeometry(ctx: KernelContext, inShape: readonly number[], kernel: readonly number[]): Window {
  const r = inShape.length;
  const get = (name: string, n: number, dflt: number) => (ctx.has(name) ? [...ctx.attr<number[]>(name)] : new Array<number>(n).fill(dflt));
  const k = ctx.has("kernel_shape") ? get("kernel_shape", r, 1) : [...kernel];
  const strides = get("strides", r, 1), dilations = get("dilations", r, 1), pads = get("pads", 2 * r, 0);
  const outPad = get("output_padding", r, 0);
  const autoPad = ctx.has("auto_pad") ? ctx.attr<string>("auto_pad") : "NOTSET";
  const outShapeAttr = ctx.has("output_shape") ? ctx.attr<number[]>("output_shape").slice(-r) : undefined;
  const win: Window = { r, inShape: [...inShape], kernel: k, strides, dilations, padBegin: [], padEnd: [], outShape: [] };
  for (let i = 0; i < r; i++) {
    const full = strides[i]! * (inShape[i]! - 1) + outPad[i]! + (k[i]! - 1) * dilations[i]! + 1;
    const same = autoPad === "SAME_UPPER" || autoPad === "SAME_LOWER";
    if (outShapeAttr || same) {
      const out = outShapeAttr ? outShapeAttr[i]! : inShape[i]! * strides[i]!;
      const total = Math.max(0, full - out);
      const half = Math.floor(total / 2);
      const [pb, pe] = autoPad === "SAME_UPPER" ? [half, total - half] : [total - half, half];
      win.padBegin.push(pb), win.padEnd.push(pe), win.outShape.push(out);
    } else {
      const [pb, pe] = autoPad === "VALID" ? [0, 0] : [pads[i]!, pads[i + r]!];
      win.padBegin.push(pb), win.padEnd.push(pe), win.outShape.push(full - pb - pe);
    }
    if (win.outShape[i]! < 1) ctx.fail(`output dim ${i} would be ${win.outShape[i]}`);
  }
  return win;
}

defineKernel("ConvTranspose", ([x, w, b], ctx) => {
  const r = x!.shape.length - 2;
  if (r < 1 || r > 3 || w!.shape.length !== r + 2) ctx.fail(`X [${x!.shape}] and W [${w!.shape}] must have the same rank 3..5`);
  const group = ctx.attr<number>("group");
  const [n, c] = x!.shape as [number, number];
  if (w!.shape[0] !== c || c % group !== 0) ctx.fail(`W [${w!.shape}] does not match ${c} input channels and group ${group}`);
  const mg = w!.shape[1]!, m = mg * group, cg = c / group;
  const win = transposeGeometry(ctx, x!.shape.slice(2), w!.shape.slice(2));
  const X = f32In(x!), W = f32In(w!);
  const kprod = numelOf(win.kernel), inSize = numelOf(win.inShape), outSize = numelOf(win.outShape);
  // Scatter tables: for each tap and input position the output coordinate (or -1), per axis, lifted to 3-D.
  const swapped: Window = { ...win, inShape: win.outShape, outShape: win.inShape };
  const L = lift3(swapped);
  const col = new Float32Array(mg * kprod * inSize);
  const y = new Float32Array(n * m * outSize);
  for (let img = 0; img < n; img++)
    for (let g = 0; g < group; g++) {
      matmulF32({ m: mg * kprod, n: inSize, k: cg, a: W, aOffset: g * cg * mg * kprod, transA: true, b: X, bOffset: (img * c + g * cg) * inSize, y: col });
      col2im(col, mg, L, y, (img * m + g * mg) * outSize);
    }
  if (b) {
    const B = f32In(b);
    for (let img = 0; img < n; img++)
      for (let o = 0; o < m; o++) {
        const base = (img * m + o) * outSize;
        for (let q = 0; q < outSize; q++) y[base + q] = y[base + q]! + B[o]!;
      }
  }
  return [f32Out(x!.dtype, [n, m, ...win.outShape], y)];
});

/**
 * Adds col ([channels * kprod, inSize]) into y at the output positions of each tap. `L` is
 * the lifted geometry with in/out swapped: its tables map (tap, input position) to the output
 * coordinate, since o = i * stride - padBegin + tap * dilation.
 */
function col2im(col: Float32Array, channels: number, L: ReturnType<typeof lift3>, y: Float32Array, yOff: number): void {
  const { inH: oH, inW: oW, kD, kH, kW, oD: iD, oH: iH, oW: iW, tD, tH, tW } = L;
  const outSize = L.inD * oH * oW;
  let p = 0;
  for (let c = 0; c < channels; c++) {
    const yc = yOff + c * outSize;
    for (let kd = 0; kd < kD; kd++)
      for (let kh = 0; kh < kH; kh++)
        for (let kw = 0; kw < kW; kw++)
          for (let id = 0; id < iD; id++) {
            const od = tD[kd * iD + id]!;
            for (let ih = 0; ih < iH; ih++) {
              const oh = tH[kh * iH + ih]!;
              if (od < 0 || oh < 0) { p += iW; continue; }
              const base = yc + (od * oH + oh) * oW;
              for (let iw = 0; iw < iW; iw++, p++) {
                const ow = tW[kw * iW + iw]!;
                if (ow >= 0) y[base + ow] = y[base + ow]! + col[p]!;
              }
            }
          }
  }
}
