import { describe, expect, it } from "vitest";
import { Tensor } from "../tensor.js";
import { i64c, inferShapes as infer } from "./movement-infer-util.js";

const MAX = 9223372036854775807;

describe("Slice inference", () => {
  it("computes constant slices, keeps whole-axis symbols and clamps", () => {
    expect(infer("Slice", [["f32", [10, 8]], i64c([2, -3]), i64c([MAX, -1])])).toEqual([[8, 2]]);
    expect(infer("Slice", [["f32", ["b", "s", 8]], i64c([0, 1]), i64c([MAX, 5]), i64c([0, 2])])).toEqual([["b", "s", 4]]);
    expect(infer("Slice", [["f32", ["b", 8]], i64c([-1]), i64c([-MAX]), i64c([0]), i64c([-1])])).toEqual([["b", 8]]);
    expect(infer("Slice", [["f32", ["b", 8]], i64c([1]), i64c([MAX]), i64c([0])])).toEqual([["?", 8]]);
    expect(infer("Slice", [["f32", [10]], i64c([9]), i64c([0]), i64c([0]), i64c([-3])])).toEqual([[3]]);
  });
  it("gives ? only on sliced axes when bounds are not constant, all ? when axes are unknown", () => {
    expect(infer("Slice", [["f32", [4, 5]], ["i64", [1]], ["i64", [1]], i64c([-1])])).toEqual([[4, "?"]]);
    expect(infer("Slice", [["f32", [4, 5]], i64c([0]), i64c([1]), ["i64", [1]]])).toEqual([["?", "?"]]);
  });
  it("rejects zero steps and mismatched lengths", () => {
    expect(() => infer("Slice", [["f32", [4]], i64c([0]), i64c([1]), undefined, i64c([0])])).toThrow(/steps must not be 0/);
    expect(() => infer("Slice", [["f32", [4, 4]], i64c([0, 0]), i64c([1]), i64c([0, 1])])).toThrow(/ends has 1 entries for 2 axes/);
  });
});

describe("Pad inference", () => {
  it("adds begin and end pads over all axes or the given ones", () => {
    expect(infer("Pad", [["f32", ["b", 3, 4]], i64c([0, 1, 2, 0, 1, -1])])).toEqual([["b", 5, 5]]);
    expect(infer("Pad", [["f32", ["b", 3, 4]], i64c([1, 1]), undefined, i64c([-1])], { mode: "reflect" })).toEqual([["b", 3, 6]]);
    expect(infer("Pad", [["f32", ["b", 3]], i64c([1, 0, 0, 0])])).toEqual([["?", 3]]);
    expect(infer("Pad", [["f32", ["b", 3]], ["i64", [4]]])).toEqual([["?", "?"]]);
  });
  it("checks the mode, pads length and constant_value dtype", () => {
    expect(() => infer("Pad", [["f32", [3]], i64c([1, 1])], { mode: "mirror" })).toThrow(/unknown mode/);
    expect(() => infer("Pad", [["f32", [3, 3]], i64c([1, 1])])).toThrow(/2 entries for 2 axes/);
    expect(() => infer("Pad", [["f32", [3]], i64c([1, 1]), Tensor.fromNumbers("i64", [], [0])])).toThrow(/constant_value must be f32/);
    expect(() => infer("Pad", [["f32", [3]], i64c([-2, -2])])).toThrow(/below zero/);
  });
});
