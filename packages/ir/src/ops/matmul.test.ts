import { describe, expect, it } from "vitest";
import { inferOne } from "./infer-test-util.js";

describe("MatMul type inference", () => {
  it("follows numpy.matmul: 1-D promotion and batch broadcast with symbols", () => {
    expect(inferOne("MatMul", [["f32", [3, 4]], ["f32", [4, 5]]])?.shape).toEqual([3, 5]);
    expect(inferOne("MatMul", [["f32", [4]], ["f32", [4, 5]]])?.shape).toEqual([5]);
    expect(inferOne("MatMul", [["f32", [3, 4]], ["f32", [4]]])?.shape).toEqual([3]);
    expect(inferOne("MatMul", [["f32", [4]], ["f32", [4]]])?.shape).toEqual([]);
    expect(inferOne("MatMul", [["f32", ["batch", 1, "seq", 64]], ["f32", [8, 64, 16]]])?.shape).toEqual(["batch", 8, "seq", 16]);
    expect(inferOne("MatMul", [["f32", [2, 1, 3, 4]], ["f32", [4]]])?.shape).toEqual([2, 1, 3]);
  });

  it("rejects mismatched inner dims and dtypes", () => {
    expect(() => inferOne("MatMul", [["f32", [3, 4]], ["f32", [5, 2]]])).toThrow(/inner dimensions differ/);
    expect(() => inferOne("MatMul", [["f32", [3, 4]], ["f16", [4, 2]]])).toThrow(/dtypes differ/);
    expect(() => inferOne("MatMul", [["f32", [2, 3, 4]], ["f32", [3, 4, 2]]])).toThrow(/broadcast/);
  });
});

describe("Gemm type inference", () => {
  it("applies transA/transB and checks the C broadcast", () => {
    expect(inferOne("Gemm", [["f32", [4, 3]], ["f32", [5, 4]]], { transA: 1, transB: 1 })?.shape).toEqual([3, 5]);
    expect(inferOne("Gemm", [["f32", ["b", 4]], ["f32", [4, 5]], ["f32", [5]]])?.shape).toEqual(["b", 5]);
    expect(() => inferOne("Gemm", [["f32", [3, 4]], ["f32", [4, 5]], ["f32", [3]]])).toThrow(/does not broadcast/);
    expect(() => inferOne("Gemm", [["f32", [3, 4]], ["f32", [5, 4]]])).toThrow(/inner dimensions/);
  });
});

describe("integer matmuls", () => {
  it("MatMulInteger gives i32, QLinearMatMul gives the y zero point dtype", () => {
    expect(inferOne("MatMulInteger", [["u8", [2, 3, 4]], ["i8", [4, 6]], ["u8", []], null])).toEqual({ dtype: "i32", shape: [2, 3, 6] });
    expect(() => inferOne("MatMulInteger", [["f32", [3, 4]], ["i8", [4, 6]]])).toThrow(/A must be/);
    expect(() => inferOne("MatMulInteger", [["u8", [3, 4]], ["i8", [4, 6]], ["i8", []]])).toThrow(/zero point/);
    const q = inferOne("QLinearMatMul", [["u8", [3, 4]], ["f32", []], ["u8", []], ["i8", [4, 6]], ["f32", []], ["i8", []], ["f32", []], ["i8", []]]);
    expect(q).toEqual({ dtype: "i8", shape: [3, 6] });
  });
});
