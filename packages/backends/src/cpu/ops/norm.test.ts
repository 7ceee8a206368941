import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { Tensor } from "@quantpass/ir";
import { randomF32 } from "../kernels/test-util.js";
import { maxAbsDiff, runOp } from "./op-test-util.js";

const close = (a: ArrayLike<number>, b: ArrayLike<number>, tol = 1e-5) => expect(maxAbsDiff(a, b)).toBeLessThan(tol);

describe("BatchNormalization kernel", () => {
  it("applies (x - mean) / sqrt(var + eps) * scale + B per channel", () => {
    const x = Tensor.f32([1, 2, 2], [1, 3, 10, 20]);
    const c = (a: number[]) => Tensor.f32([2], a);
    const [y] = runOp("BatchNormalization", [x, c([2, 1]), c([0, 1]), c([2, 10]), c([4, 100])], { epsilon: 0 });
    close(y!.data as Float32Array, [-1, 1, 1, 2]);
  });

  it("training mode uses batch statistics and updates the running ones", () => {
    const x = Tensor.f32([2, 1, 1], [1, 3]);
    const one = (v: number) => Tensor.f32([1], [v]);
    const [y, rm, rv] = runOp("BatchNormalization", [x, one(1), one(0), one(10), one(5)], { epsilon: 0, training_mode: 1, momentum: 0.5 }, 3);
    close(y!.data as Float32Array, [-1, 1]);
    close(rm!.data as Float32Array, [6]); // 10*0.5 + 2*0.5
    close(rv!.data as Float32Array, [3]); // 5*0.5 + 1*0.5
  });
});

describe("LayerNormalization kernel", () => {
  it("normalizes over [axis..] and returns Mean and InvStdDev", () => {
    const x = Tensor.f32([2, 2], [1, 3, 0, 4]);
    const [y, mean, inv] = runOp("LayerNormalization", [x, Tensor.f32([2], [1, 2]), Tensor.f32([2], [0, 1])], { epsilon: 0 }, 3);
    close(y!.data as Float32Array, [-1, 3, -1, 3]);
    expect(mean!.shape).toEqual([2, 1]);
    close(mean!.data as Float32Array, [2, 2]);
    expect([...inv!.data]).toEqual([1, 0.5]);
  });

  it("has zero mean and unit variance per row (scale 1, no bias) on random data", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 2, max: 3 }), fc.integer({ min: 1, max: 6 }), fc.integer({ min: -2, max: 1 }), fc.nat(), (a, b, c, axis, seed) => {
        const shape = [a, b, c];
        const ax = axis < 0 ? axis + 3 : axis;
        const len = shape.slice(ax).reduce((p, q) => p * q, 1);
        if (len < 2) return;
        const x = Tensor.f32(shape, randomF32(a * b * c, seed, 10));
        const [y] = runOp("LayerNormalization", [x, Tensor.f32(shape.slice(ax), new Array(len).fill(1))], { axis, epsilon: 0 });
        const Y = y!.data as Float32Array;
        for (let r = 0; r < Y.length / len; r++) {
          const row = Y.subarray(r * len, (r + 1) * len);
          const m = row.reduce((p, q) => p + q, 0) / len;
          const v = row.reduce((p, q) => p + (q - m) ** 2, 0) / len;
          expect(Math.abs(m)).toBeLessThan(1e-5);
          expect(Math.abs(v - 1)).toBeLessThan(1e-4);
        }
      }),
      { numRuns: 100 },
    );
  });
});

describe("Instance, Group and LRN kernels", () => {
  it("GroupNormalization with one group per channel equals InstanceNormalization", () => {
    const x = Tensor.f32([2, 4, 3], randomF32(24, 3, 5));
    const s = Tensor.f32([4], [1, 2, 3, 4]), b = Tensor.f32([4], [0, -1, 1, 0.5]);
    const [g] = runOp("GroupNormalization", [x, s, b], { num_groups: 4 });
    const [i] = runOp("InstanceNormalization", [x, s, b]);
    expect([...g!.data]).toEqual([...i!.data]);
  });

  it("GroupNormalization normalizes each channel group with per-channel scale and bias", () => {
    const x = Tensor.f32([1, 4, 1], [1, 3, 4, 6]);
    const [y] = runOp("GroupNormalization", [x, Tensor.f32([4], [1, 1, 2, 2]), Tensor.f32([4], [0, 0, 0, 7])], { num_groups: 2, epsilon: 0 });
    close(y!.data as Float32Array, [-1, 1, -2, 9]);
  });

  it("LRN divides by (bias + alpha/size * sum of neighbour squares)^beta", () => {
    const x = Tensor.f32([1, 3, 1, 1], [1, 2, 3]);
    const [y] = runOp("LRN", [x], { size: 3, alpha: 3, beta: 1, bias: 1 });
    // sums of squares: c0: 1+4 = 5, c1: 1+4+9 = 14, c2: 4+9 = 13
    close(y!.data as Float32Array, [1 / 6, 2 / 15, 3 / 14], 1e-7);
  });
});
