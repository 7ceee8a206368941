import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { Tensor } from "@quantpass/ir";
import { coalescePerm } from "./layout.js";
import { arbDims, arbMoveDType, elem, elems, f32, i64, i64v, iota, nums, ravel, run, unravel } from "./move-test-util.js";

describe("Transpose kernel", () => {
  it("permutes axes (default: reversed)", () => {
    const x = f32([2, 3]);
    const [y] = run("Transpose", [x]);
    expect(y!.shape).toEqual([3, 2]);
    expect(nums(y!)).toEqual([0, 3, 1, 4, 2, 5]);
    const [z] = run("Transpose", [f32([2, 3, 4])], { perm: [1, 2, 0] });
    expect(z!.shape).toEqual([3, 4, 2]);
    expect(nums(z!).slice(0, 4)).toEqual([0, 12, 1, 13]);
  });
  it("moves bits exactly: NaN payloads, -0, large i64", () => {
    const bits = new Uint32Array([0x7fc01234, 0x80000000, 0x3f800000, 0xffffffff]);
    const x = new Tensor("f32", [2, 2], new Float32Array(bits.buffer));
    const [y] = run("Transpose", [x]);
    expect([...new Uint32Array((y!.data as Float32Array).buffer)]).toEqual([0x7fc01234, 0x3f800000, 0x80000000, 0xffffffff]);
    const big = i64([2, 1], [0, 0]);
    (big.data as BigInt64Array).set([-(2n ** 63n), 2n ** 62n + 1n]);
    expect([...(run("Transpose", [big])[0]!.data as BigInt64Array)]).toEqual([-(2n ** 63n), 2n ** 62n + 1n]);
  });
  it("merges axes that stay adjacent, taking the tiled 2-D path for [0,2,3,1]", () => {
    expect(coalescePerm([2, 3, 4, 5], [0, 2, 3, 1])).toEqual({ shape: [2, 3, 20], perm: [0, 2, 1] });
    expect(coalescePerm([2, 1, 4], [1, 2, 0])).toEqual({ shape: [2, 4], perm: [1, 0] });
    const [y] = run("Transpose", [f32([1, 2, 3, 35])], { perm: [0, 2, 3, 1] });
    expect(y!.shape).toEqual([1, 3, 35, 2]);
    expect(nums(y!).slice(0, 4)).toEqual([0, 105, 1, 106]);
  });
  it("rejects packed int4 with a clear error", () => {
    expect(() => run("Transpose", [Tensor.fromNumbers("i4", [2, 2], [1, 2, 3, 4])])).toThrow(/packed i4/);
  });
  it("Transpose with a permutation then its inverse is the identity, for any dtype", () => {
    fc.assert(
      fc.property(arbMoveDType, arbDims(5), fc.nat(), (dtype, dims, seed) => {
        const perm = dims.map((_, i) => i).sort((a, b) => ((a * 7919 + seed) % 13) - ((b * 7919 + seed) % 13));
        const inv = perm.map((_, i) => perm.indexOf(i));
        const x = iota(dtype, dims);
        const [y] = run("Transpose", [x], { perm });
        const k = (seed % x.size);
        // element k of x lands at the permuted index
        const at = unravel(k, dims);
        expect(elem(y!, ravel(perm.map((p) => at[p]!), y!.shape))).toEqual(elem(x, k));
        const [z] = run("Transpose", [y!], { perm: inv });
        expect(z!.shape).toEqual(dims);
        expect(elems(z!)).toEqual(elems(x));
      }),
    );
  });
});

describe("Expand and Tile kernels", () => {
  it("broadcasts bidirectionally", () => {
    const x = f32([3, 1], [1, 2, 3]);
    const [y] = run("Expand", [x, i64v([2, 1, 6])]);
    expect(y!.shape).toEqual([2, 3, 6]);
    expect(nums(y!).slice(0, 7)).toEqual([1, 1, 1, 1, 1, 1, 2]);
    expect(run("Expand", [x, i64v([3, 4])])[0]!.shape).toEqual([3, 4]);
    expect(run("Expand", [f32([2, 3]), i64v([1, 1])])[0]!.shape).toEqual([2, 3]);
    expect(() => run("Expand", [f32([2, 3]), i64v([4, 3])])).toThrow();
  });
  it("tiles like numpy.tile", () => {
    const [y] = run("Tile", [f32([2, 2], [1, 2, 3, 4]), i64v([2, 3])]);
    expect(y!.shape).toEqual([4, 6]);
    expect(nums(y!).slice(0, 12)).toEqual([1, 2, 1, 2, 1, 2, 3, 4, 3, 4, 3, 4]);
    expect(run("Tile", [f32([2, 2]), i64v([0, 1])])[0]!.shape).toEqual([0, 2]);
  });
  it("Tile agrees with a naive modulo index", () => {
    fc.assert(
      fc.property(arbMoveDType, arbDims(3, 3), fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 3, maxLength: 3 }), (dtype, dims, r) => {
        const reps = dims.map((_, i) => r[i]!);
        const x = iota(dtype, dims);
        const [y] = run("Tile", [x, i64v(reps)]);
        for (let i = 0; i < y!.size; i++) expect(elem(y!, i)).toEqual(elem(x, ravel(unravel(i, y!.shape).map((o, k) => o % dims[k]!), dims)));
      }),
    );
  });
});

describe("Concat and Split kernels", () => {
  it("concatenates along an axis", () => {
    const [y] = run("Concat", [f32([2, 1], [1, 2]), f32([2, 2], [3, 4, 5, 6])], { axis: -1 }, { consts: [] });
    expect(y!.shape).toEqual([2, 3]);
    expect(nums(y!)).toEqual([1, 3, 4, 2, 5, 6]);
    expect(run("Concat", [f32([0, 2]), f32([1, 2], [7, 8])], { axis: 0 }, { consts: [] })[0]!.shape).toEqual([1, 2]);
  });
  it("splits by sizes, by num_outputs (last part smaller) and equally by output count", () => {
    const x = f32([7]);
    const parts = run("Split", [x, i64v([2, 0, 5])], {}, { outputs: 3 });
    expect(parts.map((p) => nums(p))).toEqual([[0, 1], [], [2, 3, 4, 5, 6]]);
    const eq = run("Split", [x], { num_outputs: 3 }, { outputs: 3 });
    expect(eq.map((p) => p.shape[0])).toEqual([3, 3, 1]);
    const two = run("Split", [f32([2, 4])], { axis: 1 }, { outputs: 2 });
    expect(two.map((p) => nums(p))).toEqual([[0, 1, 4, 5], [2, 3, 6, 7]]);
  });
  it("Concat of Split is the identity", () => {
    fc.assert(
      fc.property(arbMoveDType, arbDims(4, 5), fc.nat(), fc.array(fc.nat(), { minLength: 1, maxLength: 4 }), (dtype, dims, ax, cuts) => {
        const axis = ax % dims.length;
        const d = dims[axis]!;
        const sizes = cuts.map((c) => c % (d + 1));
        const total = sizes.reduce((a, b) => a + b, 0);
        sizes.push(Math.max(0, d - total));
        if (sizes.reduce((a, b) => a + b, 0) !== d) return;
        const x = iota(dtype, dims);
        const parts = run("Split", [x, i64v(sizes)], { axis }, { outputs: sizes.length });
        const [y] = run("Concat", parts, { axis: axis - dims.length }, { consts: [] });
        expect(y!.shape).toEqual(dims);
        expect(elems(y!)).toEqual(elems(x));
      }),
    );
  });
});

describe("ConstantOfShape and Range kernels", () => {
  it("fills with the value tensor's dtype", () => {
    const [z] = run("ConstantOfShape", [i64v([2, 3])], {}, { consts: [0] });
    expect(z!.dtype).toBe("f32");
    expect(nums(z!)).toEqual([0, 0, 0, 0, 0, 0]);
    const [o] = run("ConstantOfShape", [i64v([2])], { value: i64([1], [-7]) }, { consts: [0] });
    expect([...(o!.data as BigInt64Array)]).toEqual([-7n, -7n]);
    expect(run("ConstantOfShape", [i64v([0])], {}, { consts: [0] })[0]!.shape).toEqual([0]);
    const [sc] = run("ConstantOfShape", [i64([0], [])], { value: Tensor.fromNumbers("f32", [1], [2.5]) }, { consts: [0] });
    expect(sc!.shape).toEqual([]);
    expect(nums(sc!)).toEqual([2.5]);
  });
  it("generates ranges in f32, i32 and i64", () => {
    const s = (dtype: "f32" | "i32", v: number) => Tensor.fromNumbers(dtype, [], [v]);
    expect(nums(run("Range", [s("f32", 1), s("f32", 5), s("f32", 1.5)], {}, { consts: [0, 1, 2] })[0]!)).toEqual([1, 2.5, 4]);
    expect(nums(run("Range", [s("i32", 10), s("i32", 6), s("i32", -3)], {}, { consts: [0, 1, 2] })[0]!)).toEqual([10, 7]);
    const big = (v: bigint) => new Tensor("i64", [], BigInt64Array.of(v));
    const [r] = run("Range", [big(2n ** 60n), big(2n ** 60n + 5n), big(2n)], {}, { consts: [0, 1, 2] });
    expect([...(r!.data as BigInt64Array)]).toEqual([2n ** 60n, 2n ** 60n + 2n, 2n ** 60n + 4n]);
    expect(run("Range", [s("i32", 3), s("i32", 3), s("i32", 1)], {}, { consts: [0, 1, 2] })[0]!.shape).toEqual([0]);
  });
});
