/**
 * Sliding-window geometry of Conv, ConvInteger, QLinearConv and the pooling kernels, from
 * the actual input shape (ONNX rules, as the IR's ops/window.ts infers them): output size per
 * spatial axis and the begin padding, with auto_pad SAME_UPPER (extra pad at the end),
 * SAME_LOWER (extra pad at the beginning), VALID (no pad) and ceil_mode.
 */
import type { KernelContext } from "../kernel-registry.js";

export interface Window {
  /** Spatial rank. */
  r: number;
  inShape: number[];
  kernel: number[];
  strides: number[];
  dilations: number[];
  /** Begin and end padding per axis (resolved for auto_pad). */
  padBegin: number[];
  padEnd: number[];
  outShape: number[];
}

function ints(ctx: KernelContext, name: string, n: number, dflt: number): number[] {
  if (!ctx.has(name)) return new Array<number>(n).fill(dflt);
  const v = ctx.attr<number[]>(name);
  if (v.length !== n) ctx.fail(`${name} has ${v.length} values, expected ${n}`);
  return [...v];
}

/** Window geometry for the spatial dims `inShape`; kernel from kernel_shape or `kernel`. */
export function resolveWindow(ctx: KernelContext, inShape: readonly number[], kernel?: readonly number[]): Window {
  const r = inShape.length;
  const k = ctx.has("kernel_shape") ? ints(ctx, "kernel_shape", r, 1) : kernel ? [...kernel] : ctx.fail("kernel_shape is required");
  if (k.length !== r) ctx.fail(`kernel has rank ${k.length}, input has ${r} spatial dims`);
  const strides = ints(ctx, "strides", r, 1);
  const dilations = ints(ctx, "dilations", r, 1);
  const pads = ints(ctx, "pads", 2 * r, 0);
  const autoPad = ctx.has("auto_pad") ? ctx.attr<string>("auto_pad") : "NOTSET";
  const ceil = ctx.has("ceil_mode") && ctx.attr<number>("ceil_mode") !== 0;
  const w: Window = { r, inShape: [...inShape], kernel: k, strides, dilations, padBegin: [], padEnd: [], outShape: [] };
  for (let i = 0; i < r; i++) {
    const d = inShape[i]!, s = strides[i]!, dk = (k[i]! - 1) * dilations[i]! + 1;
    let pb = pads[i]!, pe = pads[i + r]!, out: number;
    if (autoPad === "SAME_UPPER" || autoPad === "SAME_LOWER") {
      out = Math.ceil(d / s);
      const total = Math.max(0, (out - 1) * s + dk - d);
      const small = Math.floor(total / 2);
      [pb, pe] = autoPad === "SAME_UPPER" ? [small, total - small] : [total - small, small];
    } else {
      if (autoPad === "VALID") pb = pe = 0;
      else if (autoPad !== "NOTSET") ctx.fail(`auto_pad '${autoPad}' is not supported`);
      const span = d + pb + pe - dk;
      if (span < 0) ctx.fail(`window of size ${dk} does not fit input dim ${d} with pads ${pb}+${pe}`);
      out = (ceil ? Math.ceil(span / s) : Math.floor(span / s)) + 1;
      if (ceil && (out - 1) * s >= d + pb) out--;
    }
    w.padBegin.push(pb);
    w.padEnd.push(pe);
    w.outShape.push(out);
  }
  return w;
}

/**
 * Per axis, per kernel tap and output position, the input coordinate (or -1 in padding):
 * tables[axis][kpos * out + o] = o * stride - padBegin + kpos * dilation.
 */
export function tapTables(w: Window): Int32Array[] {
  return w.inShape.map((d, i) => {
    const k = w.kernel[i]!, out = w.outShape[i]!;
    const t = new Int32Array(k * out);
    for (let kp = 0; kp < k; kp++)
      for (let o = 0; o < out; o++) {
        const x = o * w.strides[i]! - w.padBegin[i]! + kp * w.dilations[i]!;
        t[kp * out + o] = x >= 0 && x < d ? x : -1;
      }
    return t;
  });
}

/** One spatial axis of a window: for each output, its first input coordinate c0 and the taps [lo, hi) inside the input. */
export interface AxisRange {
  c0: Int32Array;
  lo: Int32Array;
  hi: Int32Array;
  /** Dilation, input size, output size. */
  d: number;
  n: number;
  out: number;
}

/** Valid tap ranges per axis, lifted to exactly 3 axes (unit axes in front). */
export function axisRanges(w: Window): AxisRange[] {
  const axes = w.inShape.map((n, i) => {
    const out = w.outShape[i]!, k = w.kernel[i]!, d = w.dilations[i]!;
    const c0 = new Int32Array(out), lo = new Int32Array(out), hi = new Int32Array(out);
    for (let o = 0; o < out; o++) {
      const c = o * w.strides[i]! - w.padBegin[i]!;
      let a = 0, b = k;
      while (a < k && c + a * d < 0) a++;
      while (b > a && c + (b - 1) * d >= n) b--;
      c0[o] = c, lo[o] = a, hi[o] = b;
    }
    return { c0, lo, hi, d, n, out };
  });
  if (axes.length > 3) throw new RangeError(`window of spatial rank ${axes.length} (at most 3 is supported)`);
  while (axes.length < 3) axes.unshift({ c0: Int32Array.of(0), lo: Int32Array.of(0), hi: Int32Array.of(1), d: 1, n: 1, out: 1 });
  return axes;
}
