import { describe, expect, it } from "vitest";
import { inferOne } from "./infer-test-util.js";

const conv = (x: (number | string)[], w: number[], attrs = {}) => inferOne("Conv", [["f32", x], ["f32", w]], attrs)?.shape;

describe("Conv type inference", () => {
  it("computes output dims from pads, strides and dilations", () => {
    expect(conv(["batch", 1, 28, 28], [16, 1, 3, 3], { pads: [1, 1, 1, 1] })).toEqual(["batch", 16, 28, 28]);
    expect(conv([1, 3, 7, 9], [4, 3, 3, 3], { strides: [2, 2], pads: [1, 0, 1, 0] })).toEqual([1, 4, 4, 4]);
    expect(conv([1, 2, 10], [4, 1, 3], { group: 2, dilations: [3] })).toEqual([1, 4, 4]);
    expect(conv([1, 2, 5, 5, 5], [2, 2, 2, 2, 2])).toEqual([1, 2, 4, 4, 4]);
    expect(conv([1, 1, "h", 8], [1, 1, 3, 3])).toEqual([1, 1, "?", 6]);
  });

  it("handles auto_pad", () => {
    expect(conv([1, 1, 7, 8], [1, 1, 3, 3], { auto_pad: "SAME_UPPER", strides: [2, 2] })).toEqual([1, 1, 4, 4]);
    expect(conv([1, 1, 7, 8], [1, 1, 3, 3], { auto_pad: "SAME_LOWER" })).toEqual([1, 1, 7, 8]);
    expect(conv([1, 1, 7, 8], [1, 1, 3, 3], { auto_pad: "VALID", strides: [2, 2] })).toEqual([1, 1, 3, 3]);
  });

  it("rejects channel and kernel mismatches", () => {
    expect(() => conv([1, 3, 8, 8], [4, 2, 3, 3])).toThrow(/channels/);
    expect(() => conv([1, 4, 8, 8], [3, 2, 3, 3], { group: 2 })).toThrow(/divisible/);
    expect(() => conv([1, 1, 8, 8], [1, 1, 3, 3], { kernel_shape: [2, 2] })).toThrow(/kernel_shape/);
    expect(() => conv([1, 1, 2, 2], [1, 1, 3, 3])).toThrow(/does not fit/);
    expect(() => conv([1, 1, 8, 8], [1, 1, 3, 3], { auto_pad: "SAME" })).toThrow(/auto_pad/);
  });

  it("ConvInteger gives i32, QLinearConv the y zero point dtype", () => {
    expect(inferOne("ConvInteger", [["u8", [1, 1, 5, 5]], ["u8", [2, 1, 3, 3]]])).toEqual({ dtype: "i32", shape: [1, 2, 3, 3] });
    const ins = [["u8", [1, 1, 5, 5]], ["f32", []], ["u8", []], ["i8", [2, 1, 3, 3]], ["f32", [2]], ["i8", [2]], ["f32", []], ["u8", []], ["i32", [2]]] as const;
    expect(inferOne("QLinearConv", ins, { pads: [1, 1, 1, 1] })).toEqual({ dtype: "u8", shape: [1, 2, 5, 5] });
  });
});

describe("ConvTranspose type inference", () => {
  const ct = (x: number[], w: number[], attrs = {}) => inferOne("ConvTranspose", [["f32", x], ["f32", w]], attrs)?.shape;
  it("computes s*(in-1) + output_padding + dk - pads, or uses output_shape", () => {
    expect(ct([1, 1, 3, 3], [1, 2, 3, 3])).toEqual([1, 2, 5, 5]);
    expect(ct([1, 1, 3, 3], [1, 2, 3, 3], { strides: [3, 2], output_padding: [1, 1] })).toEqual([1, 2, 10, 8]);
    expect(ct([1, 1, 3, 3], [1, 2, 3, 3], { strides: [3, 2], pads: [1, 2, 1, 2] })).toEqual([1, 2, 7, 3]);
    expect(ct([1, 1, 3, 3], [1, 2, 3, 3], { strides: [3, 2], output_shape: [10, 8] })).toEqual([1, 2, 10, 8]);
    expect(ct([1, 2, 3], [2, 3, 3], { group: 2, auto_pad: "SAME_UPPER", strides: [2] })).toEqual([1, 6, 6]);
  });
});

describe("pool type inference", () => {
  const pool = (op: string, x: (number | string)[], attrs = {}) => inferOne(op, [["f32", x]], attrs)?.shape;
  it("applies ceil_mode, dropping windows that start in the end padding", () => {
    expect(pool("MaxPool", [1, 1, 4, 4], { kernel_shape: [3, 3], strides: [2, 2], ceil_mode: 1 })).toEqual([1, 1, 2, 2]);
    expect(pool("MaxPool", [1, 1, 4, 4], { kernel_shape: [3, 3], strides: [2, 2] })).toEqual([1, 1, 1, 1]);
    expect(pool("AveragePool", [1, 1, 5], { kernel_shape: [2], strides: [2], pads: [0, 1], ceil_mode: 1 })).toEqual([1, 1, 3]);
    expect(pool("MaxPool", ["n", 3, 32, 32], { kernel_shape: [2, 2], strides: [2, 2] })).toEqual(["n", 3, 16, 16]);
    expect(pool("GlobalAveragePool", ["n", 3, 7, 5])).toEqual(["n", 3, 1, 1]);
    expect(() => pool("MaxPool", [1, 1, 4, 4])).toThrow(/kernel_shape/);
  });

  it("MaxPool has an i64 Indices output", () => {
    expect(inferOne("MaxPool", [["f32", [1, 1, 4, 4]]], { kernel_shape: [2, 2] }, 1)).toEqual({ dtype: "i64", shape: [1, 1, 3, 3] });
  });
});
