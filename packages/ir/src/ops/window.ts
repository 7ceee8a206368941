/**
 * Sliding-window geometry shared by Conv, ConvTranspose and the pooling ops (ONNX rules):
 * per spatial axis, effective kernel dk = (k - 1) * dilation + 1 and
 *   NOTSET  out = floor((in + pad_begin + pad_end - dk) / stride) + 1   (ceil with ceil_mode)
 *   VALID   out = floor((in - dk) / stride) + 1                          (ceil with ceil_mode)
 *   SAME_*  out = ceil(in / stride)
 * With ceil_mode a last window that would start inside the end padding is dropped.
 * Symbolic or unknown input dims give "?".
 */
import type { InferContext } from "../op-registry.js";
import type { Dim } from "../types.js";

export const AUTO_PADS = ["NOTSET", "SAME_UPPER", "SAME_LOWER", "VALID"] as const;

export interface WindowAttrs {
  readonly kernel: readonly number[];
  readonly strides: readonly number[];
  readonly dilations: readonly number[];
  /** [x1_begin, x2_begin, ..., x1_end, x2_end, ...] */
  readonly pads: readonly number[];
  readonly autoPad: string;
  readonly ceilMode: boolean;
}

/** Reads kernel_shape/strides/dilations/pads/auto_pad/ceil_mode (ONNX defaults) for r spatial axes. */
export function windowAttrs(ctx: InferContext, r: number, kernel: readonly number[] | undefined): WindowAttrs {
  const ints = (name: string, n: number, dflt: number): number[] => {
    if (!ctx.has(name)) return new Array<number>(n).fill(dflt);
    const v = ctx.attr<number[]>(name);
    if (v.length !== n) ctx.fail(`${name} has ${v.length} values, expected ${n}`);
    return [...v];
  };
  const k = ctx.has("kernel_shape") ? ints("kernel_shape", r, 1) : kernel;
  if (!k) return ctx.fail("kernel_shape is required");
  if (k.length !== r) ctx.fail(`kernel_shape has ${k.length} values, expected ${r}`);
  const autoPad = ctx.has("auto_pad") ? ctx.attr<string>("auto_pad") : "NOTSET";
  if (!(AUTO_PADS as readonly string[]).includes(autoPad)) ctx.fail(`auto_pad '${autoPad}' is not one of ${AUTO_PADS.join(", ")}`);
  const w: WindowAttrs = {
    kernel: k,
    strides: ints("strides", r, 1),
    dilations: ints("dilations", r, 1),
    pads: ints("pads", 2 * r, 0),
    autoPad,
    ceilMode: ctx.has("ceil_mode") ? ctx.attr<number>("ceil_mode") !== 0 : false,
  };
  if (w.strides.some((s) => s < 1) || w.dilations.some((d) => d < 1) || k.some((x) => x < 1))
    ctx.fail("kernel_shape, strides and dilations must be positive");
  if (w.pads.some((p) => p < 0)) ctx.fail("pads must be non-negative");
  return w;
}

/** Output spatial dims of a sliding window over `spatial`. */
export function windowOutShape(ctx: InferContext, spatial: readonly Dim[], w: WindowAttrs): Dim[] {
  const r = spatial.length;
  return spatial.map((d, i) => {
    if (typeof d !== "number") return "?";
    const dk = (w.kernel[i]! - 1) * w.dilations[i]! + 1;
    const s = w.strides[i]!;
    if (w.autoPad === "SAME_UPPER" || w.autoPad === "SAME_LOWER") return Math.ceil(d / s);
    const pb = w.autoPad === "VALID" ? 0 : w.pads[i]!;
    const pe = w.autoPad === "VALID" ? 0 : w.pads[i + r]!;
    const span = d + pb + pe - dk;
    if (span < 0) ctx.fail(`window of size ${dk} does not fit input dim ${d} with pads ${pb}+${pe}`);
    let out = (w.ceilMode ? Math.ceil(span / s) : Math.floor(span / s)) + 1;
    if (w.ceilMode && (out - 1) * s >= d + pb) out--;
    return out;
  });
}
