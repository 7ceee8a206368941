import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { Tensor, type Attrs } from "@quantpass/ir";
import { arbMoveDType, elems, f32, i64v, iota, nums, run, runTyped } from "./move-test-util.js";

const x16 = f32([4, 4], Array.from({ length: 16 }, (_, i) => i + 1));
const x4 = f32([2, 2], [1, 2, 3, 4]);
const resize = (x: Tensor, attrs: Attrs, scales?: number[], sizes?: number[], roi?: number[]) =>
  run("Resize", [x, roi && f32([roi.length], roi), scales && f32([scales.length], scales), sizes && i64v(sizes)], attrs)[0]!;
const close = (got: Tensor, want: number[]) => {
  expect(got.size).toBe(want.length);
  want.forEach((w, i) => expect(Math.abs(got.get(i) - w)).toBeLessThan(1e-5 + 1e-5 * Math.abs(w)));
};

describe("Resize kernel", () => {
  it("upsamples nearest (any dtype, exact)", () => {
    const y = resize(Tensor.fromNumbers("i64", [1, 1, 2, 2], [1, 2, 3, 4]), {}, [1, 1, 2, 3]);
    expect(y.shape).toEqual([1, 1, 4, 6]);
    expect(nums(y)).toEqual([1, 1, 1, 2, 2, 2, 1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4, 3, 3, 3, 4, 4, 4]);
  });
  it("interpolates linearly with half_pixel and align_corners", () => {
    close(resize(x4, { mode: "linear" }, [2, 2]), [1, 1.25, 1.75, 2, 1.5, 1.75, 2.25, 2.5, 2.5, 2.75, 3.25, 3.5, 3, 3.25, 3.75, 4]);
    close(resize(x4, { mode: "linear", coordinate_transformation_mode: "align_corners" }, [2, 2]), [1, 4 / 3, 5 / 3, 2, 5 / 3, 2, 7 / 3, 8 / 3, 7 / 3, 8 / 3, 3, 10 / 3, 3, 10 / 3, 11 / 3, 4]);
  });
  // Expected values below come from the ONNX reference implementation (onnx/reference/ops/op_resize.py).
  it("antialiases linear and cubic downsampling", () => {
    close(resize(x16, { mode: "linear", antialias: 1 }, [0.6, 0.6]), [2.875, 4.5, 9.375, 11]);
    close(resize(x16, { mode: "cubic", antialias: 1 }, [0.6, 0.6]), [2.5180704593658447, 4.285884857177734, 9.58932876586914, 11.357142448425293]);
  });
  it("excludes outside taps for cubic with A = -0.5", () => {
    close(resize(x16, { mode: "cubic", exclude_outside: 1, cubic_coeff_a: -0.5 }, [0.8, 0.8]), [1.3681267499923706, 2.669501304626465, 4.013336658477783, 6.573625564575195, 7.875, 9.21883487701416, 11.948966979980469, 13.250341415405273, 14.594176292419434]);
  });
  it("handles half_pixel_symmetric, tf_crop_and_resize and keep_aspect_ratio_policy", () => {
    close(resize(f32([1, 4], [1, 2, 3, 4]), { mode: "linear", coordinate_transformation_mode: "half_pixel_symmetric" }, [1, 1.7]), [1.029411792755127, 1.6176470518112183, 2.2058823108673096, 2.7941176891326904, 3.382352828979492, 3.970588207244873]);
    close(resize(x16, { mode: "linear", coordinate_transformation_mode: "tf_crop_and_resize", extrapolation_value: 10 }, undefined, [3, 3], [0.4, 0.6, 1.2, 1.7]), [7.6, 10, 10, 12.4, 10, 10, 10, 10, 10]);
    const y = resize(f32([2, 3], [1, 2, 3, 4, 5, 6]), { keep_aspect_ratio_policy: "not_larger", nearest_mode: "ceil", coordinate_transformation_mode: "asymmetric" }, undefined, [7, 8]);
    expect(y.shape).toEqual([5, 8]);
    expect(nums(y).slice(0, 16)).toEqual([1, 2, 2, 3, 3, 3, 3, 3, 4, 5, 5, 6, 6, 6, 6, 6]);
  });
  it("resizes only the given axes", () => {
    const y = resize(f32([2, 2, 2]), { axes: [-1], mode: "linear" }, undefined, [4]);
    expect(y.shape).toEqual([2, 2, 4]);
    close(y, [0, 0.25, 0.75, 1, 2, 2.25, 2.75, 3, 4, 4.25, 4.75, 5, 6, 6.25, 6.75, 7]);
  });
  it("infers the output shape from constant scales and ? dims otherwise", () => {
    const { types } = runTyped("Resize", [f32([1, 3, 5, 5]), undefined, f32([4], [1, 1, 0.5, 2])], {}, { consts: [] });
    expect(types[0]!.shape).toEqual(["?", "?", "?", "?"]); // scales not known: any axis may change
    expect(resize(f32([1, 3, 5, 5]), {}, [1, 1, 0.5, 2]).shape).toEqual([1, 3, 2, 10]);
  });
});

describe("DepthToSpace and SpaceToDepth kernels", () => {
  const x = f32([1, 8, 2, 3]);
  it("rearranges in DCR and CRD order (ONNX examples)", () => {
    const [d] = run("DepthToSpace", [x], { blocksize: 2 });
    expect(d!.shape).toEqual([1, 2, 4, 6]);
    expect(nums(d!).slice(0, 12)).toEqual([0, 12, 1, 13, 2, 14, 24, 36, 25, 37, 26, 38]);
    const [c] = run("DepthToSpace", [x], { blocksize: 2, mode: "CRD" });
    expect(nums(c!).slice(0, 12)).toEqual([0, 6, 1, 7, 2, 8, 12, 18, 13, 19, 14, 20]);
  });
  it("SpaceToDepth inverts DCR DepthToSpace for any dtype", () => {
    fc.assert(
      fc.property(arbMoveDType, fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 }), (dtype, b, c, h, w) => {
        const src = iota(dtype, [2, c * b * b, h, w]);
        const [d] = run("DepthToSpace", [src], { blocksize: b });
        expect(d!.shape).toEqual([2, c, h * b, w * b]);
        const [s] = run("SpaceToDepth", [d!], { blocksize: b });
        expect(elems(s!)).toEqual(elems(src));
      }),
    );
  });
});
