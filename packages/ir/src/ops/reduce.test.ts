import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { GraphBuilder } from "../builder.js";
import type { Attrs } from "../graph.js";
import { Tensor } from "../tensor.js";
import type { Dim, TensorType } from "../types.js";
import { inferOne } from "./infer-test-util.js";

/** Infers a reduction with constant axes (null: axes omitted). */
function reduce(op: string, shape: readonly Dim[], axes: number[] | null, attrs: Attrs = {}): TensorType | undefined {
  const b = new GraphBuilder("t");
  const x = b.input("x", "f32", shape);
  const a = axes ? b.constant("axes", new Tensor("i64", [axes.length], BigInt64Array.from(axes.map(BigInt)))) : "";
  return b.typeOf(b.op1(op, a ? [x, a] : [x], attrs));
}

describe("reduction type inference", () => {
  it("reduces constant axes, with and without keepdims", () => {
    expect(reduce("ReduceMean", ["b", "s", 8], [-1])).toEqual({ dtype: "f32", shape: ["b", "s", 1] });
    expect(reduce("ReduceSum", ["b", "s", 8], [0, 2], { keepdims: 0 })?.shape).toEqual(["s"]);
    expect(() => reduce("ReduceMax", [2, 3], [2])).toThrow(/axis 2 out of range/);
    expect(() => reduce("ReduceMax", [2, 3], [1, -1])).toThrow(/repeated axis/);
  });

  it("omitted or empty axes reduce all, or nothing with noop_with_empty_axes", () => {
    expect(reduce("ReduceL2", ["b", 4], null)?.shape).toEqual([1, 1]);
    expect(reduce("ReduceL1", ["b", 4], [], { keepdims: 0 })?.shape).toEqual([]);
    expect(reduce("ReduceProd", ["b", 4], null, { noop_with_empty_axes: 1 })?.shape).toEqual(["b", 4]);
  });

  it("non-constant axes give '?' dims of the best known rank", () => {
    expect(inferOne("ReduceSum", [["f32", ["b", 3, 4]], ["i64", [1]]])?.shape).toEqual(["?", "?", "?"]);
    expect(inferOne("ReduceSum", [["f32", ["b", 3, 4]], ["i64", [2]]], { keepdims: 0 })?.shape).toEqual(["?"]);
    expect(() => inferOne("ReduceSum", [["f32", [3]], ["i32", [1]]])).toThrow(/axes must be i64/);
  });

  it("ReduceMax/ReduceMin take bool; the others do not", () => {
    expect(inferOne("ReduceMax", [["bool", [2, 3]]], { keepdims: 0 })).toEqual({ dtype: "bool", shape: [] });
    expect(() => inferOne("ReduceSum", [["bool", [2, 3]]])).toThrow(/numeric/);
  });

  it("ArgMax/ArgMin give i64", () => {
    expect(inferOne("ArgMax", [["f16", ["b", 5]]], { axis: -1 })).toEqual({ dtype: "i64", shape: ["b", 1] });
    expect(inferOne("ArgMin", [["i32", ["b", 5]]], { keepdims: 0 })).toEqual({ dtype: "i64", shape: [5] });
    expect(() => inferOne("ArgMax", [["f32", [5]]], { axis: 1 })).toThrow(/out of range/);
  });

  it("CumSum keeps the type; the axis is an integer scalar", () => {
    expect(inferOne("CumSum", [["f32", ["n", 3]], ["i32", []]])).toEqual({ dtype: "f32", shape: ["n", 3] });
    expect(() => inferOne("CumSum", [["f32", [3]], ["f32", []]])).toThrow(/i32 or i64/);
  });

  it("keepdims keeps the rank and sets reduced dims to 1 (property)", () => {
    const arb = fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 4 }).chain((shape) =>
      fc.record({ shape: fc.constant(shape), axes: fc.subarray(shape.map((_, i) => i), { minLength: 1 }), keep: fc.boolean() }));
    fc.assert(fc.property(arb, ({ shape, axes, keep }) => {
      const got = reduce("ReduceSum", shape, axes.map((a) => (a % 2 ? a - shape.length : a)), { keepdims: keep ? 1 : 0 })!.shape;
      const want = keep ? shape.map((d, i) => (axes.includes(i) ? 1 : d)) : shape.filter((_, i) => !axes.includes(i));
      expect(got).toEqual(want);
    }));
  });
});
