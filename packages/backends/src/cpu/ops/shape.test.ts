import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { Tensor } from "@quantpass/ir";
import { arbDims, f32, i64v, nums, run, runTyped } from "./move-test-util.js";

describe("Shape and Size kernels", () => {
  const x = f32([2, 3, 4, 5]);
  it("returns the dims, sliced by start/end with clamping", () => {
    expect(nums(run("Shape", [x])[0]!)).toEqual([2, 3, 4, 5]);
    expect(nums(run("Shape", [x], { start: 1 })[0]!)).toEqual([3, 4, 5]);
    expect(nums(run("Shape", [x], { start: -1 })[0]!)).toEqual([5]);
    expect(nums(run("Shape", [x], { end: -1 })[0]!)).toEqual([2, 3, 4]);
    expect(nums(run("Shape", [x], { start: -10, end: 10 })[0]!)).toEqual([2, 3, 4, 5]);
    expect(nums(run("Shape", [x], { start: 3, end: 1 })[0]!)).toEqual([]);
    expect(run("Shape", [x])[0]!.dtype).toBe("i64");
  });
  it("counts elements", () => {
    const [s] = run("Size", [x]);
    expect(s!.shape).toEqual([]);
    expect(nums(s!)).toEqual([120]);
  });
});

describe("Reshape kernel", () => {
  const x = f32([2, 3, 4]);
  it("copies 0 dims, infers -1 and shares storage", () => {
    const [y] = run("Reshape", [x, i64v([0, -1])]);
    expect(y!.shape).toEqual([2, 12]);
    expect(y!.data).toBe(x.data);
    expect(run("Reshape", [x, i64v([4, 0, -1])])[0]!.shape).toEqual([4, 3, 2]);
    expect(run("Reshape", [x, i64v([-1])])[0]!.shape).toEqual([24]);
  });
  it("treats 0 as a literal dim with allowzero", () => {
    const e = f32([0, 3]);
    expect(run("Reshape", [e, i64v([3, 0])], { allowzero: 1 })[0]!.shape).toEqual([3, 0]);
    expect(() => run("Reshape", [x, i64v([0, 24])], { allowzero: 1 })).toThrow();
  });
  it("rejects impossible shapes with the node named", () => {
    expect(() => run("Reshape", [x, i64v([5, -1])])).toThrow(/cannot reshape/);
    expect(() => run("Reshape", [x, i64v([-1, -1])])).toThrow(/more than one -1/);
  });
  it("infers ? dims of the right rank from a non-constant shape", () => {
    const { types, outs } = runTyped("Reshape", [x, i64v([6, -1])], {}, { consts: [] });
    expect(types[0]!.shape).toEqual(["?", "?"]);
    expect(outs[0]!.shape).toEqual([6, 4]);
  });
  it("agrees with inference on random reshapes", () => {
    fc.assert(
      fc.property(arbDims(4), arbDims(4), fc.nat(), (a, b, pick) => {
        const n = a.reduce((p, q) => p * q, 1);
        // target: b's prefix with a -1 placed to absorb the rest when it divides
        const head = b.slice(0, -1);
        const hp = head.reduce((p, q) => p * q, 1);
        if (n % hp !== 0) return;
        const spec = [...head, -1];
        const k = pick % spec.length;
        if (k < a.length && spec[k] === a[k]) spec[k] = 0;
        const [y] = run("Reshape", [f32(a), i64v(spec)]);
        expect(y!.size).toBe(n);
      }),
    );
  });
});

describe("Flatten, Squeeze, Unsqueeze kernels", () => {
  const x = f32([2, 3, 4]);
  it("flattens at any axis", () => {
    expect(run("Flatten", [x])[0]!.shape).toEqual([2, 12]);
    expect(run("Flatten", [x], { axis: 0 })[0]!.shape).toEqual([1, 24]);
    expect(run("Flatten", [x], { axis: 3 })[0]!.shape).toEqual([24, 1]);
    expect(run("Flatten", [x], { axis: -1 })[0]!.shape).toEqual([6, 4]);
  });
  it("squeezes given or all unit axes and checks them", () => {
    const u = f32([1, 3, 1, 2]);
    expect(run("Squeeze", [u])[0]!.shape).toEqual([3, 2]);
    expect(run("Squeeze", [u, i64v([-2])])[0]!.shape).toEqual([1, 3, 2]);
    expect(() => run("Squeeze", [u, i64v([1])])).toThrow(/squeeze axis 1 of size 3/);
  });
  it("unsqueezes at output positions, unsorted and negative", () => {
    expect(run("Unsqueeze", [x, i64v([0, 4])])[0]!.shape).toEqual([1, 2, 3, 4, 1]);
    expect(run("Unsqueeze", [x, i64v([3, 1])])[0]!.shape).toEqual([2, 1, 3, 1, 4]);
    expect(run("Unsqueeze", [x, i64v([-1])])[0]!.shape).toEqual([2, 3, 4, 1]);
    expect(run("Unsqueeze", [Tensor.scalar("f32", 5), i64v([0])])[0]!.shape).toEqual([1]);
  });
  it("Unsqueeze then Squeeze on the same axes is the identity", () => {
    fc.assert(
      fc.property(arbDims(3), fc.uniqueArray(fc.integer({ min: 0, max: 5 }), { minLength: 1, maxLength: 3 }), (dims, raw) => {
        const r = dims.length + raw.length;
        const axes = raw.map((a) => a % r);
        if (new Set(axes).size !== axes.length) return;
        const x2 = f32(dims);
        const [u] = run("Unsqueeze", [x2, i64v(axes)]);
        const [s] = run("Squeeze", [u!, i64v(axes)]);
        expect(s!.shape).toEqual(dims);
        expect(nums(s!)).toEqual(nums(x2));
      }),
    );
  });
});
