import { describe, expect, it } from "vitest";
import { inferOne } from "./infer-test-util.js";

describe("normalization type inference", () => {
  it("LayerNormalization statistics keep dims before axis", () => {
    const ins = [["f16", ["b", "s", 64]], ["f16", [64]], ["f16", [64]]] as const;
    expect(inferOne("LayerNormalization", ins, {})?.shape).toEqual(["b", "s", 64]);
    expect(inferOne("LayerNormalization", ins, {}, 1)).toEqual({ dtype: "f32", shape: ["b", "s", 1] });
    expect(inferOne("LayerNormalization", [["f32", [2, 3, 4]], ["f32", [3, 4]]], { axis: 1 }, 2)).toEqual({ dtype: "f32", shape: [2, 1, 1] });
    expect(() => inferOne("LayerNormalization", [["f32", [2, 3, 4]], ["f32", [5]]])).toThrow(/broadcast/);
  });

  it("per-channel checks for BatchNormalization, InstanceNormalization, GroupNormalization", () => {
    const c = (n: number) => ["f32", [n]] as const;
    expect(inferOne("BatchNormalization", [["f32", ["n", 3, 4, 4]], c(3), c(3), c(3), c(3)])?.shape).toEqual(["n", 3, 4, 4]);
    expect(() => inferOne("BatchNormalization", [["f32", [1, 3, 4]], c(2), c(3), c(3), c(3)])).toThrow(/shape \[3\]/);
    expect(inferOne("InstanceNormalization", [["f32", [1, 3, 4]], c(3), c(3)])?.shape).toEqual([1, 3, 4]);
    expect(inferOne("GroupNormalization", [["f32", [1, 6, 4]], c(6), c(6)], { num_groups: 3 })?.shape).toEqual([1, 6, 4]);
    expect(() => inferOne("GroupNormalization", [["f32", [1, 6, 4]], c(6), c(6)], { num_groups: 4 })).toThrow(/does not divide/);
    expect(inferOne("LRN", [["f32", [1, 6, 4, 4]]], { size: 3 })?.shape).toEqual([1, 6, 4, 4]);
  });
});

describe("QuantizeLinear / DequantizeLinear type inference", () => {
  it("output dtype comes from the zero point, then output_dtype, then u8", () => {
    expect(inferOne("QuantizeLinear", [["f32", [2, 3]], ["f32", []], ["i8", []]])?.dtype).toBe("i8");
    expect(inferOne("QuantizeLinear", [["f32", [2, 3]], ["f32", []]], { output_dtype: 22 })?.dtype).toBe("i4");
    expect(inferOne("QuantizeLinear", [["f32", [2, 3]], ["f32", []]])?.dtype).toBe("u8");
    expect(() => inferOne("QuantizeLinear", [["f32", [2, 3]], ["f32", []], ["i8", []]], { output_dtype: 2 })).toThrow(/differs/);
    expect(inferOne("DequantizeLinear", [["i4", [2, 3]], ["f16", []]])).toEqual({ dtype: "f16", shape: [2, 3] });
    expect(inferOne("DequantizeLinear", [["i32", [2, 3]], ["f32", [3]]], { axis: -1 })?.dtype).toBe("f32");
  });

  it("checks per-axis and blocked scale shapes", () => {
    expect(inferOne("QuantizeLinear", [["f32", [4, 6]], ["f32", [6]], ["u8", [6]]], { axis: 1 })?.shape).toEqual([4, 6]);
    expect(() => inferOne("QuantizeLinear", [["f32", [4, 6]], ["f32", [4]]], { axis: 1 })).toThrow(/axis 1 has 6/);
    expect(inferOne("DequantizeLinear", [["i4", [4, 6]], ["f32", [4, 2]]], { axis: 1, block_size: 4 })?.shape).toEqual([4, 6]);
    expect(() => inferOne("DequantizeLinear", [["i4", [4, 6]], ["f32", [4, 3]]], { axis: 1, block_size: 4 })).toThrow(/blocked/);
    expect(() => inferOne("DequantizeLinear", [["u8", [4, 6]], ["f32", [6]], ["u8", [5]]])).toThrow(/zero point/);
  });

  it("DynamicQuantizeLinear gives u8 data, f32 scale and u8 zero point scalars", () => {
    expect(inferOne("DynamicQuantizeLinear", [["f32", ["b", 4]]], {}, 1)).toEqual({ dtype: "f32", shape: [] });
    expect(inferOne("DynamicQuantizeLinear", [["f32", ["b", 4]]], {}, 2)).toEqual({ dtype: "u8", shape: [] });
  });
});
