import { describe, expect, it } from "vitest";
import { dtypeFromOnnxCode, onnxCodeOfDType, ONNX_DTYPE_CODES } from "./shape-util.js";
import { inferOne } from "./infer-test-util.js";

describe("Cast / CastLike type inference", () => {
  it("maps ONNX data type codes to dtypes", () => {
    expect(inferOne("Cast", [["f32", ["b", 3]]], { to: 7 })).toEqual({ dtype: "i64", shape: ["b", 3] });
    expect(inferOne("Cast", [["i64", [2]]], { to: 10 })?.dtype).toBe("f16");
    expect(inferOne("Cast", [["f32", [2]]], { to: 16 })?.dtype).toBe("bf16");
    expect(inferOne("Cast", [["f32", [2]]], { to: 22 })?.dtype).toBe("i4");
    expect(inferOne("Cast", [["f32", [2]]], { to: 8 })?.dtype).toBe("string");
    expect(inferOne("Cast", [["u8", [2]]], { to: 9 })?.dtype).toBe("bool");
  });

  it("rejects float8, complex and unknown codes and a missing `to`", () => {
    expect(() => inferOne("Cast", [["f32", [2]]], { to: 17 })).toThrow(/unsupported target data type code 17/);
    expect(() => inferOne("Cast", [["f32", [2]]], { to: 14 })).toThrow(/code 14/);
    expect(() => inferOne("Cast", [["f32", [2]]])).toThrow(/missing required attribute 'to'/);
  });

  it("CastLike takes the second input's dtype and the first's shape", () => {
    expect(inferOne("CastLike", [["f32", ["n", 4]], ["f16", [1]]])).toEqual({ dtype: "f16", shape: ["n", 4] });
  });

  it("codes round-trip", () => {
    for (const [code, d] of Object.entries(ONNX_DTYPE_CODES)) {
      expect(dtypeFromOnnxCode(Number(code))).toBe(d);
      expect(onnxCodeOfDType(d)).toBe(Number(code));
    }
  });
});
