import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { Tensor } from "@quantpass/ir";
import { arbDims, arbMoveDType, elem, elems, f32, i64v, iota, nums, ravel, run, runTyped, unravel } from "./move-test-util.js";

const INT64_MAX = 9223372036854775807;

/** Indices one axis visits, by stepping (not by formula), with ONNX's clamping rules. */
function naiveAxis(start: number, end: number, step: number, d: number): number[] {
  const norm = (v: number) => (v < 0 ? v + d : v);
  const clamp = (v: number, lo: number, hi: number) => Math.min(Math.max(v, lo), hi);
  const s = step > 0 ? clamp(norm(start), 0, d) : clamp(norm(start), 0, d - 1);
  const e = step > 0 ? clamp(norm(end), 0, d) : clamp(norm(end), -1, d - 1);
  const out: number[] = [];
  for (let i = s; step > 0 ? i < e : i > e; i += step) out.push(i);
  return out;
}

describe("Slice kernel", () => {
  const x = f32([3, 4]);
  it("slices with defaults, negative indices and clamped bounds", () => {
    expect(nums(run("Slice", [x, i64v([1]), i64v([INT64_MAX])])[0]!)).toEqual([4, 5, 6, 7, 8, 9, 10, 11]);
    expect(nums(run("Slice", [x, i64v([0, -3]), i64v([2, -1])])[0]!)).toEqual([1, 2, 5, 6]);
    expect(nums(run("Slice", [x, i64v([-100]), i64v([100]), i64v([-1])])[0]!).length).toBe(12);
    expect(run("Slice", [x, i64v([5]), i64v([10])])[0]!.shape).toEqual([0, 4]);
  });
  it("steps backwards, including the whole axis reversed", () => {
    const [y] = run("Slice", [x, i64v([-1]), i64v([-INT64_MAX]), i64v([1]), i64v([-1])]);
    expect(nums(y!)).toEqual([3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8]);
    const [z] = run("Slice", [x, i64v([20, 3]), i64v([0, -INT64_MAX]), i64v([0, 1]), i64v([-2, -3])]);
    expect(z!.shape).toEqual([1, 2]);
    expect(nums(z!)).toEqual([11, 8]);
  });
  it("infers ? only for axes whose bounds are not constant", () => {
    const { types } = runTyped("Slice", [x, i64v([1]), i64v([3]), i64v([1])], {}, { consts: [2, 3] });
    expect(types[0]!.shape).toEqual([3, "?"]);
  });
  it("agrees with a naive stepping implementation", () => {
    const bound = fc.oneof(fc.integer({ min: -7, max: 7 }), fc.constantFrom(INT64_MAX, -INT64_MAX));
    fc.assert(
      fc.property(
        arbMoveDType,
        arbDims(4, 5),
        fc.array(fc.record({ axis: fc.nat(), s: bound, e: bound, step: fc.constantFrom(1, 2, 3, -1, -2) }), { minLength: 1, maxLength: 3 }),
        (dtype, dims, specs) => {
          const seen = new Set<number>();
          const sl = specs.filter((p) => { const a = p.axis % dims.length; if (seen.has(a)) return false; seen.add(a); return true; });
          const axes = sl.map((p) => (p.axis % dims.length) - (p.axis % 2 ? dims.length : 0));
          const src = iota(dtype, dims);
          const [y] = run("Slice", [src, i64v(sl.map((p) => p.s)), i64v(sl.map((p) => p.e)), i64v(axes), i64v(sl.map((p) => p.step))]);
          const lists = dims.map((d) => Array.from({ length: d }, (_, i) => i));
          sl.forEach((p) => { const a = p.axis % dims.length; lists[a] = naiveAxis(p.s, p.e, p.step, dims[a]!); });
          expect(y!.shape).toEqual(lists.map((l) => l.length));
          for (let i = 0; i < y!.size; i++) expect(elem(y!, i)).toEqual(elem(src, ravel(unravel(i, y!.shape).map((o, k) => lists[k]![o]!), dims)));
        },
      ),
    );
  });
});

describe("Pad kernel", () => {
  const x = Tensor.f32([3, 2], [1, 2, 3, 4, 5, 6]);
  it("pads in every mode like numpy.pad", () => {
    expect(nums(run("Pad", [x, i64v([0, 2, 0, 0])])[0]!)).toEqual([0, 0, 1, 2, 0, 0, 3, 4, 0, 0, 5, 6]);
    const [w] = run("Pad", [x, i64v([2, 1, 1, 1])], { mode: "wrap" });
    expect(nums(w!)).toEqual([4, 3, 4, 3, 6, 5, 6, 5, 2, 1, 2, 1, 4, 3, 4, 3, 6, 5, 6, 5, 2, 1, 2, 1]);
    const [r] = run("Pad", [x, i64v([1, 2, 2, 3])], { mode: "reflect" });
    expect(r!.shape).toEqual([6, 7]);
    expect(nums(r!).slice(0, 14)).toEqual([3, 4, 3, 4, 3, 4, 3, 1, 2, 1, 2, 1, 2, 1]);
    const [e] = run("Pad", [x, i64v([0, 3, 0, 3])], { mode: "edge" });
    expect(nums(e!).slice(0, 8)).toEqual([1, 1, 1, 1, 2, 2, 2, 2]);
  });
  it("uses constant_value and axes, and crops with negative pads", () => {
    const [c] = run("Pad", [x, i64v([1, 1]), Tensor.f32([], [9]), i64v([-1])]);
    expect(nums(c!)).toEqual([9, 1, 2, 9, 9, 3, 4, 9, 9, 5, 6, 9]);
    const [k] = run("Pad", [x, i64v([-1, 0, 0, 1])]);
    expect(nums(k!)).toEqual([3, 4, 0, 5, 6, 0]);
    const [s] = run("Pad", [Tensor.fromNumbers("i64", [2], [5, 6]), i64v([1, 1]), Tensor.fromNumbers("i64", [], [-3])]);
    expect(nums(s!)).toEqual([-3, 5, 6, -3]);
  });
  it("Slice undoes a non-negative Pad, and the border holds the pad value", () => {
    fc.assert(
      fc.property(arbMoveDType, arbDims(3, 4), fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 6, maxLength: 6 }), fc.constantFrom("constant", "reflect", "edge", "wrap"), (dtype, dims, p, mode) => {
        const r = dims.length;
        const pads = [...p.slice(0, r), ...p.slice(3, 3 + r)];
        const src = iota(dtype, dims);
        const [y] = run("Pad", [src, i64v(pads)], { mode });
        expect(y!.shape).toEqual(dims.map((d, k) => d + pads[k]! + pads[k + r]!));
        const [back] = run("Slice", [y!, i64v(pads.slice(0, r)), i64v(dims.map((d, k) => pads[k]! + d))]);
        expect(elems(back!)).toEqual(elems(src));
        if (mode === "constant" && y!.size > src.size) expect(elems(y!)).toContainEqual(dtype === "string" ? "" : dtype === "i64" ? 0n : 0);
        if (mode === "edge") expect(elem(y!, 0)).toEqual(elem(src, 0));
      }),
    );
  });
});
