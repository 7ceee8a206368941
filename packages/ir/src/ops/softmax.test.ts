import { describe, expect, it } from "vitest";
import { inferOne } from "./infer-test-util.js";

describe("Softmax / LogSoftmax / Hardmax type inference", () => {
  it("keeps the type and checks the axis", () => {
    for (const op of ["Softmax", "LogSoftmax", "Hardmax"]) {
      expect(inferOne(op, [["f32", ["b", "h", "s", "s"]]])).toEqual({ dtype: "f32", shape: ["b", "h", "s", "s"] });
      expect(inferOne(op, [["f16", [2, 3]]], { axis: 0 })?.dtype).toBe("f16");
      expect(() => inferOne(op, [["f32", [2, 3]]], { axis: 2 })).toThrow(/axis 2 out of range/);
      expect(() => inferOne(op, [["i32", [2]]])).toThrow(/float/);
    }
  });
});
