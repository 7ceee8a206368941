import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Tensor, type DType } from "@quantpass/ir";
import { broadcastPlan, broadcastIndices } from "./elementwise-util.js";
import {
  arbBroadcastable, arbF32, arbShape, f32, i64, ravelBroadcast, run1, runOp, t, unravel, vals,
} from "./elementwise-test-util.js";

describe("arithmetic kernels", () => {
  it("Add/Sub/Mul/Div broadcast f32 and round to float32", () => {
    const a = f32([2, 3], [1, 2, 3, 4, 5, 6]);
    const b = f32([3], [10, 20, 30]);
    expect(vals(run1("Add", [a, b]))).toEqual([11, 22, 33, 14, 25, 36]);
    expect(vals(run1("Sub", [b, a]))).toEqual([9, 18, 27, 6, 15, 24]);
    expect(vals(run1("Mul", [a, f32([2, 1], [2, -1])]))).toEqual([2, 4, 6, -4, -5, -6]);
    expect(vals(run1("Div", [f32([1], [1]), f32([1], [3])]))).toEqual([Math.fround(1 / 3)]);
    expect(vals(run1("Add", [f32([], [0.1]), f32([], [0.2])]))).toEqual([Math.fround(Math.fround(0.1) + Math.fround(0.2))]);
  });

  it("integer division truncates toward zero; integers wrap like C", () => {
    expect(vals(run1("Div", [t("i32", [4], [7, -7, 7, -7]), t("i32", [4], [2, 2, -2, -2])]))).toEqual([3, -3, -3, 3]);
    expect(vals(run1("Div", [t("i8", [1], [5]), t("i8", [1], [0])]))).toEqual([0]);
    expect(vals(run1("Add", [t("u8", [2], [250, 3]), t("u8", [2], [10, 4])]))).toEqual([4, 7]);
    expect(vals(run1("Sub", [t("u8", [1], [3]), t("u8", [1], [4])]))).toEqual([255]);
    expect(vals(run1("Mul", [t("i32", [1], [65536 * 3]), t("i32", [1], [65536 * 5])]))).toEqual([0]);
    expect(vals(run1("Mul", [t("i32", [1], [123456789]), t("i32", [1], [987654321])]))).toEqual([Math.imul(123456789, 987654321)]);
    expect(vals(run1("Mul", [t("i8", [1], [100]), t("i8", [1], [3])]))).toEqual([44]);
  });

  it("i64 arithmetic is exact beyond 2^53 and wraps at 2^64", () => {
    const big = 2n ** 62n + 1n;
    const r = run1("Add", [i64([2], [big, 9007199254740993n]), i64([2], [big, 2n])]);
    expect([...(r.data as BigInt64Array)]).toEqual([-(2n ** 63n) + 2n, 9007199254740995n]);
    expect([...(run1("Div", [i64([3], [-7, 7, 5]), i64([3], [2, -2, 0])]).data as BigInt64Array)]).toEqual([-3n, -3n, 0n]);
    expect([...(run1("Mul", [i64([1], [3037000500n]), i64([1], [3037000500n])]).data as BigInt64Array)]).toEqual([BigInt.asIntN(64, 3037000500n ** 2n)]);
  });

  it("Pow: float, integer and mixed exponent dtypes", () => {
    expect(vals(run1("Pow", [f32([3], [2, 4, -2]), f32([3], [3, 0.5, 2])]))).toEqual([8, 2, 4]);
    expect(vals(run1("Pow", [t("i32", [3], [2, 3, 2]), t("i32", [3], [10, 2, -1])]))).toEqual([1024, 9, 0]);
    expect(vals(run1("Pow", [t("i32", [2], [2, 3]), f32([], [2.5])]))).toEqual([5, 15]);
    expect(vals(run1("Pow", [f32([2], [2, 3]), i64([1], [3])]))).toEqual([8, 27]);
    expect([...(run1("Pow", [i64([2], [3, 2]), i64([2], [39, 62])]).data as BigInt64Array)]).toEqual([3n ** 39n, 2n ** 62n]);
  });

  it("Pow with a scalar exponent 2 equals float32 pow (the squaring fast path)", () => {
    fc.assert(fc.property(fc.array(fc.float(), { minLength: 1, maxLength: 8 }), fc.constantFrom<number[]>([], [1], [1, 1]), (v, eshape) => {
      const r = run1("Pow", [Tensor.f32([v.length], v), f32(eshape, [2])]);
      expect(vals(r)).toEqual(v.map((x) => Math.fround(Math.pow(x, 2))));
      expect(r.shape).toEqual(eshape.length > 1 ? [1, v.length] : [v.length]);
    }));
  });

  it("Mod: sign of the divisor (fmod=0) or of the dividend (fmod=1)", () => {
    const a = t("i32", [4], [7, -7, 7, -7]), b = t("i32", [4], [3, 3, -3, -3]);
    expect(vals(run1("Mod", [a, b]))).toEqual([1, 2, -2, -1]);
    expect(vals(run1("Mod", [a, b], { fmod: 1 }))).toEqual([1, -1, 1, -1]);
    expect([...(run1("Mod", [i64([2], [-7, 7]), i64([2], [3, -3])]).data as BigInt64Array)]).toEqual([2n, -2n]);
    expect(vals(run1("Mod", [f32([3], [5.5, -5.5, 5.5]), f32([3], [2, 2, -2])], { fmod: 1 }))).toEqual([1.5, -1.5, 1.5]);
  });

  it("Max/Min/Sum/Mean fold 1..n inputs with broadcasting", () => {
    const a = f32([2], [1, 5]), b = f32([2, 1], [3, 0]), c = f32([], [2]);
    expect(vals(run1("Max", [a, b, c]))).toEqual([3, 5, 2, 5]);
    expect(vals(run1("Min", [a, b, c]))).toEqual([1, 2, 0, 0]);
    expect(vals(run1("Sum", [a, b, c]))).toEqual([6, 10, 3, 7]);
    expect(vals(run1("Mean", [a, b, c]))).toEqual([2, 10 / 3, 1, 7 / 3].map(Math.fround));
    expect(run1("Max", [a])).toBe(a);
    expect(vals(run1("Max", [f32([2], [NaN, 1]), f32([2], [1, NaN])]))).toEqual([NaN, NaN]);
    expect([...(run1("Max", [t("u64", [1], [0]), new Tensor("u64", [1], BigUint64Array.of(2n ** 64n - 1n))]).data as BigUint64Array)]).toEqual([2n ** 64n - 1n]);
  });

  it("comparisons give bool, including i64, strings and NaN", () => {
    const a = f32([3], [1, 2, NaN]), b = f32([3], [2, 2, NaN]);
    const ops = { Less: [1, 0, 0], Greater: [0, 0, 0], LessOrEqual: [1, 1, 0], GreaterOrEqual: [0, 1, 0], Equal: [0, 1, 0] };
    for (const [op, want] of Object.entries(ops)) {
      const r = run1(op, [a, b]);
      expect(r.dtype).toBe("bool");
      expect(vals(r)).toEqual(want);
    }
    expect(vals(run1("Less", [i64([1], [2n ** 60n]), i64([1], [2n ** 60n + 1n])]))).toEqual([1]);
    expect(vals(run1("Equal", [new Tensor("string", [2], ["a", "b"]), new Tensor("string", [], ["b"])]))).toEqual([0, 1]);
  });

  it("And/Or/Xor and BitShift", () => {
    const p = t("bool", [4], [0, 0, 1, 1]), q = t("bool", [4], [0, 1, 0, 1]);
    expect(vals(run1("And", [p, q]))).toEqual([0, 0, 0, 1]);
    expect(vals(run1("Or", [p, q]))).toEqual([0, 1, 1, 1]);
    expect(vals(run1("Xor", [p, q]))).toEqual([0, 1, 1, 0]);
    expect(vals(run1("BitShift", [t("u8", [3], [16, 4, 1]), t("u8", [3], [1, 2, 8])], { direction: "LEFT" }))).toEqual([32, 16, 0]);
    expect(vals(run1("BitShift", [t("u8", [1], [200]), t("u8", [1], [1])], { direction: "LEFT" }))).toEqual([144]);
    expect(vals(run1("BitShift", [t("u32", [2], [2 ** 31, 5]), t("u32", [2], [31, 32])], { direction: "RIGHT" }))).toEqual([1, 0]);
    expect(vals(run1("BitShift", [t("u32", [1], [3]), t("u32", [1], [31])], { direction: "LEFT" }))).toEqual([2 ** 31]);
    const u64 = new Tensor("u64", [2], BigUint64Array.of(1n, 2n ** 63n));
    expect([...(run1("BitShift", [u64, new Tensor("u64", [2], BigUint64Array.of(63n, 1n))], { direction: "LEFT" }).data as BigUint64Array)]).toEqual([2n ** 63n, 0n]);
  });

  it("PRelu and Where", () => {
    expect(vals(run1("PRelu", [f32([2, 2], [-2, 3, -4, 5]), f32([2], [0.5, 0.25])]))).toEqual([-1, 3, -2, 5]);
    expect(vals(run1("PRelu", [t("i32", [2], [-3, 3]), t("i32", [1], [2])]))).toEqual([-6, 3]);
    const c = t("bool", [2, 1], [1, 0]);
    expect(vals(run1("Where", [c, f32([3], [1, 2, 3]), f32([], [-1])]))).toEqual([1, 2, 3, -1, -1, -1]);
    const s = run1("Where", [t("bool", [2], [0, 1]), new Tensor("string", [2], ["a", "b"]), new Tensor("string", [2], ["c", "d"])]);
    expect(s.data).toEqual(["c", "b"]);
    expect(vals(run1("Where", [t("bool", [2], [1, 0]), t("i4", [2], [-8, 7]), t("i4", [1], [3])]))).toEqual([-8, 3]);
    expect(vals(run1("Where", [t("bool", [2], [1, 0]), t("f16", [2], [0.5, 1]), t("f16", [2], [2, 3])]))).toEqual([0.5, 3]);
  });

  it("f16 arithmetic rounds through f32 to f16", () => {
    const r = run1("Add", [t("f16", [2], [2048, 0.1]), t("f16", [2], [1, 0.2])]);
    expect(r.dtype).toBe("f16");
    expect(vals(r)).toEqual([2048, t("f16", [1], [Math.fround(t("f16", [1], [0.1]).get(0) + t("f16", [1], [0.2]).get(0))]).get(0)]);
  });
});

/** Naive broadcast binary op over multi-indices (the oracle for the row-based kernels). */
function naiveBinary(f: (x: number, y: number) => number, a: Tensor, b: Tensor, shape: number[], dtype: DType): Tensor {
  const out = Tensor.zeros(dtype, shape);
  for (let i = 0; i < out.size; i++) {
    const idx = unravel(i, shape);
    out.set(i, f(a.get(ravelBroadcast(idx, a.shape)), b.get(ravelBroadcast(idx, b.shape))));
  }
  return out;
}

describe("broadcasting properties", () => {
  const pair = arbShape(true).chain((s) => fc.tuple(fc.constant(s), arbBroadcastable(s), fc.boolean()));

  it("f32 and i32 kernels agree with a naive broadcast, and with the inferred type", () => {
    const cases: [string, DType, (x: number, y: number) => number][] = [
      ["Add", "f32", (x, y) => x + y], ["Sub", "f32", (x, y) => x - y], ["Mul", "f32", (x, y) => x * y],
      ["Div", "f32", (x, y) => x / y], ["Max", "f32", Math.max], ["Less", "f32", (x, y) => +(x < y)],
      ["Add", "i32", (x, y) => x + y], ["Mul", "i32", Math.imul], ["Div", "i32", (x, y) => (y ? Math.trunc(x / y) : 0)],
    ];
    fc.assert(fc.property(pair, fc.nat(cases.length - 1), fc.integer(), ([sa, sb, swap], k, seed) => {
      const [op, dt, f] = cases[k]!;
      const gen = (n: number, s: number) => Array.from({ length: n }, (_, i) => ((i * 7919 + s) % 61) - 30);
      const mk = (shape: number[], s: number) => Tensor.fromNumbers(dt, shape, gen(shape.reduce((p, d) => p * d, 1), s));
      const [x, y] = swap ? [mk(sb, seed), mk(sa, seed + 1)] : [mk(sa, seed), mk(sb, seed + 1)];
      const got = run1(op, [x, y]);
      const want = naiveBinary(f, x, y, sa, got.dtype);
      expect(got.shape).toEqual(want.shape);
      expect(vals(got)).toEqual(vals(want));
    }));
  });

  it("the broadcast plan visits every output element once with the right input indices", () => {
    fc.assert(fc.property(arbShape(true).chain((s) => fc.tuple(fc.constant(s), arbBroadcastable(s), arbBroadcastable(s))), ([s, b, c]) => {
      const p = broadcastPlan([b, s, c]);
      expect(p.shape).toEqual(s);
      const idx = [0, 1, 2].map((j) => broadcastIndices(p, j));
      for (let i = 0; i < p.n; i++) {
        const m = unravel(i, s);
        expect([idx[0]![i], idx[1]![i], idx[2]![i]]).toEqual([ravelBroadcast(m, b), ravelBroadcast(m, s), ravelBroadcast(m, c)]);
      }
    }));
  });

  it("Where broadcasts the condition and both branches", () => {
    fc.assert(fc.property(pair, fc.array(arbF32, { minLength: 64, maxLength: 64 }), ([sa, sb], v) => {
      const x = Tensor.f32(sa, v.slice(0, sa.reduce((p, d) => p * d, 1)));
      const c = Tensor.fromNumbers("bool", sb, Array.from({ length: sb.reduce((p, d) => p * d, 1) }, (_, i) => i % 2));
      const { out } = runOp("Where", [c, x, f32([], [7])]);
      expect(out.shape).toEqual(sa);
    }), { numRuns: 50 });
  });

  it("with symbolic input dims, every op's kernel output fits its inferred type", () => {
    const ops = ["Add", "Sub", "Mul", "Div", "Pow", "Max", "Min", "Sum", "Mean", "Equal", "Less", "Greater", "LessOrEqual", "GreaterOrEqual", "PRelu"];
    fc.assert(fc.property(pair, fc.constantFrom(...ops), ([sa, sb, swap], op) => {
      const x = Tensor.f32(sa, Array.from({ length: sa.reduce((p, d) => p * d, 1) }, (_, i) => i - 3));
      const y = Tensor.f32(sb, Array.from({ length: sb.reduce((p, d) => p * d, 1) }, (_, i) => 2 - i));
      const { out, type } = runOp(op, op === "PRelu" || !swap ? [x, y] : [y, x], {}, [], true);
      expect(out.shape).toEqual(sa);
      expect(type.shape.length).toBe(sa.length);
    }));
  });
});
