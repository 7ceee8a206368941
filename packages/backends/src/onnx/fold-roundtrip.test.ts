/**
 * Shape-arithmetic folding in the frontend is exact: a model computing shapes with every folded
 * op runs the same in onnxruntime before and after lowering (where those nodes become constants).
 */
import * as ort from "onnxruntime-node";
import { describe, expect, it } from "vitest";
import { decodeOnnx, encodeOnnx } from "@quantpass/formats";
import { Tensor, verify } from "@quantpass/ir";
// Test-only: the frontend and its ONNX builder.
import { lowerOnnx } from "@quantpass/frontends";
import { init, model, node, vinfo } from "@quantpass/frontends/onnx-build";
import { exportOnnxBytes } from "./export.js";
import { fromOrt, toOrt } from "./ort-tensor.js";

const i64 = (shape: number[], v: number[]) => new Tensor("i64", shape, BigInt64Array.from(v, BigInt));

async function run(bytes: Uint8Array, feeds: Record<string, Tensor>): Promise<Record<string, Tensor>> {
  const s = await ort.InferenceSession.create(bytes, { graphOptimizationLevel: "disabled", logSeverityLevel: 3 });
  try {
    const out = await s.run(Object.fromEntries(Object.entries(feeds).map(([k, t]) => [k, toOrt(t, k)])));
    return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, fromOrt(v, k)]));
  } finally {
    await s.release();
  }
}

describe("frontend constant folding", () => {
  it("folds Shape, Size, Gather, Slice, Mul, Div, Cast, Range, Equal, Where, Neg, Max, ConstantOfShape, Concat, Unsqueeze exactly", async () => {
    const outputs = ["y", "p", "w", "k", "c32", "q", "n"];
    const bytes = encodeOnnx(model({
      opset: 17,
      nodes: [
        node("Shape", ["x"], ["s"]),
        node("Size", ["x"], ["numel"]),
        node("Gather", ["s", "idx"], ["g"], { axis: 0 }),
        node("Slice", ["s", "one", "three"], ["sl"]),
        node("Mul", ["g", "sl"], ["p0"]),
        node("Div", ["p0", "two"], ["p1"]),
        node("Cast", ["p1"], ["c32"], { to: 6 }),
        node("Range", ["zero_s", "three_s", "one_s"], ["r"]),
        node("Equal", ["r", "one"], ["e"]),
        node("Where", ["e", "r", "minus5"], ["w0"]),
        node("Neg", ["w0"], ["w1"]),
        node("Max", ["w1", "zero"], ["w2"]),
        node("ConstantOfShape", ["two"], ["k0"], { value: { dtype: "i64", dims: [1], data: BigInt64Array.of(7n) } }),
        node("Unsqueeze", ["numel", "zero"], ["n0"]),
        node("Concat", ["minus1", "sl"], ["shape"], { axis: 0 }),
        node("Reshape", ["x", "shape"], ["y"]),
        node("Identity", ["p1"], ["p"]),
        node("Identity", ["w2"], ["w"]),
        node("Identity", ["k0"], ["k"]),
        node("Div", ["n0", "sl"], ["q"]),
        node("Identity", ["n0"], ["n"]),
      ],
      inputs: [vinfo("x", "f32", [2, 3, 4])],
      outputs: outputs.map((o) => vinfo(o, o === "y" ? "f32" : o === "c32" ? "i32" : "i64", null)),
      initializers: [
        init("idx", i64([2], [2, 0])), init("one", i64([1], [1])), init("three", i64([1], [3])), init("two", i64([1], [2])),
        init("zero", i64([1], [0])), init("minus5", i64([1], [-5])), init("minus1", i64([1], [-1])),
        init("zero_s", i64([], [0])), init("three_s", i64([], [3])), init("one_s", i64([], [1])),
      ],
    }));
    const g = lowerOnnx(decodeOnnx(bytes));
    verify(g);
    // Only the nodes producing graph outputs remain; everything else became constants.
    expect(g.nodes.map((n) => n.op)).toEqual(["Cast", "Reshape", "Identity", "Identity", "Identity", "Div", "Identity"]);
    expect(g.values.y!.shape).toEqual([2, 3, 4]);
    const x = Tensor.f32([2, 3, 4], Array.from({ length: 24 }, (_, i) => i));
    const want = await run(bytes, { x });
    const got = await run(exportOnnxBytes(g), { x });
    for (const o of outputs) {
      expect([o, got[o]!.dtype, got[o]!.shape]).toEqual([o, want[o]!.dtype, want[o]!.shape]);
      expect([o, got[o]!.toNumbers()]).toEqual([o, want[o]!.toNumbers()]);
    }
  });
});
