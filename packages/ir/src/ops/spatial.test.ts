import { describe, expect, it } from "vitest";
import { Tensor } from "../tensor.js";
import { i64c, inferShapes as infer } from "./movement-infer-util.js";

const f = (v: number[]) => Tensor.f32([v.length], v);

describe("DepthToSpace, SpaceToDepth, Resize inference", () => {
  it("moves blocks between channels and space", () => {
    expect(infer("DepthToSpace", [["f32", ["n", 8, 2, 3]]], { blocksize: 2 })).toEqual([["n", 2, 4, 6]]);
    expect(infer("SpaceToDepth", [["f32", ["n", 2, 4, "w"]]], { blocksize: 2 })).toEqual([["n", 8, 2, "?"]]);
    expect(() => infer("DepthToSpace", [["f32", [1, 6, 2, 2]]], { blocksize: 2 })).toThrow(/not divisible/);
  });
  it("Resize computes sizes from constant scales (floor) or sizes", () => {
    expect(infer("Resize", [["f32", ["n", 3, 5, 5]], undefined, f([1, 1, 0.5, 2.5])])).toEqual([["n", 3, 2, 12]]);
    expect(infer("Resize", [["f32", [1, 3, 4, 6]], undefined, undefined, i64c([8, 9])], { axes: [2, 3], keep_aspect_ratio_policy: "not_larger" })).toEqual([[1, 3, 6, 9]]);
    expect(infer("Resize", [["f32", ["n", 3, "h", "w"]], undefined, undefined, i64c([1, 3, 7, 7])])).toEqual([[1, 3, 7, 7]]);
    expect(infer("Resize", [["f32", ["n", 3, 4, 4]], undefined, ["f32", [4]]])).toEqual([["?", "?", "?", "?"]]);
  });
  it("Resize checks attributes and the scales/sizes choice", () => {
    expect(() => infer("Resize", [["f32", [1, 4]], undefined, f([1, 2])], { mode: "bilinear" })).toThrow(/mode must be one of/);
    expect(() => infer("Resize", [["f32", [1, 4]]])).toThrow(/exactly one of scales and sizes/);
    expect(() => infer("Resize", [["f32", [1, 4]], undefined, f([2])])).toThrow(/1 entries for 2 axes/);
  });
});
