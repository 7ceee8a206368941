import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { Tensor } from "@quantpass/ir";
import { f32, nums, run } from "./move-test-util.js";

const ints = (shape: number[], seed: number) => f32(shape, Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => ((i * 7 + seed) % 9) - 4));

describe("Einsum kernel", () => {
  it("computes matmul, transpose, trace/diagonal and reductions", () => {
    const a = f32([2, 3]), b = f32([3, 2]);
    expect(nums(run("Einsum", [a, b], { equation: "ij,jk->ik" }, { consts: [] })[0]!)).toEqual([10, 13, 28, 40]);
    expect(nums(run("Einsum", [a], { equation: "ij->ji" })[0]!)).toEqual([0, 3, 1, 4, 2, 5]);
    const sq = f32([2, 3, 3]);
    expect(nums(run("Einsum", [sq], { equation: "bii->bi" })[0]!)).toEqual([0, 4, 8, 9, 13, 17]);
    expect(nums(run("Einsum", [sq], { equation: "...ii" })[0]!)).toEqual([12, 39]);
    expect(nums(run("Einsum", [a], { equation: "ij->" })[0]!)).toEqual([15]);
    const i32 = Tensor.fromNumbers("i32", [3], [1, 2, 3]);
    expect(nums(run("Einsum", [i32, i32], { equation: "i,j->ij" }, { consts: [] })[0]!)).toEqual([1, 2, 3, 2, 4, 6, 3, 6, 9]);
  });
  it("batched matmul agrees with a naive triple loop", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 }), fc.nat(), (B, M, K, N, seed) => {
        const a = ints([B, M, K], seed), b = ints([B, K, N], seed + 1);
        const [y] = run("Einsum", [a, b], { equation: "bmk,bkn->bmn" }, { consts: [] });
        const av = nums(a), bv = nums(b), yv = nums(y!);
        for (let p = 0; p < B; p++)
          for (let i = 0; i < M; i++)
            for (let j = 0; j < N; j++) {
              let s = 0;
              for (let k = 0; k < K; k++) s += av[(p * M + i) * K + k]! * bv[(p * K + k) * N + j]!;
              expect(yv[(p * M + i) * N + j]).toBe(s);
            }
      }),
    );
  });
});
