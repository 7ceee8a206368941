/** Index-producing and masking ops (ONNX semantics, opset 21): OneHot, Trilu, NonZero, TopK, EyeLike. */
import { defineOp } from "../op-registry.js";
import type { Dim } from "../types.js";
import { dtypeFromOnnxCode, input, normAxis, UNKNOWN } from "./shape-util.js";

defineOp({
  name: "OneHot",
  doc: "one-hot encode indices into a new `axis` of size depth, with values [off, on]",
  inputs: ["indices", "depth", "values"],
  outputs: ["output"],
  attrs: { axis: { kind: "int", default: -1, doc: "where the depth axis goes (in the output)" } },
  infer(ctx) {
    const idx = input(ctx, 0);
    const v = input(ctx, 2);
    if (v.shape.length !== 1 || (typeof v.shape[0] === "number" && v.shape[0] !== 2)) ctx.fail("values must be [off, on]");
    const r = idx.shape.length + 1;
    const a = normAxis(ctx, ctx.attr<number>("axis"), r);
    const dc = ctx.constant(1);
    const depth: Dim = dc ? Math.trunc(dc.get(0)) : UNKNOWN;
    if (typeof depth === "number" && depth < 1) ctx.fail(`depth must be >= 1, got ${depth}`);
    return [{ dtype: v.dtype, shape: [...idx.shape.slice(0, a), depth, ...idx.shape.slice(a)] }];
  },
});

defineOp({
  name: "Trilu",
  doc: "keep the upper (or lower) triangle of the last two dims from diagonal k, zero the rest",
  inputs: ["input", "k"],
  minInputs: 1,
  outputs: ["output"],
  attrs: { upper: { kind: "int", default: 1, doc: "1: keep j - i >= k; 0: keep j - i <= k" } },
  infer(ctx) {
    const x = input(ctx, 0);
    if (x.shape.length < 2) ctx.fail(`input must have rank >= 2, got ${x.shape.length}`);
    const k = ctx.inputs[1];
    if (k && k.dtype !== "i64") ctx.fail(`k must be i64, got ${k.dtype}`);
    return [{ dtype: x.dtype, shape: x.shape }];
  },
});

defineOp({
  name: "NonZero",
  doc: "indices of the non-zero elements, i64 [rank, count], in row-major order",
  inputs: ["X"],
  outputs: ["Y"],
  attrs: {},
  infer(ctx) {
    const x = input(ctx, 0);
    return [{ dtype: "i64", shape: [Math.max(1, x.shape.length), UNKNOWN] }];
  },
});

defineOp({
  name: "TopK",
  doc: "the k largest (or smallest) elements along `axis` and their i64 indices; ties keep the lower index first",
  inputs: ["X", "K"],
  outputs: ["Values", "Indices"],
  attrs: {
    axis: { kind: "int", default: -1, doc: "axis to select along" },
    largest: { kind: "int", default: 1, doc: "1: largest, 0: smallest" },
    sorted: { kind: "int", default: 1, doc: "1: results in sorted order (always done here)" },
  },
  infer(ctx) {
    const x = input(ctx, 0);
    const a = normAxis(ctx, ctx.attr<number>("axis"), x.shape.length);
    const kc = ctx.constant(1);
    const k: Dim = kc ? kc.get(0) : UNKNOWN;
    const d = x.shape[a]!;
    if (typeof k === "number" && (k < 0 || (typeof d === "number" && k > d))) ctx.fail(`k ${k} out of range for axis size ${d}`);
    const shape = x.shape.map((e, i) => (i === a ? k : e));
    return [{ dtype: x.dtype, shape }, { dtype: "i64", shape }];
  },
});

defineOp({
  name: "EyeLike",
  doc: "a 2-D tensor shaped like the input with ones on diagonal k and zeros elsewhere",
  inputs: ["input"],
  outputs: ["output"],
  attrs: {
    dtype: { kind: "int", doc: "ONNX TensorProto.DataType code of the output (default: the input's)" },
    k: { kind: "int", default: 0, doc: "diagonal offset (positive: above the main diagonal)" },
  },
  infer(ctx) {
    const x = input(ctx, 0);
    if (x.shape.length !== 2) ctx.fail(`input must be 2-D, got rank ${x.shape.length}`);
    const dtype = ctx.has("dtype") ? dtypeFromOnnxCode(ctx.attr<number>("dtype")) : x.dtype;
    if (!dtype || dtype === "string") return ctx.fail(`unsupported dtype code ${ctx.attr<number>("dtype")}`);
    return [{ dtype, shape: x.shape }];
  },
});
