import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Tensor } from "@quantpass/ir";
import { erf, erfReference } from "./erf.js";
import { arbF32, arbShape, f32, i64, run1, runOp, t, vals } from "./elementwise-test-util.js";

const fr = Math.fround;

describe("unary math kernels", () => {
  it("f32 results are the float32 rounding of the f64 value", () => {
    const x = f32([4], [0.5, 1, 2, 3]);
    expect(vals(run1("Exp", [x]))).toEqual([0.5, 1, 2, 3].map((v) => fr(Math.exp(v))));
    expect(vals(run1("Log", [x]))).toEqual([0.5, 1, 2, 3].map((v) => fr(Math.log(v))));
    expect(vals(run1("Sqrt", [x]))).toEqual([0.5, 1, 2, 3].map((v) => fr(Math.sqrt(v))));
    expect(vals(run1("Tanh", [x]))).toEqual([0.5, 1, 2, 3].map((v) => fr(Math.tanh(v))));
    expect(vals(run1("Sigmoid", [f32([3], [0, 100, -100])]))).toEqual([0.5, 1, fr(1 / (1 + Math.exp(100)))]);
    expect(vals(run1("Reciprocal", [f32([2], [4, 0])]))).toEqual([0.25, Infinity]);
    expect(vals(run1("Atanh", [f32([1], [0.5])]))).toEqual([fr(Math.atanh(0.5))]);
  });

  it("Floor, Ceil and Round (half to even)", () => {
    const x = f32([8], [0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 2.4, -2.6]);
    expect(vals(run1("Round", [x]))).toEqual([0, 2, 2, -0, -2, -2, 2, -3]);
    expect(vals(run1("Floor", [x]))).toEqual([0, 1, 2, -1, -2, -3, 2, -3]);
    expect(vals(run1("Ceil", [x]))).toEqual([1, 2, 3, -0, -1, -2, 3, -2]);
  });

  it("Abs, Neg, Sign, Relu on integers are exact and wrap like C", () => {
    expect(vals(run1("Abs", [t("i8", [3], [-128, -5, 7])]))).toEqual([-128, 5, 7]);
    expect(vals(run1("Neg", [t("i32", [2], [-(2 ** 31), 5])]))).toEqual([-(2 ** 31), -5]);
    expect(vals(run1("Sign", [t("i32", [3], [-9, 0, 4])]))).toEqual([-1, 0, 1]);
    expect(vals(run1("Relu", [t("i8", [2], [-3, 3])]))).toEqual([0, 3]);
    const big = run1("Abs", [i64([2], [-(2n ** 62n) - 1n, 3n])]);
    expect([...(big.data as BigInt64Array)]).toEqual([2n ** 62n + 1n, 3n]);
    expect([...(run1("Neg", [i64([1], [-(2n ** 63n)])]).data as BigInt64Array)]).toEqual([-(2n ** 63n)]);
    expect(vals(run1("Sign", [f32([3], [NaN, -0.1, 0])]))).toEqual([NaN, -1, 0]);
  });

  it("activations with attributes use the float32 value of the attribute", () => {
    const x = f32([4], [-2, -0.5, 0.5, 2]);
    expect(vals(run1("LeakyRelu", [x], { alpha: 0.1 }))).toEqual([fr(-2 * fr(0.1)), fr(-0.5 * fr(0.1)), 0.5, 2]);
    expect(vals(run1("LeakyRelu", [x]))).toEqual([fr(-2 * fr(0.01)), fr(-0.5 * fr(0.01)), 0.5, 2]);
    expect(vals(run1("Elu", [x]))).toEqual([fr(Math.expm1(-2)), fr(Math.expm1(-0.5)), 0.5, 2]);
    expect(vals(run1("ThresholdedRelu", [x], { alpha: 0.5 }))).toEqual([0, 0, 0, 2]);
    expect(vals(run1("HardSigmoid", [x]))).toEqual([fr(-2 * fr(0.2) + 0.5), fr(-0.5 * fr(0.2) + 0.5), fr(0.5 * fr(0.2) + 0.5), fr(2 * fr(0.2) + 0.5)]);
    expect(vals(run1("HardSwish", [f32([3], [-4, 0, 4])]))).toEqual([-0, 0, 4]);
    const selu = vals(run1("Selu", [f32([2], [-1, 1])]));
    expect(selu[0]).toBeCloseTo(-1.1113307, 6);
    expect(selu[1]).toBeCloseTo(1.050701, 6);
    expect(vals(run1("Celu", [f32([2], [-1, 1])], { alpha: 2 }))).toEqual([fr(2 * Math.expm1(-0.5)), 1]);
  });

  it("Softplus, Softsign, Mish, Gelu", () => {
    expect(vals(run1("Softplus", [f32([4], [0, 1, -100, 100])]))).toEqual([fr(Math.LN2), fr(Math.log1p(Math.E)), fr(Math.exp(-100)), 100]);
    expect(vals(run1("Softsign", [f32([2], [1, -3])]))).toEqual([0.5, -0.75]);
    expect(vals(run1("Mish", [f32([1], [1])]))).toEqual([fr(Math.tanh(Math.log1p(Math.E)))]);
    // x Phi(x) in f64: Phi(1) = 0.8413447460685429, -0.5 Phi(-0.5) = -0.15426876936299347
    expect(vals(run1("Gelu", [f32([2], [1, -0.5])]))).toEqual([fr(0.8413447460685429), fr(-0.15426876936299347)]);
    expect(vals(run1("Gelu", [f32([1], [1])], { approximate: "tanh" }))).toEqual([fr(0.8411919906082768)]);
  });

  it("erf is within a few f64 ulps of its reference formulas and of known values", () => {
    for (let x = -6.5; x <= 6.5; x += 0.00937) {
      const want = Math.abs(x) >= 6 ? Math.sign(x) : erfReference(x);
      expect(Math.abs(erf(x) - want)).toBeLessThanOrEqual(4 * 2 ** -52 * Math.abs(want));
    }
    // Known values (Abramowitz & Stegun table 7.1 / mpmath), to 1 ulp.
    const known: [number, number][] = [[0.1, 0.1124629160182849], [0.5, 0.5204998778130465], [1, 0.8427007929497149], [1.5, 0.9661051464753108], [2, 0.9953222650189527], [3, 0.9999779095030014]];
    for (const [x, v] of known) {
      expect(Math.abs(erf(x) - v)).toBeLessThanOrEqual(2 ** -52 * v);
      expect(Math.abs(erfReference(x) - v)).toBeLessThanOrEqual(2 ** -52 * v);
    }
    expect(erf(Infinity)).toBe(1);
    expect(erf(-Infinity)).toBe(-1);
    expect(erf(NaN)).toBeNaN();
    expect(Object.is(erf(-0), -0)).toBe(true);
    expect(vals(run1("Erf", [t("i32", [3], [0, 3, -1])]))).toEqual([0, 0, 0]);
  });

  it("Not, IsNaN, IsInf", () => {
    expect(vals(run1("Not", [t("bool", [2], [0, 1])]))).toEqual([1, 0]);
    const x = f32([4], [NaN, Infinity, -Infinity, 1]);
    expect(vals(run1("IsNaN", [x]))).toEqual([1, 0, 0, 0]);
    expect(vals(run1("IsInf", [x]))).toEqual([0, 1, 1, 0]);
    expect(vals(run1("IsInf", [x], { detect_negative: 0 }))).toEqual([0, 1, 0, 0]);
    expect(vals(run1("IsInf", [x], { detect_positive: 0 }))).toEqual([0, 0, 1, 0]);
    expect(run1("IsNaN", [t("f16", [1], [NaN])]).dtype).toBe("bool");
  });

  it("Clip with optional bounds, NaN passthrough, min > max and integers", () => {
    const x = f32([5], [-3, -1, 0, 2, NaN]);
    expect(vals(run1("Clip", [x, f32([], [-1]), f32([], [1])]))).toEqual([-1, -1, 0, 1, NaN]);
    expect(vals(run1("Clip", [x, undefined, f32([], [0])]))).toEqual([-3, -1, 0, 0, NaN]);
    expect(vals(run1("Clip", [x, f32([], [2]), f32([], [1])]))).toEqual([1, 1, 1, 1, NaN]);
    expect(vals(run1("Clip", [x]))).toEqual([-3, -1, 0, 2, NaN]);
    expect(vals(run1("Clip", [t("i8", [3], [-100, 0, 100]), t("i8", [], [-5]), t("i8", [], [5])]))).toEqual([-5, 0, 5]);
    expect([...(run1("Clip", [i64([2], [-(2n ** 62n), 2n ** 62n]), i64([], [0n])]).data as BigInt64Array)]).toEqual([0n, 2n ** 62n]);
  });

  it("Identity returns its input; f16 and f64 are handled", () => {
    const x = t("u4", [3], [1, 2, 15]);
    expect(run1("Identity", [x])).toBe(x);
    expect(vals(run1("Sqrt", [t("f16", [1], [2])]))).toEqual([t("f16", [1], [Math.SQRT2]).get(0)]);
    expect(vals(run1("Exp", [new Tensor("f64", [1], Float64Array.of(1))]))).toEqual([Math.E]);
  });
});

describe("unary properties", () => {
  const FLOAT_OPS = ["Abs", "Neg", "Exp", "Sqrt", "Tanh", "Sigmoid", "Relu", "Round", "Softplus", "Erf", "Gelu", "HardSwish", "Sin", "Atan"];

  it("inferred type equals the kernel output for random shapes, dtypes and symbolic dims", () => {
    fc.assert(fc.property(arbShape(true), fc.constantFrom(...FLOAT_OPS), fc.constantFrom("f32", "f16", "f64"), fc.boolean(), (shape, op, dt, sym) => {
      const x = Tensor.fromNumbers(dt as "f32", shape, Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => i / 3 - 1));
      const { out } = runOp(op, [x], {}, [], sym);
      expect(out.shape).toEqual(shape);
      expect(out.dtype).toBe(dt);
    }));
  });

  it("f32 kernels equal the float32 rounding of the f64 formula elementwise", () => {
    const f: Record<string, (v: number) => number> = {
      Exp: Math.exp, Tanh: Math.tanh, Sigmoid: (v) => 1 / (1 + Math.exp(-v)), Relu: (v) => (v < 0 ? 0 : v),
      Neg: (v) => -v, Abs: Math.abs, Sin: Math.sin, Softsign: (v) => v / (1 + Math.abs(v)),
    };
    fc.assert(fc.property(fc.array(arbF32, { minLength: 1, maxLength: 20 }), fc.constantFrom(...Object.keys(f)), (v, op) => {
      const got = vals(run1(op, [Tensor.f32([v.length], v)]));
      expect(got).toEqual(v.map((x) => fr(f[op]!(fr(x)))));
    }));
  });

  it("Round agrees with numpy rint semantics (nearest, ties to even)", () => {
    fc.assert(fc.property(fc.integer({ min: -1000, max: 1000 }), fc.constantFrom(0, 0.25, 0.5, 0.75), (i, frac) => {
      const x = i + frac;
      const r = vals(run1("Round", [f32([1], [x])]))[0]!;
      const want = frac === 0.5 ? (Math.floor(x) % 2 === 0 ? Math.floor(x) : Math.ceil(x)) : Math.round(x);
      expect(r).toBe(want === 0 ? r : want);
    }));
  });
});
