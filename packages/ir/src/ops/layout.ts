/**
 * Layout and generation ops (ONNX semantics, opset 21): Transpose, Expand, Tile, Concat,
 * Split, ConstantOfShape, Range.
 */
import { defineOp } from "../op-registry.js";
import { Tensor } from "../tensor.js";
import type { Dim } from "../types.js";
import { broadcastShapes, constInts, input, normAxis, unknownShape, UNKNOWN } from "./shape-util.js";
import { manyOutputs, optConstInts, rangeLength, requireVectorLength, splitSizes } from "./movement-util.js";

defineOp({
  name: "Transpose",
  doc: "permute the axes (default: reverse them)",
  inputs: ["data"],
  outputs: ["transposed"],
  attrs: { perm: { kind: "ints", doc: "output axis i is input axis perm[i] (default: reversed)" } },
  infer(ctx) {
    const x = input(ctx, 0);
    const r = x.shape.length;
    const perm = ctx.has("perm") ? ctx.attr<number[]>("perm") : [...Array(r).keys()].reverse();
    if (perm.length !== r || [...perm].sort((a, b) => a - b).some((p, i) => p !== i))
      ctx.fail(`perm [${perm.join(",")}] is not a permutation of ${r} axes`);
    return [{ dtype: x.dtype, shape: perm.map((p) => x.shape[p]!) }];
  },
});

defineOp({
  name: "Expand",
  doc: "broadcast the input to the i64 `shape` input (bidirectional: 1s in shape keep input dims)",
  inputs: ["input", "shape"],
  outputs: ["output"],
  attrs: {},
  infer(ctx) {
    const x = input(ctx, 0);
    const shape = constInts(ctx, 1);
    if (shape) return [{ dtype: x.dtype, shape: broadcastShapes(ctx, [x.shape, shape]) }];
    const n = requireVectorLength(ctx, 1, "the shape input");
    const r = Math.max(n, x.shape.length);
    const out = unknownShape(r);
    x.shape.forEach((d, i) => {
      if (d !== 1) out[r - x.shape.length + i] = d; // a non-1 dim can only broadcast to itself
    });
    return [{ dtype: x.dtype, shape: out }];
  },
});

defineOp({
  name: "Tile",
  doc: "repeat the input `repeats[i]` times along each axis",
  inputs: ["input", "repeats"],
  outputs: ["output"],
  attrs: {},
  infer(ctx) {
    const x = input(ctx, 0);
    const reps = constInts(ctx, 1);
    if (!reps) return [{ dtype: x.dtype, shape: x.shape.map((d) => (d === 0 ? 0 : UNKNOWN)) }];
    if (reps.length !== x.shape.length) ctx.fail(`repeats has ${reps.length} entries for rank ${x.shape.length}`);
    if (reps.some((v) => v < 0)) ctx.fail("repeats must be non-negative");
    return [{ dtype: x.dtype, shape: x.shape.map((d, i) => (reps[i] === 1 ? d : typeof d === "number" ? d * reps[i]! : reps[i] === 0 ? 0 : UNKNOWN)) }];
  },
});

defineOp({
  name: "Concat",
  doc: "join the inputs along `axis` (other dims must match)",
  inputs: ["inputs", "..."],
  minInputs: 1,
  outputs: ["concat_result"],
  attrs: { axis: { kind: "int", required: true, doc: "join axis (negative counts from the end)" } },
  infer(ctx) {
    const ts = ctx.inputs.map((_, i) => input(ctx, i));
    const r = ts[0]!.shape.length;
    const axis = normAxis(ctx, ctx.attr<number>("axis"), r);
    const out: Dim[] = [...ts[0]!.shape];
    let sum: number | undefined = 0;
    for (const t of ts) {
      if (t.dtype !== ts[0]!.dtype) ctx.fail(`input dtypes differ: ${ts[0]!.dtype} and ${t.dtype}`);
      if (t.shape.length !== r) ctx.fail(`input ranks differ: ${r} and ${t.shape.length}`);
      t.shape.forEach((d, i) => {
        if (i === axis) return;
        const o = out[i]!;
        if (typeof o === "number" && typeof d === "number" && o !== d) ctx.fail(`dim ${i} differs: ${o} and ${d}`);
        if (d === UNKNOWN || o === d || typeof o === "number") return;
        out[i] = typeof d === "number" || o === UNKNOWN ? d : UNKNOWN; // two different symbols: unknown
      });
      const d = t.shape[axis]!;
      sum = typeof d === "number" && sum !== undefined ? sum + d : undefined;
    }
    out[axis] = sum ?? (ts.length === 1 ? ts[0]!.shape[axis]! : UNKNOWN);
    return [{ dtype: ts[0]!.dtype, shape: out }];
  },
});

defineOp({
  name: "Split",
  doc: "split along `axis` by the optional `split` sizes, else into num_outputs parts (ceil-sized, last smaller)",
  inputs: ["input", "split"],
  minInputs: 1,
  outputs: manyOutputs("outputs"),
  minOutputs: 1,
  attrs: {
    axis: { kind: "int", default: 0, doc: "split axis" },
    num_outputs: { kind: "int", doc: "equal parts when `split` is omitted (default: the node's output count)" },
  },
  infer(ctx) {
    const x = input(ctx, 0);
    const axis = normAxis(ctx, ctx.attr<number>("axis"), x.shape.length);
    const n = ctx.node.outputs.length;
    const d = x.shape[axis]!;
    const withDim = (v: Dim) => ({ dtype: x.dtype, shape: x.shape.map((e, i) => (i === axis ? v : e)) });
    if (ctx.node.inputs[1]) {
      if (ctx.has("num_outputs")) ctx.fail("give either the split input or num_outputs, not both");
      const sizes = optConstInts(ctx, 1);
      if (!sizes) return Array.from({ length: n }, () => withDim(UNKNOWN));
      if (sizes.length !== n) ctx.fail(`split has ${sizes.length} sizes for ${n} outputs`);
      if (sizes.some((s) => s < 0)) ctx.fail("split sizes must be non-negative");
      const total = sizes.reduce((a, b) => a + b, 0);
      if (typeof d === "number" && total !== d) ctx.fail(`split sizes sum to ${total}, dim ${axis} is ${d}`);
      return sizes.map(withDim);
    }
    const parts = ctx.has("num_outputs") ? ctx.attr<number>("num_outputs") : n;
    if (parts !== n) ctx.fail(`num_outputs is ${parts} but the node has ${n} outputs`);
    if (typeof d !== "number") return Array.from({ length: n }, () => withDim(UNKNOWN));
    return splitSizes(d, n).map(withDim);
  },
});

defineOp({
  name: "ConstantOfShape",
  doc: "a tensor of the i64 `shape` input filled with `value` (one element; default f32 0)",
  inputs: ["input"],
  outputs: ["output"],
  attrs: { value: { kind: "tensor", default: Tensor.fromNumbers("f32", [1], [0]), doc: "fill value and dtype" } },
  infer(ctx) {
    const v = ctx.attr<Tensor>("value");
    if (v.size !== 1) ctx.fail(`value must hold one element, got ${v.size}`);
    const shape = constInts(ctx, 0);
    if (shape?.some((s) => s < 0)) ctx.fail(`shape [${shape.join(",")}] has a negative dim`);
    return [{ dtype: v.dtype, shape: shape ?? unknownShape(requireVectorLength(ctx, 0, "the shape input")) }];
  },
});

defineOp({
  name: "Range",
  doc: "1-D sequence start, start+delta, ... up to (excluding) limit; scalar inputs of one dtype",
  inputs: ["start", "limit", "delta"],
  outputs: ["output"],
  attrs: {},
  infer(ctx) {
    const ts = [0, 1, 2].map((i) => input(ctx, i));
    for (const t of ts) {
      if (t.dtype !== ts[0]!.dtype) ctx.fail(`input dtypes differ: ${ts[0]!.dtype} and ${t.dtype}`);
      if (t.shape.length > 1 || (t.shape.length === 1 && t.shape[0] !== 1)) ctx.fail("start, limit and delta must be scalars");
    }
    const [s, l, d] = [0, 1, 2].map((i) => ctx.constant(i));
    if (d && d.get(0) === 0) ctx.fail("delta must not be 0");
    const n = s && l && d ? rangeLength(s, l, d) : UNKNOWN;
    return [{ dtype: ts[0]!.dtype, shape: [n] }];
  },
});
