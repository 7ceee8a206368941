import { describe, expect, it } from "vitest";
import { inferShapes as infer, inferTypes } from "./movement-infer-util.js";

describe("Gather family inference", () => {
  it("Gather replaces the axis with the indices' shape", () => {
    expect(infer("Gather", [["f32", ["vocab", 64]], ["i64", ["b", "s"]]])).toEqual([["b", "s", 64]]);
    expect(infer("Gather", [["i64", [3]], ["i64", []]])).toEqual([[]]);
    expect(infer("Gather", [["f32", [2, 3, 4]], ["i32", [5]]], { axis: -2 })).toEqual([[2, 5, 4]]);
    expect(() => infer("Gather", [["f32", [2]], ["f32", [1]]])).toThrow(/indices must be i64 or i32/);
  });
  it("GatherElements has the indices' shape, GatherND drops the addressed dims", () => {
    expect(infer("GatherElements", [["f32", [3, 3]], ["i64", [2, 3]]], { axis: 1 })).toEqual([[2, 3]]);
    expect(infer("GatherND", [["f32", ["b", 4, 5, 6]], ["i64", ["b", 7, 2]]], { batch_dims: 1 })).toEqual([["b", 7, 6]]);
    expect(() => infer("GatherND", [["f32", [4]], ["i64", [2, "k"]]])).toThrow(/last dim of indices must be known/);
  });
  it("Scatters keep the data type and check updates", () => {
    expect(inferTypes("ScatterElements", [["f16", ["b", 4]], ["i64", ["b", 2]], ["f16", ["b", 2]]], { reduction: "max" })[0]).toEqual({ dtype: "f16", shape: ["b", 4] });
    expect(infer("ScatterND", [["f32", [4, 5, 6]], ["i64", [3, 2]], ["f32", [3, 6]]])).toEqual([[4, 5, 6]]);
    expect(() => infer("ScatterND", [["f32", [4, 5, 6]], ["i64", [3, 2]], ["f32", [3]]])).toThrow(/updates must have rank 2/);
    expect(() => infer("ScatterElements", [["f32", [4]], ["i64", [4]], ["f32", [4]]], { reduction: "sum" })).toThrow(/unknown reduction/);
  });
});
