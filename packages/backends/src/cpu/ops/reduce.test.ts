import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Tensor } from "@quantpass/ir";
import { arbShape, f32, i64, run1, runOp, scalarI64, t, unravel, vals } from "./elementwise-test-util.js";

const axes = (v: number[]) => i64([v.length], v);
const reduce = (op: string, x: Tensor, ax: number[] | null, attrs = {}) => run1(op, ax ? [x, axes(ax)] : [x], attrs, [1]);

describe("reduction kernels", () => {
  const x = f32([2, 3], [1, -2, 3, 4, 5, -6]);

  it("reduce given axes with and without keepdims", () => {
    const r = reduce("ReduceSum", x, [1]);
    expect(r.shape).toEqual([2, 1]);
    expect(vals(r)).toEqual([2, 3]);
    expect(vals(reduce("ReduceSum", x, [0], { keepdims: 0 }))).toEqual([5, 3, -3]);
    expect(vals(reduce("ReduceMean", x, [-1]))).toEqual([2 / 3, 1].map(Math.fround));
    expect(vals(reduce("ReduceMax", x, [0]))).toEqual([4, 5, 3]);
    expect(vals(reduce("ReduceMin", x, [1]))).toEqual([-2, -6]);
    expect(vals(reduce("ReduceProd", x, [1]))).toEqual([-6, -120]);
    expect(vals(reduce("ReduceL1", x, [1]))).toEqual([6, 15]);
    expect(vals(reduce("ReduceL2", x, [1]))).toEqual([Math.fround(Math.sqrt(14)), Math.fround(Math.sqrt(77))]);
    expect(vals(reduce("ReduceSumSquare", x, [0]))).toEqual([17, 29, 45]);
    expect(vals(reduce("ReduceLogSum", f32([2], [1, 2]), [0]))).toEqual([Math.fround(Math.log(3))]);
    expect(vals(reduce("ReduceLogSumExp", f32([2], [1000, 1000]), [0]))).toEqual([Math.fround(1000 + Math.LN2)]);
  });

  it("omitted or empty axes reduce everything unless noop_with_empty_axes", () => {
    expect(reduce("ReduceSum", x, null).shape).toEqual([1, 1]);
    expect(vals(reduce("ReduceSum", x, [], { keepdims: 0 }))).toEqual([5]);
    expect(reduce("ReduceSum", x, [], { noop_with_empty_axes: 1 })).toBe(x);
    expect(reduce("ReduceMax", x, null, { noop_with_empty_axes: 1 })).toBe(x);
  });

  it("empty reductions give the identity of the operation", () => {
    const e = f32([2, 0], []);
    expect(vals(reduce("ReduceSum", e, [1]))).toEqual([0, 0]);
    expect(vals(reduce("ReduceProd", e, [1]))).toEqual([1, 1]);
    expect(vals(reduce("ReduceMax", e, [1]))).toEqual([-Infinity, -Infinity]);
    expect(vals(reduce("ReduceMin", t("i8", [0], []), [0]))).toEqual([127]);
    expect(vals(reduce("ReduceMax", t("u8", [0], []), [0]))).toEqual([0]);
    expect(vals(reduce("ReduceLogSumExp", e, [1]))).toEqual([-Infinity, -Infinity]);
    expect(vals(reduce("ReduceMean", e, [1]))).toEqual([NaN, NaN]);
    expect(reduce("ReduceSum", e, [0]).shape).toEqual([1, 0]);
  });

  it("integers reduce exactly and wrap like C; i64 in bigints", () => {
    expect(vals(reduce("ReduceSum", t("i8", [3], [100, 100, 100]), [0]))).toEqual([44]);
    expect(vals(reduce("ReduceProd", t("i32", [2], [65536, 65537]), [0]))).toEqual([65536]);
    expect(vals(reduce("ReduceMean", t("i32", [3], [1, 2, 2]), [0]))).toEqual([1]);
    const big = reduce("ReduceSum", i64([3], [2n ** 62n, 2n ** 62n, 1n]), [0]);
    expect([...(big.data as BigInt64Array)]).toEqual([-(2n ** 63n) + 1n]);
    expect([...(reduce("ReduceMax", i64([2], [2n ** 60n + 1n, 2n ** 60n]), [0]).data as BigInt64Array)]).toEqual([2n ** 60n + 1n]);
    const u = new Tensor("u64", [2], BigUint64Array.of(2n ** 64n - 1n, 5n));
    expect([...(reduce("ReduceMin", u, [0]).data as BigUint64Array)]).toEqual([5n]);
    expect([...(reduce("ReduceMax", u, [0]).data as BigUint64Array)]).toEqual([2n ** 64n - 1n]);
  });

  it("f32 sums accumulate in f64 and round once", () => {
    const v = [1e8, 1, -1e8, 1];
    expect(vals(reduce("ReduceSum", f32([4], v), [0]))).toEqual([2]);
    expect(vals(reduce("ReduceMean", t("f16", [3], [1, 2, 2]), [0]))).toEqual([t("f16", [1], [5 / 3]).get(0)]);
  });

  it("ReduceMax/ReduceMin of bool are any/all", () => {
    const b = t("bool", [2, 2], [0, 1, 0, 0]);
    const any = reduce("ReduceMax", b, [1], { keepdims: 0 });
    expect(any.dtype).toBe("bool");
    expect(vals(any)).toEqual([1, 0]);
    expect(vals(reduce("ReduceMin", b, [0], { keepdims: 0 }))).toEqual([0, 0]);
    expect(vals(reduce("ReduceMin", t("bool", [0], []), [0]))).toEqual([1]);
  });

  it("NaN propagates through Max/Min", () => {
    expect(vals(reduce("ReduceMax", f32([3], [1, NaN, 2]), [0]))).toEqual([NaN]);
    expect(vals(reduce("ReduceMin", f32([3], [NaN, 1, 2]), [0]))).toEqual([NaN]);
  });
});

/** Naive reduction over multi-indices. */
function naiveReduce(x: Tensor, axes: number[], keep: boolean, init: number, step: (a: number, v: number) => number): { shape: number[]; v: number[] } {
  const shape = x.shape.flatMap((d, k) => (axes.includes(k) ? (keep ? [1] : []) : [d]));
  const size = shape.reduce((a, b) => a * b, 1);
  const acc = new Array<number>(size).fill(init);
  for (let i = 0; i < x.size; i++) {
    const idx = unravel(i, x.shape);
    let o = 0;
    x.shape.forEach((d, k) => {
      if (!axes.includes(k)) o = o * d + idx[k]!;
      else if (keep) o = o * 1;
    });
    acc[o] = step(acc[o]!, x.get(i));
  }
  return { shape, v: acc };
}

describe("reduction properties", () => {
  const arb = arbShape(true).chain((shape) => fc.record({
    shape: fc.constant(shape),
    axes: fc.subarray(shape.map((_, i) => i)),
    keep: fc.boolean(),
    seed: fc.integer({ min: 0, max: 1000 }),
  }));
  const ops: Record<string, [number, (a: number, v: number) => number]> = {
    ReduceSum: [0, (a, v) => a + v], ReduceMax: [-Infinity, Math.max], ReduceMin: [Infinity, Math.min],
    ReduceProd: [1, (a, v) => a * v], ReduceSumSquare: [0, (a, v) => a + v * v], ReduceL1: [0, (a, v) => a + Math.abs(v)],
  };

  it("agree with a naive reduction and with the inferred type (small integer values: exact)", () => {
    fc.assert(fc.property(arb, fc.constantFrom(...Object.keys(ops)), fc.constantFrom("f32", "i32", "i64"), ({ shape, axes: ax, keep, seed }, op, dt) => {
      const n = shape.reduce((a, b) => a * b, 1);
      const x = Tensor.fromNumbers(dt as "f32", shape, Array.from({ length: n }, (_, i) => ((i * 37 + seed) % 7) - 3));
      const all = ax.length === 0 ? shape.map((_, i) => i) : ax;
      const [init, step] = ops[op]!;
      const want = naiveReduce(x, all, keep, init, step);
      const { out } = runOp(op, [x, axes(ax)], { keepdims: keep ? 1 : 0 }, [1], true);
      expect(out.shape).toEqual(want.shape);
      // Integers: an empty Max/Min gives the dtype's minimum/maximum, and there is no -0.
      const [lo, hi] = dt === "i32" ? [-(2 ** 31), 2 ** 31 - 1] : [-(2 ** 63), 2 ** 63 - 1];
      const w = dt === "f32" ? want.v : want.v.map((v) => (v === -Infinity ? lo : v === Infinity ? hi : v + 0));
      expect(vals(out)).toEqual(w);
    }));
  });

  it("ReduceMean / ReduceLogSumExp agree with the f64 formula rounded once", () => {
    fc.assert(fc.property(arb, ({ shape, axes: ax, keep, seed }) => {
      const n = shape.reduce((a, b) => a * b, 1);
      const x = Tensor.f32(shape, Array.from({ length: n }, (_, i) => Math.sin(i + seed) * 10));
      const all = ax.length === 0 ? shape.map((_, i) => i) : ax;
      const count = all.reduce((p, a) => p * shape[a]!, 1);
      const sum = naiveReduce(x, all, keep, 0, (a, v) => a + v);
      const mean = reduce("ReduceMean", x, ax, { keepdims: keep ? 1 : 0 });
      expect(vals(mean)).toEqual(sum.v.map((s) => Math.fround(s / count)));
      const lse = vals(reduce("ReduceLogSumExp", x, ax, { keepdims: keep ? 1 : 0 }));
      const se = naiveReduce(x, all, keep, 0, (a, v) => a + Math.exp(v));
      lse.forEach((v, i) => expect(v).toBeCloseTo(Math.log(se.v[i]!), 5));
    }));
  });
});

describe("ArgMax / ArgMin", () => {
  const x = f32([2, 3], [1, 3, 3, 2, 0, 2]);
  it("first occurrence by default, last with select_last_index; i64 output", () => {
    const r = run1("ArgMax", [x], { axis: 1 });
    expect(r.dtype).toBe("i64");
    expect(r.shape).toEqual([2, 1]);
    expect(vals(r)).toEqual([1, 0]);
    expect(vals(run1("ArgMax", [x], { axis: 1, select_last_index: 1 }))).toEqual([2, 2]);
    expect(vals(run1("ArgMin", [x], { axis: 0, keepdims: 0 }))).toEqual([0, 1, 1]);
    expect(vals(run1("ArgMin", [x], { axis: -1, select_last_index: 1, keepdims: 0 }))).toEqual([0, 1]);
  });
  it("i64 compares exactly; NaN wins like numpy", () => {
    expect(vals(run1("ArgMax", [i64([2], [2n ** 60n, 2n ** 60n + 1n])]))).toEqual([1]);
    expect(vals(run1("ArgMax", [f32([3], [1, NaN, 5])]))).toEqual([1]);
    expect(vals(run1("ArgMin", [f32([3], [1, NaN, -5])]))).toEqual([1]);
  });
});

describe("CumSum", () => {
  const x = f32([2, 3], [1, 2, 3, 4, 5, 6]);
  const ax = (a: number) => scalarI64(a);
  it("inclusive, exclusive, reverse, along either axis", () => {
    expect(vals(run1("CumSum", [x, ax(1)], {}, [1]))).toEqual([1, 3, 6, 4, 9, 15]);
    expect(vals(run1("CumSum", [x, ax(0)], {}, [1]))).toEqual([1, 2, 3, 5, 7, 9]);
    expect(vals(run1("CumSum", [x, ax(-1)], { exclusive: 1 }, [1]))).toEqual([0, 1, 3, 0, 4, 9]);
    expect(vals(run1("CumSum", [x, ax(1)], { reverse: 1 }, [1]))).toEqual([6, 5, 3, 15, 11, 6]);
    expect(vals(run1("CumSum", [x, ax(1)], { reverse: 1, exclusive: 1 }, [1]))).toEqual([5, 3, 0, 11, 6, 0]);
    expect(vals(run1("CumSum", [x, t("i32", [1], [1])], {}))).toEqual([1, 3, 6, 4, 9, 15]);
  });
  it("accumulates in the output dtype step by step (float32 like numpy), integers exactly", () => {
    expect(vals(run1("CumSum", [f32([3], [1e8, 1, 1]), ax(0)], {}, [1]))).toEqual([1e8, 1e8, 1e8]);
    const r = run1("CumSum", [i64([2], [2n ** 62n, 2n ** 62n + 3n]), ax(0)], {}, [1]);
    expect([...(r.data as BigInt64Array)]).toEqual([2n ** 62n, -(2n ** 63n) + 3n]);
    expect(vals(run1("CumSum", [t("u8", [2], [200, 100]), ax(0)], {}, [1]))).toEqual([200, 44]);
  });
});
