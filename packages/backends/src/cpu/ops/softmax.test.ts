import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Tensor } from "@quantpass/ir";
import { arbShape, f32, run1, runOp, t, vals } from "./elementwise-test-util.js";

const fr = Math.fround;

describe("Softmax / LogSoftmax / Hardmax kernels", () => {
  it("Softmax along the last axis by default, f64 inside and rounded once", () => {
    const e = [Math.exp(-2), Math.exp(-1), 1];
    const s = e[0]! + e[1]! + e[2]!;
    expect(vals(run1("Softmax", [f32([2, 3], [1, 2, 3, 1001, 1002, 1003])]))).toEqual([...e, ...e].map((v) => fr(v / s)));
    expect(vals(run1("LogSoftmax", [f32([1, 3], [1, 2, 3])]))).toEqual([-2, -1, 0].map((v) => fr(v - Math.log(s))));
  });

  it("takes any axis", () => {
    const x = f32([2, 2], [0, 0, Math.log(3), 0]);
    expect(vals(run1("Softmax", [x], { axis: 0 }))).toEqual([0.25, 0.5, 0.75, 0.5]);
    expect(vals(run1("Softmax", [x], { axis: -2 }))).toEqual([0.25, 0.5, 0.75, 0.5]);
    expect(vals(run1("Hardmax", [f32([2, 3], [1, 3, 3, 2, 0, 2])], { axis: 0 }))).toEqual([0, 1, 1, 1, 0, 0]);
    expect(vals(run1("Hardmax", [f32([2, 3], [1, 3, 3, 2, 0, 2])]))).toEqual([0, 1, 0, 1, 0, 0]);
  });

  it("-inf entries get 0 (masked attention); f16 stays f16", () => {
    expect(vals(run1("Softmax", [f32([3], [0, -Infinity, 0])]))).toEqual([0.5, 0, 0.5]);
    const h = run1("Softmax", [t("f16", [2], [0, 0])]);
    expect(h.dtype).toBe("f16");
    expect(vals(h)).toEqual([0.5, 0.5]);
  });

  it("rows sum to 1, LogSoftmax = log(Softmax), kernel types match inference (property)", () => {
    const arb = arbShape().filter((s) => s.length > 0).chain((s) => fc.tuple(fc.constant(s), fc.integer({ min: -s.length, max: s.length - 1 }), fc.integer({ min: 0, max: 100 })));
    fc.assert(fc.property(arb, fc.boolean(), ([shape, axis, seed], sym) => {
      const n = shape.reduce((a, b) => a * b, 1);
      const x = Tensor.f32(shape, Array.from({ length: n }, (_, i) => Math.sin(i * 1.7 + seed) * 20));
      const sm = runOp("Softmax", [x], { axis }, [], sym).out;
      const ls = runOp("LogSoftmax", [x], { axis }, [], sym).out;
      const hm = runOp("Hardmax", [x], { axis }, [], sym).out;
      const a = axis < 0 ? axis + shape.length : axis;
      const sums = vals(run1("ReduceSum", [sm, new Tensor("i64", [1], BigInt64Array.of(BigInt(a)))], {}, [1]));
      for (const v of sums) expect(Math.abs(v - 1)).toBeLessThan(1e-6);
      const hs = vals(run1("ReduceSum", [hm, new Tensor("i64", [1], BigInt64Array.of(BigInt(a)))], {}, [1]));
      for (const v of hs) expect(v).toBe(1);
      vals(ls).forEach((v, i) => expect(Math.exp(v)).toBeCloseTo(sm.get(i), 6));
    }));
  });
});
