/** Spatial rearrangement and resampling (ONNX semantics, opset 21): DepthToSpace, SpaceToDepth, Resize. */
import { defineOp, type InferContext } from "../op-registry.js";
import type { Dim, TensorType } from "../types.js";
import { constInts, input, normAxes, UNKNOWN } from "./shape-util.js";
import { resizeOutput } from "./movement-util.js";

function blocks(ctx: InferContext): [TensorType, number] {
  const x = input(ctx, 0);
  if (x.shape.length !== 4) ctx.fail(`input must be 4-D [N,C,H,W], got rank ${x.shape.length}`);
  const b = ctx.attr<number>("blocksize");
  if (b < 1) ctx.fail(`blocksize must be >= 1, got ${b}`);
  return [x, b];
}

const mul = (d: Dim, b: number): Dim => (b === 1 ? d : typeof d === "number" ? d * b : UNKNOWN);

function div(ctx: InferContext, d: Dim, b: number, what: string): Dim {
  if (b === 1) return d;
  if (typeof d !== "number") return UNKNOWN;
  if (d % b !== 0) ctx.fail(`${what} ${d} is not divisible by ${b}`);
  return d / b;
}

defineOp({
  name: "DepthToSpace",
  doc: "move channel blocks into spatial blocks: [N,C,H,W] → [N,C/b²,H·b,W·b] (DCR or CRD order)",
  inputs: ["input"],
  outputs: ["output"],
  attrs: {
    blocksize: { kind: "int", required: true, doc: "spatial block size b" },
    mode: { kind: "string", default: "DCR", doc: "DCR (depth-column-row) | CRD (column-row-depth)" },
  },
  infer(ctx) {
    const [x, b] = blocks(ctx);
    const mode = ctx.attr<string>("mode");
    if (mode !== "DCR" && mode !== "CRD") ctx.fail(`mode must be DCR or CRD, got '${mode}'`);
    const [n, c, h, w] = x.shape as Dim[];
    return [{ dtype: x.dtype, shape: [n!, div(ctx, c!, b * b, "channels"), mul(h!, b), mul(w!, b)] }];
  },
});

defineOp({
  name: "SpaceToDepth",
  doc: "move spatial blocks into channels: [N,C,H,W] → [N,C·b²,H/b,W/b]",
  inputs: ["input"],
  outputs: ["output"],
  attrs: { blocksize: { kind: "int", required: true, doc: "spatial block size b" } },
  infer(ctx) {
    const [x, b] = blocks(ctx);
    const [n, c, h, w] = x.shape as Dim[];
    return [{ dtype: x.dtype, shape: [n!, mul(c!, b * b), div(ctx, h!, b, "height"), div(ctx, w!, b, "width")] }];
  },
});

export const RESIZE_MODES = ["nearest", "linear", "cubic"] as const;
// opset 19+ modes (tf_half_pixel_for_nn was removed in opset 13; the frontend rejects it)
export const COORD_MODES = ["half_pixel", "half_pixel_symmetric", "pytorch_half_pixel", "align_corners", "asymmetric", "tf_crop_and_resize"] as const;
export const NEAREST_MODES = ["round_prefer_floor", "round_prefer_ceil", "floor", "ceil"] as const;

function oneOf(ctx: InferContext, name: string, allowed: readonly string[]): void {
  const v = ctx.attr<string>(name);
  if (!allowed.includes(v)) ctx.fail(`${name} must be one of ${allowed.join("/")}, got '${v}'`);
}

defineOp({
  name: "Resize",
  doc: "resample spatial axes to `sizes` or by `scales` (nearest, linear or cubic interpolation)",
  inputs: ["X", "roi", "scales", "sizes"],
  minInputs: 1,
  outputs: ["Y"],
  attrs: {
    antialias: { kind: "int", default: 0, doc: "1: antialiasing filter when downsampling (linear/cubic)" },
    axes: { kind: "ints", doc: "axes that scales/sizes/roi refer to (default: all)" },
    coordinate_transformation_mode: { kind: "string", default: "half_pixel", doc: COORD_MODES.join(" | ") },
    cubic_coeff_a: { kind: "float", default: -0.75, doc: "cubic kernel coefficient" },
    exclude_outside: { kind: "int", default: 0, doc: "1: zero the weights of samples outside the input" },
    extrapolation_value: { kind: "float", default: 0, doc: "value outside the input for tf_crop_and_resize" },
    keep_aspect_ratio_policy: { kind: "string", default: "stretch", doc: "stretch | not_larger | not_smaller (with sizes)" },
    mode: { kind: "string", default: "nearest", doc: RESIZE_MODES.join(" | ") },
    nearest_mode: { kind: "string", default: "round_prefer_floor", doc: NEAREST_MODES.join(" | ") },
  },
  infer(ctx) {
    const x = input(ctx, 0);
    const r = x.shape.length;
    oneOf(ctx, "mode", RESIZE_MODES);
    oneOf(ctx, "coordinate_transformation_mode", COORD_MODES);
    oneOf(ctx, "nearest_mode", NEAREST_MODES);
    oneOf(ctx, "keep_aspect_ratio_policy", ["stretch", "not_larger", "not_smaller"]);
    const axes = ctx.has("axes") ? normAxes(ctx, ctx.attr<number[]>("axes"), r) : [...Array(r).keys()];
    // an empty constant scales (opset 11-12 style, with sizes) counts as omitted
    const hasScales = !!ctx.node.inputs[2] && ctx.constant(2)?.size !== 0, hasSizes = !!ctx.node.inputs[3];
    if (hasScales === hasSizes) ctx.fail("exactly one of scales and sizes must be given");
    const scales = hasScales ? ctx.constant(2)?.toNumbers() : undefined;
    const sizes = hasSizes ? constInts(ctx, 3) : undefined;
    const given = scales ?? sizes;
    if (given && given.length !== axes.length) ctx.fail(`${hasScales ? "scales" : "sizes"} has ${given.length} entries for ${axes.length} axes`);
    const out: Dim[] = [...x.shape];
    const inDims = axes.map((a) => x.shape[a]!);
    const policy = ctx.attr<string>("keep_aspect_ratio_policy");
    const known = inDims.every((d): d is number => typeof d === "number");
    if (sizes && policy !== "stretch") {
      if (known) resizeOutput(inDims, undefined, sizes, policy).size.forEach((d, k) => (out[axes[k]!] = d));
      else axes.forEach((a) => (out[a] = UNKNOWN));
    } else if (sizes) axes.forEach((a, k) => (out[a] = sizes[k]!));
    else
      axes.forEach((a, k) => {
        const d = x.shape[a]!, s = scales?.[k];
        if (s === undefined) out[a] = UNKNOWN;
        else if (typeof d === "number") out[a] = resizeOutput([d], [s], undefined, policy).size[0]!;
        else if (s !== 1) out[a] = UNKNOWN;
      });
    return [{ dtype: x.dtype, shape: out }];
  },
});
