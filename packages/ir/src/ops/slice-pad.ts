/** Slice and Pad (ONNX semantics, opset 21: starts/ends/axes/steps and pads/constant_value/axes inputs). */
import { defineOp, type InferContext } from "../op-registry.js";
import type { Dim } from "../types.js";
import { constInts, input, normAxes, unknownShape, UNKNOWN } from "./shape-util.js";
import { optConstInts, sliceBounds, vectorLength } from "./movement-util.js";

const BIG = 2147483647; // ends at or beyond this (INT32_MAX, INT64_MAX) mean "to the end"

/** Axes of an optional axes input at i: constant, default 0..n-1, or undefined when not known. */
function axesInput(ctx: InferContext, i: number, n: number | undefined, rank: number): number[] | undefined {
  if (ctx.node.inputs[i]) {
    const a = optConstInts(ctx, i);
    return a && normAxes(ctx, a, rank);
  }
  return n === undefined ? undefined : [...Array(n).keys()];
}

defineOp({
  name: "Slice",
  doc: "take data[starts:ends:steps] along `axes` (negative indices count from the end; bounds clamp)",
  inputs: ["data", "starts", "ends", "axes", "steps"],
  minInputs: 3,
  outputs: ["output"],
  attrs: {},
  infer(ctx) {
    const x = input(ctx, 0);
    const r = x.shape.length;
    const n = vectorLength(ctx, 1) ?? vectorLength(ctx, 2);
    const axes = axesInput(ctx, 3, n, r);
    if (!axes) return [{ dtype: x.dtype, shape: unknownShape(r) }];
    const starts = constInts(ctx, 1), ends = constInts(ctx, 2);
    const steps = ctx.node.inputs[4] ? optConstInts(ctx, 4) : axes.map(() => 1);
    for (const [what, v] of [["starts", starts], ["ends", ends], ["steps", steps]] as const)
      if (v && v.length !== axes.length) ctx.fail(`${what} has ${v.length} entries for ${axes.length} axes`);
    if (steps?.includes(0)) ctx.fail("steps must not be 0");
    const out: Dim[] = [...x.shape];
    axes.forEach((a, k) => {
      if (!starts || !ends || !steps) return void (out[a] = UNKNOWN);
      const d = x.shape[a]!, s = starts[k]!, e = ends[k]!, st = steps[k]!;
      if (typeof d === "number") out[a] = sliceBounds(s, e, st, d)[1];
      else if (st === 1 && s === 0 && e >= BIG) out[a] = d;
      else if (st === -1 && (s === -1 || s >= BIG) && e <= -BIG) out[a] = d;
      else out[a] = UNKNOWN;
    });
    return [{ dtype: x.dtype, shape: out }];
  },
});

export const PAD_MODES = ["constant", "reflect", "edge", "wrap"] as const;

defineOp({
  name: "Pad",
  doc: "pad (or crop, for negative pads) by `pads` [begin..., end...] over `axes`; modes constant/reflect/edge/wrap",
  inputs: ["data", "pads", "constant_value", "axes"],
  minInputs: 2,
  outputs: ["output"],
  attrs: { mode: { kind: "string", default: "constant", doc: PAD_MODES.join(" | ") } },
  infer(ctx) {
    const x = input(ctx, 0);
    const r = x.shape.length;
    const mode = ctx.attr<string>("mode");
    if (!(PAD_MODES as readonly string[]).includes(mode)) ctx.fail(`unknown mode '${mode}'`);
    const cv = ctx.inputs[2];
    if (cv && cv.dtype !== x.dtype) ctx.fail(`constant_value must be ${x.dtype}, got ${cv.dtype}`);
    const np = vectorLength(ctx, 1);
    if (np !== undefined && np % 2 !== 0) ctx.fail(`pads must have an even number of entries, got ${np}`);
    const axes = axesInput(ctx, 3, r, r); // default: every axis
    if (!axes) return [{ dtype: x.dtype, shape: unknownShape(r) }];
    const pads = constInts(ctx, 1);
    if (np !== undefined && np !== 2 * axes.length) ctx.fail(`pads has ${np} entries for ${axes.length} axes (want ${2 * axes.length})`);
    const out: Dim[] = [...x.shape];
    axes.forEach((a, k) => {
      if (!pads) return void (out[a] = UNKNOWN);
      const b = pads[k]!, e = pads[k + axes.length]!, d = x.shape[a]!;
      if (typeof d === "number") {
        if (d + b + e < 0) ctx.fail(`pads [${pads.join(",")}] crop axis ${a} of size ${d} below zero`);
        out[a] = d + b + e;
      } else out[a] = b === 0 && e === 0 ? d : UNKNOWN;
    });
    return [{ dtype: x.dtype, shape: out }];
  },
});
