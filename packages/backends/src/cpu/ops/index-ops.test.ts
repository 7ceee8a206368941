import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { Tensor } from "@quantpass/ir";
import { arbDims, f32, i64, i64v, nums, run, runTyped, unravel } from "./move-test-util.js";

describe("OneHot kernel", () => {
  it("encodes along any axis with negative and out-of-range indices", () => {
    const vals = f32([2], [0, 5]);
    const [y] = run("OneHot", [i64v([0, -1, 3, 7]), Tensor.f32([], [4]), vals]);
    expect(y!.shape).toEqual([4, 4]);
    expect(nums(y!)).toEqual([5, 0, 0, 0, 0, 0, 0, 5, 0, 0, 0, 5, 0, 0, 0, 0]);
    const [z] = run("OneHot", [i64([2], [1, 0]), i64([1], [3]), Tensor.fromNumbers("i32", [2], [-1, 1])], { axis: 0 });
    expect(z!.shape).toEqual([3, 2]);
    expect(nums(z!)).toEqual([-1, 1, 1, -1, -1, -1]);
  });
  it("infers ? for a non-constant depth", () => {
    const { types } = runTyped("OneHot", [i64v([1]), i64([], [3]), f32([2], [0, 1])], {}, { consts: [2] });
    expect(types[0]!.shape).toEqual([1, "?"]);
  });
});

describe("Trilu kernel", () => {
  const x = f32([3, 4], [4, 7, 3, 7, 9, 1, 2, 2, 8, 5, 1, 8]);
  it("keeps the upper or lower triangle from diagonal k", () => {
    expect(nums(run("Trilu", [x])[0]!)).toEqual([4, 7, 3, 7, 0, 1, 2, 2, 0, 0, 1, 8]);
    expect(nums(run("Trilu", [x, i64([], [1])])[0]!)).toEqual([0, 7, 3, 7, 0, 0, 2, 2, 0, 0, 0, 8]);
    expect(nums(run("Trilu", [x, i64([], [-1])], { upper: 0 })[0]!)).toEqual([0, 0, 0, 0, 9, 0, 0, 0, 8, 5, 0, 0]);
    expect(nums(run("Trilu", [x, i64([], [-7])])[0]!)).toEqual(nums(x));
  });
  it("upper(k) + lower(k-1) partitions any batch of matrices", () => {
    fc.assert(
      fc.property(arbDims(4, 4), fc.integer({ min: -5, max: 5 }), (dims, k) => {
        if (dims.length < 2) dims = [2, ...dims];
        const t = f32(dims, Array.from({ length: dims.reduce((a, b) => a * b, 1) }, (_, i) => i + 1));
        const [u] = run("Trilu", [t, i64([], [k])]);
        const [l] = run("Trilu", [t, i64([], [k - 1])], { upper: 0 });
        const su = nums(u!), sl = nums(l!);
        nums(t).forEach((v, i) => {
          const [r, c] = unravel(i, dims).slice(-2) as [number, number];
          expect(su[i]! + sl[i]!).toBe(v);
          expect(su[i]).toBe(c - r >= k ? v : 0);
        });
      }),
    );
  });
});

describe("NonZero, TopK, EyeLike kernels", () => {
  it("lists non-zero coordinates row-major (-0 is zero, NaN is not)", () => {
    const [y] = run("NonZero", [f32([2, 3], [1, 0, -0, NaN, 0, 2])], {}, { exact: false });
    expect(y!.shape).toEqual([2, 3]);
    expect(nums(y!)).toEqual([0, 1, 1, 0, 0, 2]);
    expect(run("NonZero", [Tensor.fromNumbers("bool", [3], [0, 0, 0])], {}, { exact: false })[0]!.shape).toEqual([1, 0]);
  });
  it("selects top k with lower indices first on ties, largest or smallest", () => {
    const x = f32([2, 4], [0, 1, 2, 3, 3, 3, 1, 3]);
    const [v, i] = run("TopK", [x, i64v([3])], {}, { outputs: 2 });
    expect(nums(v!)).toEqual([3, 2, 1, 3, 3, 3]);
    expect(nums(i!)).toEqual([3, 2, 1, 0, 1, 3]);
    const [vs, is] = run("TopK", [x, i64v([2])], { largest: 0, axis: 0 }, { outputs: 2 });
    expect(nums(vs!)).toEqual([0, 1, 1, 3, 3, 3, 2, 3]);
    expect(nums(is!)).toEqual([0, 0, 1, 0, 1, 1, 0, 1]);
    const [vn] = run("TopK", [f32([3], [1, NaN, 2]), i64v([1])], {}, { outputs: 2 });
    expect(nums(vn!)).toEqual([NaN]);
  });
  it("TopK values are the sorted slice of a naive sort", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -3, max: 3 }), { minLength: 1, maxLength: 60 }), fc.nat(), fc.boolean(), (vals, kk, largest) => {
        const k = kk % 4 === 0 ? kk % (vals.length + 1) : kk % Math.max(1, Math.floor(vals.length / 4)); // both the sort and the heap path
        const [v, i] = run("TopK", [f32([vals.length], vals), i64v([k])], { largest: largest ? 1 : 0 }, { outputs: 2 });
        const order = vals.map((x, j) => [x, j] as const).sort((a, b) => (largest ? b[0] - a[0] : a[0] - b[0]) || a[1] - b[1]);
        expect(nums(i!)).toEqual(order.slice(0, k).map((p) => p[1]));
        expect(nums(v!)).toEqual(order.slice(0, k).map((p) => p[0]));
      }),
    );
  });
  it("makes identity-like matrices with an offset and an ONNX dtype code", () => {
    const [y] = run("EyeLike", [f32([3, 4])], { k: 1 });
    expect(nums(y!)).toEqual([0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]);
    const [z] = run("EyeLike", [f32([2, 2])], { dtype: 7 });
    expect(z!.dtype).toBe("i64");
    expect(nums(z!)).toEqual([1, 0, 0, 1]);
    expect(nums(run("EyeLike", [Tensor.fromNumbers("i32", [2, 3], [9, 9, 9, 9, 9, 9])], { k: -1 })[0]!)).toEqual([0, 0, 0, 1, 0, 0]);
  });
});
