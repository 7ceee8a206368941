import { describe, expect, it } from "vitest";
import { Tensor } from "../tensor.js";
import { i64c, inferShapes as infer, inferTypes } from "./movement-infer-util.js";

describe("OneHot, Trilu, NonZero, TopK, EyeLike inference", () => {
  it("OneHot inserts depth at the axis with the values' dtype", () => {
    const t = inferTypes("OneHot", [["i64", ["b", 3]], Tensor.fromNumbers("f32", [], [10]), ["i32", [2]]], { axis: 1 });
    expect(t[0]).toEqual({ dtype: "i32", shape: ["b", 10, 3] });
    expect(infer("OneHot", [["i64", [3]], ["i64", []], ["f32", [2]]])).toEqual([[3, "?"]]);
  });
  it("Trilu keeps the type, NonZero is [rank, ?]", () => {
    expect(infer("Trilu", [["f32", ["b", 4, 4]], i64c([1])])).toEqual([["b", 4, 4]]);
    expect(() => infer("Trilu", [["f32", [4]]])).toThrow(/rank >= 2/);
    expect(inferTypes("NonZero", [["bool", [2, "s"]]])[0]).toEqual({ dtype: "i64", shape: [2, "?"] });
  });
  it("TopK replaces the axis with k in both outputs", () => {
    const t = inferTypes("TopK", [["f32", ["b", 100]], i64c([5])], {}, 2);
    expect(t).toEqual([{ dtype: "f32", shape: ["b", 5] }, { dtype: "i64", shape: ["b", 5] }]);
    expect(infer("TopK", [["f32", [3, 8]], ["i64", [1]]], { axis: 0 }, 2)).toEqual([["?", 8], ["?", 8]]);
    expect(() => infer("TopK", [["f32", [3]], i64c([4])], {}, 2)).toThrow(/k 4 out of range/);
  });
  it("EyeLike takes the dtype from an ONNX code", () => {
    expect(inferTypes("EyeLike", [["f32", [3, "n"]]], { dtype: 7 })[0]).toEqual({ dtype: "i64", shape: [3, "n"] });
    expect(() => infer("EyeLike", [["f32", [3]]])).toThrow(/2-D/);
  });
});
