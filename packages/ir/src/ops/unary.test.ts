import { describe, expect, it } from "vitest";
import { allOps } from "../op-registry.js";
import { inferOne } from "./infer-test-util.js";

const FLOAT_ONLY = [
  "Exp", "Log", "Sqrt", "Reciprocal", "Floor", "Ceil", "Round", "Sin", "Cos", "Tan", "Asin", "Acos", "Atan",
  "Sinh", "Cosh", "Asinh", "Acosh", "Atanh", "Tanh", "Sigmoid", "HardSwish", "Softplus", "Softsign", "Mish",
  "LeakyRelu", "Elu", "Celu", "ThresholdedRelu", "Selu", "HardSigmoid", "Gelu",
];

describe("unary type inference", () => {
  it("keeps dtype and symbolic shape", () => {
    for (const op of [...FLOAT_ONLY, "Abs", "Neg", "Sign", "Relu", "Erf", "Identity", "Clip"])
      expect(inferOne(op, [["f16", ["b", "s", 8]]])).toEqual({ dtype: "f16", shape: ["b", "s", 8] });
  });

  it("restricts dtypes as ONNX does", () => {
    for (const op of FLOAT_ONLY) expect(() => inferOne(op, [["i32", [2]]])).toThrow(/float/);
    expect(inferOne("Abs", [["u8", [2]]])?.dtype).toBe("u8");
    expect(() => inferOne("Neg", [["u8", [2]]])).toThrow(/signed/);
    expect(inferOne("Relu", [["i8", [2]]])?.dtype).toBe("i8");
    expect(inferOne("Erf", [["i64", [2]]])?.dtype).toBe("i64");
    expect(() => inferOne("Not", [["u8", [2]]])).toThrow(/bool/);
    expect(inferOne("Identity", [["string", [2]]])?.dtype).toBe("string");
  });

  it("predicates give bool", () => {
    expect(inferOne("IsNaN", [["f32", ["n"]]])).toEqual({ dtype: "bool", shape: ["n"] });
    expect(inferOne("IsInf", [["f64", [1, 2]]], { detect_negative: 0 })).toEqual({ dtype: "bool", shape: [1, 2] });
    expect(inferOne("Not", [["bool", []]])).toEqual({ dtype: "bool", shape: [] });
  });

  it("Clip takes optional scalar bounds of the input dtype", () => {
    expect(inferOne("Clip", [["i8", [4]], null, ["i8", []]])).toEqual({ dtype: "i8", shape: [4] });
    expect(inferOne("Clip", [["f32", [4]], ["f32", [1]], ["f32", []]])?.shape).toEqual([4]);
    expect(() => inferOne("Clip", [["f32", [4]], ["f16", []]])).toThrow(/bound 1 has dtype f16/);
    expect(() => inferOne("Clip", [["f32", [4]], ["f32", [2]]])).toThrow(/scalar/);
  });

  it("Gelu checks approximate", () => {
    expect(inferOne("Gelu", [["f32", [2]]], { approximate: "tanh" })?.shape).toEqual([2]);
  });

  it("every op of the group has a one-line doc", () => {
    const mine = new Set([...FLOAT_ONLY, "Abs", "Neg", "Sign", "Relu", "Erf", "Not", "IsNaN", "IsInf", "Identity", "Clip"]);
    const defs = allOps().filter((d) => mine.has(d.name));
    expect(defs.length).toBe(mine.size);
    for (const d of defs) expect(d.doc).toMatch(/^[^\n]+$/);
  });
});
