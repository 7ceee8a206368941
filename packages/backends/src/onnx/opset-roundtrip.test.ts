/**
 * Opset conversion is numerically exact: an old-opset model, lowered into the IR's newest form
 * and exported at opset 21 and at opset 13, gives the same outputs in onnxruntime as the original.
 */
import * as ort from "onnxruntime-node";
import { describe, expect, it } from "vitest";
import { decodeOnnx, encodeOnnx } from "@quantpass/formats";
import { Tensor, verify, type DType } from "@quantpass/ir";
// Test-only: the frontend and its ONNX builder.
import { lowerOnnx } from "@quantpass/frontends";
import { init, model, node, vinfo, type AttrSpec } from "@quantpass/frontends/onnx-build";
import { exportOnnxBytes } from "./export.js";
import { fromOrt, toOrt } from "./ort-tensor.js";
import { maxAbsDiff, rng } from "./test-models.js";

interface Case {
  name: string;
  opset: number;
  op: string;
  attrs?: Record<string, AttrSpec>;
  x: number[];
  /** Extra constant inputs after x. */
  consts?: Tensor[];
  outputs?: string[];
  xdtype?: DType;
}

const f = (v: number) => ({ value: v, kind: "float" as const });
const CASES: Case[] = [
  { name: "ReduceMean-13 axes attr", opset: 13, op: "ReduceMean", attrs: { axes: [1], keepdims: 0 }, x: [2, 3, 4] },
  { name: "ReduceSum-11 axes attr", opset: 11, op: "ReduceSum", attrs: { axes: [0, 2] }, x: [2, 3, 4] },
  { name: "ReduceMax-13 all axes", opset: 13, op: "ReduceMax", attrs: {}, x: [2, 3, 4] },
  { name: "ReduceLogSumExp-17 negative axis", opset: 17, op: "ReduceLogSumExp", attrs: { axes: [-1] }, x: [2, 3, 4] },
  { name: "Squeeze-11", opset: 11, op: "Squeeze", attrs: { axes: [1] }, x: [2, 1, 3] },
  { name: "Unsqueeze-11", opset: 11, op: "Unsqueeze", attrs: { axes: [0, 3] }, x: [2, 3] },
  { name: "Split-11 sizes", opset: 11, op: "Split", attrs: { axis: 1, split: [1, 3] }, x: [2, 4], outputs: ["a", "b"] },
  { name: "Split-11 equal", opset: 11, op: "Split", attrs: { axis: 0 }, x: [4, 2], outputs: ["a", "b"] },
  { name: "Split-17 equal", opset: 17, op: "Split", attrs: { axis: 1 }, x: [2, 6], outputs: ["a", "b", "c"] },
  { name: "Slice-9", opset: 9, op: "Slice", attrs: { starts: [1, 0], ends: [3, -1], axes: [0, 1] }, x: [4, 5] },
  { name: "TopK-9", opset: 9, op: "TopK", attrs: { k: 2 }, x: [3, 5], outputs: ["v", "i"] },
  { name: "Clip-10", opset: 10, op: "Clip", attrs: { min: f(-0.5), max: f(0.5) }, x: [3, 4] },
  { name: "Pad-10 constant", opset: 10, op: "Pad", attrs: { pads: [0, 1, 1, 2], value: f(1.5) }, x: [2, 3] },
  { name: "Pad-10 reflect", opset: 10, op: "Pad", attrs: { pads: [0, 1, 0, 1], mode: "reflect" }, x: [2, 3] },
  { name: "Dropout-10 ratio", opset: 10, op: "Dropout", attrs: { ratio: f(0.3) }, x: [2, 3] },
  { name: "Softmax-11 axis 1 of 3-D", opset: 11, op: "Softmax", attrs: { axis: 1 }, x: [2, 3, 4] },
  { name: "Softmax-12 default axis", opset: 12, op: "Softmax", attrs: {}, x: [2, 3, 4] },
  { name: "LogSoftmax-11 axis 0", opset: 11, op: "LogSoftmax", attrs: { axis: 0 }, x: [2, 3] },
  { name: "Hardmax-11 axis 1 of 3-D", opset: 11, op: "Hardmax", attrs: { axis: 1 }, x: [2, 3, 4] },
  { name: "Upsample-9 nearest", opset: 9, op: "Upsample", attrs: { mode: "nearest" }, x: [1, 1, 2, 3], consts: [Tensor.f32([4], [1, 1, 2, 3])] },
  { name: "Upsample-9 linear", opset: 9, op: "Upsample", attrs: { mode: "linear" }, x: [1, 1, 3, 3], consts: [Tensor.f32([4], [1, 1, 2, 2])] },
  { name: "Resize-10 nearest", opset: 10, op: "Resize", attrs: { mode: "nearest" }, x: [1, 2, 2, 2], consts: [Tensor.f32([4], [1, 1, 3, 2])] },
  { name: "Scatter-10", opset: 10, op: "Scatter", attrs: { axis: 1 }, x: [2, 3], consts: [new Tensor("i64", [2, 1], BigInt64Array.of(2n, 0n)), Tensor.f32([2, 1], [7, 8])] },
  {
    name: "BatchNormalization-9", opset: 9, op: "BatchNormalization", attrs: { epsilon: f(1e-3) }, x: [2, 3, 4],
    consts: [Tensor.f32([3], [1, 2, 0.5]), Tensor.f32([3], [0, 0.1, -1]), Tensor.f32([3], [0.2, -0.3, 0]), Tensor.f32([3], [1, 0.5, 2])],
  },
];

async function run(bytes: Uint8Array, feeds: Record<string, Tensor>): Promise<Record<string, Tensor>> {
  const s = await ort.InferenceSession.create(bytes, { graphOptimizationLevel: "basic", logSeverityLevel: 3 });
  try {
    const out = await s.run(Object.fromEntries(Object.entries(feeds).map(([k, t]) => [k, toOrt(t, k)])));
    return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, fromOrt(v, k)]));
  } finally {
    await s.release();
  }
}

describe("old opset forms → IR → opset 21 and 13 run the same in onnxruntime", () => {
  it.each(CASES)("$name", async (c) => {
    const outputs = c.outputs ?? ["y"];
    const consts = (c.consts ?? []).map((t, i) => [`c${i}`, t] as const);
    const bytes = encodeOnnx(model({
      opset: c.opset,
      nodes: [node(c.op, ["x", ...consts.map(([n]) => n)], outputs, c.attrs ?? {}, { name: "n" })],
      inputs: [vinfo("x", c.xdtype ?? "f32", c.x)],
      outputs: outputs.map((o) => vinfo(o, c.op === "TopK" && o === "i" ? "i64" : "f32", null)),
      initializers: consts.map(([n, t]) => init(n, t)),
    }));
    const r = rng(c.x.reduce((a, b) => a * 31 + b, 7));
    const feeds = { x: Tensor.f32(c.x, Array.from({ length: c.x.reduce((a, b) => a * b, 1) }, () => Math.round((r() * 4 - 2) * 64) / 64)) };
    const want = await run(bytes, feeds);
    const g = lowerOnnx(decodeOnnx(bytes));
    verify(g);
    for (const opset of [21, 13]) {
      const got = await run(exportOnnxBytes(g, { opset }), feeds);
      for (const o of outputs) {
        expect(got[o]!.dtype, `${o} at opset ${opset}`).toBe(want[o]!.dtype);
        expect(got[o]!.shape, `${o} at opset ${opset}`).toEqual(want[o]!.shape);
        expect(maxAbsDiff(got[o]!, want[o]!), `${o} at opset ${opset}`).toBeLessThanOrEqual(1e-6);
      }
    }
  });
});
