import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { GraphBuilder } from "../builder.js";
import type { Dim } from "../types.js";
import { verifyAll } from "../verifier.js";
import { inferOne } from "./infer-test-util.js";

describe("elementwise binary type inference", () => {
  it("broadcasts numbers and symbols", () => {
    expect(inferOne("Add", [["f32", ["batch", 1, 4]], ["f32", [3, 1]]])).toEqual({ dtype: "f32", shape: ["batch", 3, 4] });
    expect(inferOne("Mul", [["i64", ["b", "s"]], ["i64", []]])).toEqual({ dtype: "i64", shape: ["b", "s"] });
    expect(inferOne("Sub", [["f16", ["s"]], ["f16", [5]]])?.shape).toEqual([5]);
    expect(inferOne("Div", [["u8", ["s"]], ["u8", ["t"]]])?.shape).toEqual(["?"]);
    expect(() => inferOne("Add", [["f32", [2, 3]], ["f32", [4]]])).toThrow(/cannot broadcast/);
  });

  it("checks dtypes", () => {
    expect(() => inferOne("Add", [["f32", [2]], ["f16", [2]]])).toThrow(/dtypes differ/);
    expect(() => inferOne("Add", [["bool", [2]], ["bool", [2]]])).toThrow(/numeric/);
    expect(() => inferOne("And", [["i32", [2]], ["i32", [2]]])).toThrow(/bool/);
    expect(() => inferOne("BitShift", [["i8", [2]], ["i8", [2]]], { direction: "LEFT" })).toThrow(/unsigned/);
    expect(() => inferOne("Mean", [["i32", [2]]])).toThrow(/float/);
  });

  it("comparisons and logic give bool; Equal takes strings", () => {
    for (const op of ["Equal", "Less", "Greater", "LessOrEqual", "GreaterOrEqual"])
      expect(inferOne(op, [["f32", ["n", 1]], ["f32", [3]]])).toEqual({ dtype: "bool", shape: ["n", 3] });
    expect(inferOne("Equal", [["string", [2]], ["string", [2]]])?.dtype).toBe("bool");
    expect(inferOne("Xor", [["bool", [2, 1]], ["bool", [2]]])).toEqual({ dtype: "bool", shape: [2, 2] });
  });

  it("Pow keeps the base dtype; Where broadcasts three inputs", () => {
    expect(inferOne("Pow", [["i32", [3]], ["f32", []]])).toEqual({ dtype: "i32", shape: [3] });
    expect(inferOne("Where", [["bool", ["n", 1]], ["f32", [4]], ["f32", [1, 1]]])).toEqual({ dtype: "f32", shape: ["n", 4] });
    expect(() => inferOne("Where", [["u8", [1]], ["f32", [4]], ["f32", [4]]])).toThrow(/bool/);
    expect(() => inferOne("Where", [["bool", [1]], ["f32", [4]], ["f16", [4]]])).toThrow(/differ/);
  });

  it("variadic ops take 1..n inputs", () => {
    expect(inferOne("Max", [["i8", [2, 1]]])).toEqual({ dtype: "i8", shape: [2, 1] });
    expect(inferOne("Sum", [["f32", [2, 1]], ["f32", [3]], ["f32", ["k", 1, 1]]])?.shape).toEqual(["k", 2, 3]);
    expect(() => inferOne("Min", [])).toThrow(/node 'min_0'.*at least one input/);
  });

  it("the verifier checks Mod's fmod for floats and BitShift's direction", () => {
    const b = new GraphBuilder("g");
    const x = b.input("x", "f32", [2]);
    const u = b.input("u", "u8", [2]);
    b.output(b.op1("Mod", [x, x], { fmod: 0 }, { name: "m" }), b.op1("BitShift", [u, u], { direction: "UP" }, { name: "s" }));
    const msgs = verifyAll(b.build()).map((d) => d.message);
    expect(msgs).toEqual([expect.stringMatching(/node 'm'.*fmod=1/), expect.stringMatching(/node 's'.*LEFT or RIGHT/)]);
  });
});

/** Naive numpy broadcast of static shapes. */
function naive(shapes: number[][]): number[] | undefined {
  const r = Math.max(0, ...shapes.map((s) => s.length));
  const out: number[] = [];
  for (let i = 0; i < r; i++) {
    const ds = shapes.map((s) => s[s.length - r + i] ?? 1).filter((d) => d !== 1);
    if (new Set(ds).size > 1) return undefined;
    out.push(ds[0] ?? 1);
  }
  return out;
}

describe("broadcast inference properties", () => {
  const shape = fc.array(fc.integer({ min: 1, max: 3 }), { maxLength: 4 });

  it("agrees with a naive numpy broadcast on static shapes", () => {
    fc.assert(fc.property(fc.array(shape, { minLength: 1, maxLength: 4 }), (shapes) => {
      const want = naive(shapes);
      const run = () => inferOne("Sum", shapes.map((s) => ["f32", s] as const));
      if (want) expect(run()?.shape).toEqual(want);
      else expect(run).toThrow(/cannot broadcast/);
    }));
  });

  it("replacing a dim by a symbol keeps the result compatible with the static one", () => {
    fc.assert(fc.property(shape, shape, fc.nat(), (a, b, k) => {
      const want = naive([a, b]);
      if (!want || a.length === 0) return;
      const i = k % a.length;
      const sym: Dim[] = a.map((d, j) => (j === i ? "n" : d));
      const got = inferOne("Add", [["f32", sym], ["f32", b]])!.shape;
      expect(got.length).toBe(want.length);
      got.forEach((d, j) => expect(typeof d === "number" ? d === want[j] : true).toBe(true));
    }));
  });
});
