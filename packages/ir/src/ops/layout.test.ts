import { describe, expect, it } from "vitest";
import { Tensor } from "../index.js";
import { i64c as i64, inferShapes as infer } from "./movement-infer-util.js";
import { GraphBuilder } from "../builder.js";

describe("Transpose, Expand, Tile inference", () => {
  it("permutes dims and checks the permutation", () => {
    expect(infer("Transpose", [["f32", ["b", 3, 4]]])).toEqual([[4, 3, "b"]]);
    expect(infer("Transpose", [["f32", ["b", 3, 4]]], { perm: [0, 2, 1] })).toEqual([["b", 4, 3]]);
    expect(() => infer("Transpose", [["f32", [2, 3]]], { perm: [0, 0] })).toThrow(/not a permutation/);
  });
  it("Expand broadcasts against a constant or keeps non-1 dims when the shape is unknown", () => {
    expect(infer("Expand", [["f32", ["b", 1, 4]], i64([3, 1, 5, 1])])).toEqual([[3, "b", 5, 4]]);
    expect(infer("Expand", [["f32", ["b", 1, 4]], ["i64", [4]]])).toEqual([["?", "b", "?", 4]]);
    expect(() => infer("Expand", [["f32", [2, 3]], i64([4, 3])])).toThrow(/broadcast/);
  });
  it("Tile multiplies dims", () => {
    expect(infer("Tile", [["f32", ["b", 3]], i64([1, 2])])).toEqual([["b", 6]]);
    expect(infer("Tile", [["f32", ["b", 3]], ["i64", [2]]])).toEqual([["?", "?"]]);
  });
});

describe("Concat and Split inference", () => {
  it("sums the axis and unifies the other dims", () => {
    expect(infer("Concat", [["f32", ["b", 2]], ["f32", ["?", 3]]], { axis: -1 })).toEqual([["b", 5]]);
    expect(infer("Concat", [["f32", ["b", "s"]], ["f32", ["b", 3]]], { axis: 1 })).toEqual([["b", "?"]]);
    expect(() => infer("Concat", [["f32", [2, 2]], ["f32", [3, 2]]], { axis: 1 })).toThrow(/dim 0 differs/);
    expect(() => infer("Concat", [["f32", [2]], ["i64", [2]]], { axis: 0 })).toThrow(/dtypes differ/);
  });
  it("splits by constant sizes, by num_outputs and by output count", () => {
    expect(infer("Split", [["f32", ["b", 7]], i64([3, 4])], { axis: 1 }, 2)).toEqual([["b", 3], ["b", 4]]);
    expect(infer("Split", [["f32", [7]]], { num_outputs: 3 }, 3)).toEqual([[3], [3], [1]]);
    expect(infer("Split", [["f32", ["s"]]], {}, 2)).toEqual([["?"], ["?"]]);
    expect(() => infer("Split", [["f32", [7]], i64([3, 3])], {}, 2)).toThrow(/sum to 6/);
    expect(() => infer("Split", [["f32", [7]]], { num_outputs: 2 }, 3)).toThrow(/num_outputs is 2/);
  });
});

describe("ConstantOfShape and Range inference", () => {
  it("takes dtype from the value and shape from the constant input", () => {
    const b = new GraphBuilder("g");
    const y = b.op1("ConstantOfShape", [b.constant("s", i64([2, 3]))], { value: Tensor.fromNumbers("i32", [1], [4]) });
    expect(b.typeOf(y)).toEqual({ dtype: "i32", shape: [2, 3] });
    expect(infer("ConstantOfShape", [["i64", [3]]])).toEqual([["?", "?", "?"]]);
  });
  it("computes the length from constant scalars", () => {
    const s = (v: number) => Tensor.fromNumbers("f32", [], [v]);
    expect(infer("Range", [s(1), s(2), s(0.25)])).toEqual([[4]]);
    expect(infer("Range", [s(5), s(1), s(1)])).toEqual([[0]]);
    expect(infer("Range", [["f32", []], s(1), s(1)])).toEqual([["?"]]);
    expect(() => infer("Range", [s(0), s(1), s(0)])).toThrow(/delta must not be 0/);
  });
});
