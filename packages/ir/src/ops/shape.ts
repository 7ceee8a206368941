/**
 * Shape queries and reshapes (ONNX semantics, opset 21): Shape, Size, Reshape, Flatten,
 * Squeeze, Unsqueeze. Shape-carrying inputs are read with ctx.constant; when they are not
 * constant the output has "?" dims of the right rank.
 */
import { defineOp } from "../op-registry.js";
import type { Dim } from "../types.js";
import { constInts, input, normAxes, unknownShape, UNKNOWN } from "./shape-util.js";
import { clampBound, optConstInts, requireVectorLength, solveDim, symProduct } from "./movement-util.js";

defineOp({
  name: "Shape",
  doc: "the input's shape as a 1-D i64 tensor, optionally the dims [start, end)",
  inputs: ["data"],
  outputs: ["shape"],
  attrs: {
    start: { kind: "int", default: 0, doc: "first dim (negative counts from the end; clamped)" },
    end: { kind: "int", doc: "one past the last dim (default: rank; negative counts from the end; clamped)" },
  },
  infer(ctx) {
    const r = input(ctx, 0).shape.length;
    const s = clampBound(ctx.attr<number>("start"), r, 0, r);
    const e = ctx.has("end") ? clampBound(ctx.attr<number>("end"), r, 0, r) : r;
    return [{ dtype: "i64", shape: [Math.max(0, e - s)] }];
  },
});

defineOp({
  name: "Size",
  doc: "the input's element count as an i64 scalar",
  inputs: ["data"],
  outputs: ["size"],
  attrs: {},
  infer(ctx) {
    input(ctx, 0);
    return [{ dtype: "i64", shape: [] }];
  },
});

defineOp({
  name: "Reshape",
  doc: "reshape to the i64 `shape` input (0 copies the input dim unless allowzero, -1 is inferred)",
  inputs: ["data", "shape"],
  outputs: ["reshaped"],
  attrs: { allowzero: { kind: "int", default: 0, doc: "1: a 0 in shape is a literal zero dim" } },
  infer(ctx) {
    const x = input(ctx, 0);
    const spec = constInts(ctx, 1);
    if (!spec) return [{ dtype: x.dtype, shape: unknownShape(requireVectorLength(ctx, 1, "the shape input")) }];
    const allowzero = ctx.attr<number>("allowzero") !== 0;
    let minus = -1;
    const out: Dim[] = spec.map((s, i) => {
      if (s === -1) {
        if (minus >= 0) ctx.fail(`shape [${spec.join(",")}] has more than one -1`);
        minus = i;
        return UNKNOWN;
      }
      if (s < -1) ctx.fail(`shape [${spec.join(",")}] has a negative dim`);
      if (s === 0 && !allowzero) {
        if (i >= x.shape.length) ctx.fail(`shape [${spec.join(",")}] copies dim ${i}, beyond input rank ${x.shape.length}`);
        return x.shape[i]!;
      }
      return s;
    });
    if (allowzero && minus >= 0 && spec.includes(0)) ctx.fail("allowzero=1 with both 0 and -1 in shape");
    if (minus >= 0) {
      const others = out.filter((_, i) => i !== minus);
      const a = symProduct(x.shape), b = symProduct(others);
      if (typeof a === "number" && typeof b === "number" && (b === 0 || a % b !== 0))
        ctx.fail(`cannot reshape [${x.shape.join(",")}] to [${spec.join(",")}]`);
      out[minus] = solveDim(x.shape, others);
    } else {
      const a = symProduct(x.shape), b = symProduct(out);
      if (typeof a === "number" && typeof b === "number" && a !== b)
        ctx.fail(`cannot reshape [${x.shape.join(",")}] (${a} elements) to [${spec.join(",")}] (${b} elements)`);
    }
    return [{ dtype: x.dtype, shape: out }];
  },
});

defineOp({
  name: "Flatten",
  doc: "reshape to 2-D: dims before `axis` times dims from `axis` on",
  inputs: ["input"],
  outputs: ["output"],
  attrs: { axis: { kind: "int", default: 1, doc: "split point in [-rank, rank]" } },
  infer(ctx) {
    const x = input(ctx, 0);
    const r = x.shape.length;
    let axis = ctx.attr<number>("axis");
    if (axis < 0) axis += r;
    if (axis < 0 || axis > r) ctx.fail(`axis ${ctx.attr<number>("axis")} out of range for rank ${r}`);
    return [{ dtype: x.dtype, shape: [symProduct(x.shape.slice(0, axis)), symProduct(x.shape.slice(axis))] }];
  },
});

defineOp({
  name: "Squeeze",
  doc: "remove size-1 dims listed in the optional i64 `axes` input (default: every 1; symbolic dims are assumed not 1)",
  inputs: ["data", "axes"],
  minInputs: 1,
  outputs: ["squeezed"],
  attrs: {},
  infer(ctx) {
    const x = input(ctx, 0);
    const r = x.shape.length;
    if (!ctx.node.inputs[1]) return [{ dtype: x.dtype, shape: x.shape.filter((d) => d !== 1) }];
    const axes = optConstInts(ctx, 1);
    if (!axes) return [{ dtype: x.dtype, shape: unknownShape(r - requireVectorLength(ctx, 1, "the axes input")) }];
    const norm = normAxes(ctx, axes, r);
    for (const a of norm) {
      const d = x.shape[a]!;
      if (typeof d === "number" && d !== 1) ctx.fail(`cannot squeeze axis ${a} of size ${d}`);
    }
    return [{ dtype: x.dtype, shape: x.shape.filter((_, i) => !norm.includes(i)) }];
  },
});

defineOp({
  name: "Unsqueeze",
  doc: "insert size-1 dims at the positions (in the output) given by the i64 `axes` input",
  inputs: ["data", "axes"],
  outputs: ["expanded"],
  attrs: {},
  infer(ctx) {
    const x = input(ctx, 0);
    const axes = constInts(ctx, 1);
    if (!axes) return [{ dtype: x.dtype, shape: unknownShape(x.shape.length + requireVectorLength(ctx, 1, "the axes input")) }];
    const r = x.shape.length + axes.length;
    const norm = normAxes(ctx, axes, r);
    const out: Dim[] = [];
    let k = 0;
    for (let i = 0; i < r; i++) out.push(norm.includes(i) ? 1 : x.shape[k++]!);
    return [{ dtype: x.dtype, shape: out }];
  },
});
