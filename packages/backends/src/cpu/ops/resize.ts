/**
 * Resize (opset 19 semantics, as the ONNX reference implementation computes it).
 *
 * Each resized axis maps output coordinate x to x_ori in the input; with x0 = ceil(x_ori) - 1
 * and ratio r = x_ori - x0 in (0, 1], an n-tap filter reads input x0 + (1 - n/2) + j (edge
 * clamped). Nearest picks one tap and moves elements exactly (any dtype, via mapCopy);
 * linear and cubic (optionally antialiased) are separable passes in f64, last axis first.
 */
import { resizeOutput, Tensor } from "@quantpass/ir";
import { defineKernel, type KernelContext } from "../kernel-registry.js";
import { axisTable, FILL, intsOf, mapCopy, normAxisK, numelOf, stridesOf } from "./move-util.js";

const COORD_MODES = ["half_pixel", "half_pixel_symmetric", "pytorch_half_pixel", "align_corners", "asymmetric", "tf_crop_and_resize"];

interface Axis {
  inLen: number;
  outLen: number;
  scale: number;
  /** Output width as the reference computes it (scale * inLen, f32 when scales were given). */
  outWidth: number;
  roi: [number, number];
}

/** x_ori for output coordinate x, or NaN when outside the crop (tf_crop_and_resize). */
function coordinate(mode: string, x: number, ax: Axis): number {
  const { inLen, scale, outWidth } = ax;
  switch (mode) {
    case "align_corners": return outWidth === 1 ? 0 : (x * (inLen - 1)) / (outWidth - 1);
    case "asymmetric": return x / scale;
    case "pytorch_half_pixel": return outWidth === 1 ? -0.5 : (x + 0.5) / scale - 0.5;
    case "half_pixel_symmetric": {
      const adjustment = ax.outLen / outWidth;
      return (inLen / 2) * (1 - adjustment) + (x + 0.5) / scale - 0.5;
    }
    case "tf_crop_and_resize": {
      const [s, e] = ax.roi;
      const v = (outWidth === 1 ? ((e - s) * (inLen - 1)) / 2 : (x * (e - s) * (inLen - 1)) / (outWidth - 1)) + s * (inLen - 1);
      return v < 0 || v > inLen - 1 ? NaN : v;
    }
    case "half_pixel": return (x + 0.5) / scale - 0.5;
    default: throw new Error(`unreachable coordinate mode ${mode}`);
  }
}

function cubicKernel(x: number, A: number): number {
  x = Math.abs(x);
  if (x <= 1) return ((A + 2) * x - (A + 3)) * x * x + 1;
  if (x < 2) return ((A * x - 5 * A) * x + 8 * A) * x - 4 * A;
  return 0;
}

/** Filter taps for ratio r in (0, 1]: weights of inputs x0 + (1 - n/2) + j. */
function taps(mode: string, r: number, scale: number, antialias: boolean, A: number): number[] {
  if (mode === "linear") {
    if (!antialias || scale >= 1) return [1 - r, r];
    const start = Math.floor(-1 / scale) + 1;
    const c = Array.from({ length: 2 - 2 * start }, (_, j) => Math.min(1, Math.max(0, 1 - Math.abs((start + j - r) * scale))));
    const sum = c.reduce((p, q) => p + q, 0);
    return c.map((v) => v / sum);
  }
  if (!antialias || scale >= 1) return [-1, 0, 1, 2].map((o) => cubicKernel(o - r, A));
  const start = Math.floor(-2 / scale) + 1;
  const c = Array.from({ length: 2 - 2 * start }, (_, j) => cubicKernel(scale * (start + j - r), A));
  const sum = c.reduce((p, q) => p + q, 0);
  return c.map((v) => v / sum);
}

/** x0 and ratio in (0, 1] for a coordinate (an integer coordinate has ratio 1). */
function split(v: number): [number, number] {
  const x0 = Math.ceil(v) - 1;
  return [x0, v - x0];
}

function nearestIndex(v: number, mode: string, inLen: number): number {
  const [x0, r] = split(v);
  const second = r === 1 || mode === "ceil" || (mode === "round_prefer_floor" ? r > 0.5 : mode === "round_prefer_ceil" ? r >= 0.5 : false);
  return Math.min(Math.max(x0 + (second ? 1 : 0), 0), inLen - 1);
}

/** One separable pass along axis a: out[..., x, ...] = sum_j w[x][j] * cur[..., idx[x][j], ...]. */
function pass(cur: Float64Array, shape: number[], a: number, outLen: number, idx: Int32Array, w: Float64Array, n: number): Float64Array {
  const outer = numelOf(shape.slice(0, a)), inner = numelOf(shape.slice(a + 1)), inLen = shape[a]!;
  const out = new Float64Array(outer * outLen * inner);
  for (let o = 0; o < outer; o++)
    for (let x = 0; x < outLen; x++) {
      const dst = (o * outLen + x) * inner;
      for (let j = 0; j < n; j++) {
        const wt = w[x * n + j]!;
        if (wt === 0) continue;
        const src = (o * inLen + idx[x * n + j]!) * inner;
        for (let i = 0; i < inner; i++) out[dst + i] += wt * cur[src + i]!;
      }
    }
  shape[a] = outLen;
  return out;
}

function axesFor(x: Tensor, roiT: Tensor | undefined, scalesT: Tensor | undefined, sizesT: Tensor | undefined, ctx: KernelContext): Map<number, Axis> {
  const r = x.shape.length;
  const axes = ctx.has("axes") ? ctx.attr<number[]>("axes").map((a) => normAxisK(a, r, ctx.fail)) : [...Array(r).keys()];
  const scales = scalesT && scalesT.size > 0 ? Array.from(scalesT.toF32()) : undefined;
  const sizes = sizesT && sizesT.size > 0 ? intsOf(sizesT) : undefined;
  if (!scales === !sizes) ctx.fail("exactly one of scales and sizes must be given");
  const given = (scales ?? sizes)!;
  if (given.length !== axes.length) ctx.fail(`${scales ? "scales" : "sizes"} has ${given.length} entries for ${axes.length} axes`);
  if (scales?.some((s) => !(s > 0))) ctx.fail(`scales must be positive, got [${scales}]`);
  const inDims = axes.map((a) => x.shape[a]!);
  const { size, scale } = resizeOutput(inDims, scales, sizes, ctx.attr<string>("keep_aspect_ratio_policy"));
  const roi = roiT && roiT.size > 0 ? Array.from(roiT.toF32()) : undefined;
  if (roi && roi.length !== 2 * axes.length) ctx.fail(`roi has ${roi.length} entries for ${axes.length} axes`);
  const m = new Map<number, Axis>();
  axes.forEach((a, k) => {
    const outWidth = scales ? Math.fround(scale[k]! * inDims[k]!) : scale[k]! * inDims[k]!;
    m.set(a, { inLen: inDims[k]!, outLen: size[k]!, scale: scale[k]!, outWidth, roi: roi ? [roi[k]!, roi[k + axes.length]!] : [0, 1] });
  });
  return m;
}

defineKernel("Resize", ([x, roiT, scalesT, sizesT], ctx) => {
  const mode = ctx.attr<string>("mode");
  const cmode = ctx.attr<string>("coordinate_transformation_mode");
  if (!COORD_MODES.includes(cmode)) ctx.fail(`unsupported coordinate_transformation_mode '${cmode}'`);
  const axes = axesFor(x!, roiT, scalesT, sizesT, ctx);
  const outShape = x!.shape.map((d, a) => axes.get(a)?.outLen ?? d);
  const extrapolation = ctx.attr<number>("extrapolation_value");
  if (mode === "nearest") {
    const nm = ctx.attr<string>("nearest_mode");
    const st = stridesOf(x!.shape);
    const tables = x!.shape.map((d, a) => {
      const ax = axes.get(a);
      if (!ax) return axisTable(d, st[a]!);
      const t = new Float64Array(ax.outLen);
      for (let o = 0; o < ax.outLen; o++) {
        const v = coordinate(cmode, o, ax);
        t[o] = Number.isNaN(v) ? FILL : nearestIndex(v, nm, ax.inLen) * st[a]!;
      }
      return t;
    });
    return [mapCopy(x!, outShape, tables, Tensor.fromNumbers(x!.dtype, [], [extrapolation]))];
  }
  if (mode !== "linear" && mode !== "cubic") ctx.fail(`unknown mode '${mode}'`);
  if (x!.dtype === "string" || x!.dtype === "bool") ctx.fail(`${mode} resize needs a numeric input, got ${x!.dtype}`);
  const antialias = ctx.attr<number>("antialias") !== 0;
  const A = ctx.attr<number>("cubic_coeff_a");
  const exclude = ctx.attr<number>("exclude_outside") !== 0;
  let cur: Float64Array = Float64Array.from(x!.toNumbers());
  const shape = [...x!.shape];
  const outside: [number, Uint8Array][] = [];
  for (let a = x!.shape.length - 1; a >= 0; a--) {
    const ax = axes.get(a);
    if (!ax) continue;
    if (ax.scale === 1 && ax.outLen === ax.inLen && cmode !== "tf_crop_and_resize") continue;
    const n = taps(mode, 0.5, ax.scale, antialias, A).length;
    const idx = new Int32Array(ax.outLen * n), w = new Float64Array(ax.outLen * n);
    const out = new Uint8Array(ax.outLen);
    for (let o = 0; o < ax.outLen; o++) {
      const v = coordinate(cmode, o, ax);
      if (Number.isNaN(v)) { out[o] = 1; continue; }
      const [x0, r] = split(v);
      const c = taps(mode, r, ax.scale, antialias, A);
      const first = x0 + 1 - n / 2;
      if (exclude) {
        for (let j = 0; j < n; j++) if (first + j < 0 || first + j >= ax.inLen) c[j] = 0;
        const s = c.reduce((p, q) => p + q, 0);
        for (let j = 0; j < n; j++) c[j]! /= s;
      }
      for (let j = 0; j < n; j++) {
        idx[o * n + j] = Math.min(Math.max(first + j, 0), ax.inLen - 1);
        w[o * n + j] = c[j]!;
      }
    }
    cur = pass(cur, shape, a, ax.outLen, idx, w, n);
    if (out.includes(1)) outside.push([a, out]);
  }
  for (const [a, flags] of outside) {
    const outer = numelOf(shape.slice(0, a)), inner = numelOf(shape.slice(a + 1)), L = shape[a]!;
    for (let o = 0; o < outer; o++) for (let k = 0; k < L; k++) if (flags[k]) cur.fill(extrapolation, (o * L + k) * inner, (o * L + k + 1) * inner);
  }
  if (x!.dtype === "f32") return [new Tensor("f32", outShape, Float32Array.from(cur))];
  const res = Tensor.zeros(x!.dtype, outShape);
  for (let i = 0; i < cur.length; i++) res.set(i, cur[i]!);
  return [res];
});
