import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { Tensor } from "@quantpass/ir";
import { arbDims, arbMoveDType, elem, elems, f32, i64, i64v, iota, nums, ravel, run, runTyped, unravel } from "./move-test-util.js";

describe("Gather kernel", () => {
  const x = f32([3, 2], [1, 1.2, 2.3, 3.4, 4.5, 5.7]);
  it("gathers rows with 2-D and negative indices", () => {
    const [y] = run("Gather", [x, i64([2, 2], [0, 1, 1, 2])], {}, { consts: [] });
    expect(y!.shape).toEqual([2, 2, 2]);
    expect(nums(y!).map((v) => Math.round(v * 10) / 10)).toEqual([1, 1.2, 2.3, 3.4, 2.3, 3.4, 4.5, 5.7]);
    const [z] = run("Gather", [x, Tensor.fromNumbers("i32", [1], [-1])], { axis: 1 }, { consts: [] });
    expect(z!.shape).toEqual([3, 1]);
    expect(nums(z!).map((v) => Math.round(v * 10) / 10)).toEqual([1.2, 3.4, 5.7]);
    const [s] = run("Gather", [x, i64([], [2])], {}, { consts: [] });
    expect(s!.shape).toEqual([2]);
  });
  it("rejects out-of-range indices", () => {
    expect(() => run("Gather", [x, i64v([3])], {}, { consts: [] })).toThrow(/index 3 out of range/);
  });
  it("agrees with a naive gather for any dtype and axis", () => {
    fc.assert(
      fc.property(arbMoveDType, arbDims(3), fc.nat(), arbDims(2, 3), fc.array(fc.integer({ min: -50, max: 50 }), { minLength: 9, maxLength: 9 }), (dtype, dims, ax, idims, raw) => {
        const axis = ax % dims.length;
        const d = dims[axis]!;
        const n = idims.reduce((a, b) => a * b, 1);
        const idx = raw.slice(0, n).map((v) => (((v % (2 * d)) + 2 * d) % (2 * d)) - d); // in [-d, d)
        const src = iota(dtype, dims);
        const { outs: [y] } = runTyped("Gather", [src, i64(idims, idx)], { axis: axis - (ax % 2 ? dims.length : 0) }, { consts: [] });
        for (let i = 0; i < y!.size; i++) {
          const o = unravel(i, y!.shape);
          const j = idx[ravel(o.slice(axis, axis + idims.length), idims)]!;
          const at = [...o.slice(0, axis), j < 0 ? j + d : j, ...o.slice(axis + idims.length)];
          expect(elem(y!, i)).toEqual(elem(src, ravel(at, dims)));
        }
      }),
    );
  });
});

describe("GatherElements and GatherND kernels", () => {
  it("gathers elements along an axis (ONNX examples)", () => {
    const [y] = run("GatherElements", [f32([2, 2], [1, 2, 3, 4]), i64([2, 2], [0, 0, 1, 0])], { axis: 1 }, { consts: [] });
    expect(nums(y!)).toEqual([1, 1, 4, 3]);
    const [z] = run("GatherElements", [f32([3, 3], [1, 2, 3, 4, 5, 6, 7, 8, 9]), i64([2, 3], [-1, -2, 0, -2, 0, 0])], {}, { consts: [] });
    expect(nums(z!)).toEqual([7, 5, 3, 4, 2, 3]);
  });
  it("gathers slices by index tuples, with batch dims", () => {
    const d = Tensor.fromNumbers("i32", [2, 2, 2], [0, 1, 2, 3, 4, 5, 6, 7]);
    const [a] = run("GatherND", [d, i64([2, 2], [0, 1, 1, 0])], {}, { consts: [] });
    expect(a!.shape).toEqual([2, 2]);
    expect(nums(a!)).toEqual([2, 3, 4, 5]);
    const [b] = run("GatherND", [d, i64([2, 1, 1], [1, 0])], {}, { consts: [] });
    expect(b!.shape).toEqual([2, 1, 2, 2]);
    expect(nums(b!)).toEqual([4, 5, 6, 7, 0, 1, 2, 3]);
    const [c] = run("GatherND", [d, i64([2, 1], [1, 0])], { batch_dims: 1 }, { consts: [] });
    expect(c!.shape).toEqual([2, 2]);
    expect(nums(c!)).toEqual([2, 3, 4, 5]);
  });
});

describe("ScatterElements and ScatterND kernels", () => {
  it("scatters elements with reductions and duplicate indices", () => {
    const data = f32([1, 5], [1, 2, 3, 4, 5]);
    const idx = i64([1, 2], [1, 1]);
    const upd = f32([1, 2], [1.1, 2.1]);
    expect(nums(run("ScatterElements", [data, idx, upd], { axis: 1 }, { consts: [] })[0]!).map((v) => Math.round(v * 10) / 10)).toEqual([1, 2.1, 3, 4, 5]);
    expect(nums(run("ScatterElements", [data, idx, upd], { axis: 1, reduction: "add" }, { consts: [] })[0]!).map((v) => Math.round(v * 10) / 10)).toEqual([1, 5.2, 3, 4, 5]);
    const neg = run("ScatterElements", [data, i64([1, 2], [1, -3]), upd], { axis: 1, reduction: "max" }, { consts: [] })[0]!;
    expect(nums(neg).map((v) => Math.round(v * 10) / 10)).toEqual([1, 2, 3, 4, 5]);
    expect(nums(data)).toEqual([1, 2, 3, 4, 5]); // input untouched
  });
  it("multiplies i64 exactly and i32 with wrap-around", () => {
    const big = new Tensor("i64", [2], BigInt64Array.of(3n ** 30n, 1n));
    const [y] = run("ScatterElements", [big, i64([1], [0]), new Tensor("i64", [1], BigInt64Array.of(3n ** 9n))], { reduction: "mul" }, { consts: [] });
    expect([...(y!.data as BigInt64Array)]).toEqual([3n ** 39n, 1n]);
    const i32 = Tensor.fromNumbers("i32", [1], [65536]);
    expect(nums(run("ScatterElements", [i32, i64([1], [0]), Tensor.fromNumbers("i32", [1], [65537])], { reduction: "mul" }, { consts: [] })[0]!)).toEqual([65536]);
  });
  it("scatters slices (ONNX ScatterND examples)", () => {
    const data = f32([8], [1, 2, 3, 4, 5, 6, 7, 8]);
    const [y] = run("ScatterND", [data, i64([4, 1], [4, 3, 1, 7]), f32([4], [9, 10, 11, 12])], {}, { consts: [] });
    expect(nums(y!)).toEqual([1, 11, 3, 10, 9, 6, 7, 12]);
    const d3 = f32([2, 2, 2], [1, 2, 3, 4, 5, 6, 7, 8]);
    const [m] = run("ScatterND", [d3, i64([2, 1], [0, 0]), f32([2, 2, 2], [2, 2, 2, 2, 3, 3, 3, 3])], { reduction: "mul" }, { consts: [] });
    expect(nums(m!)).toEqual([6, 12, 18, 24, 5, 6, 7, 8]);
  });
  it("ScatterElements of GatherElements values at distinct indices restores the data", () => {
    fc.assert(
      fc.property(arbMoveDType, arbDims(3), fc.nat(), fc.nat(), (dtype, dims, ax, seed) => {
        const axis = ax % dims.length;
        const d = dims[axis]!;
        // a permutation along the axis, the same for every line
        const perm = Array.from({ length: d }, (_, i) => (i * 5 + seed) % d);
        if (new Set(perm).size !== d) return;
        const n = dims.reduce((a, b) => a * b, 1);
        const idx = i64(dims, Array.from({ length: n }, (_, i) => perm[unravel(i, dims)[axis]!]!));
        const src = iota(dtype, dims);
        const [g] = run("GatherElements", [src, idx], { axis }, { consts: [] });
        const blank = Tensor.zeros(dtype, dims);
        const [s] = run("ScatterElements", [blank, idx, g!], { axis }, { consts: [] });
        expect(elems(s!)).toEqual(elems(src));
      }),
    );
  });
});
