import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { gemmRef } from "../kernels/gemm-ref.js";
import { firstBitDifference, randomF32 } from "../kernels/test-util.js";
import { gemmF32 } from "./gemm-f32.js";
import { biasStrides } from "../kernels/gemm-args.js";

describe("gemmF32 (blocked TypeScript GEMM)", () => {
  it("computes a hand-checked product with alpha, beta and a row bias", () => {
    // A = [[1,2],[3,4],[5,6]], B = [[1,0,2],[0,1,3]] -> AB = [[1,2,8],[3,4,18],[5,6,28]]
    const y = gemmF32({ m: 3, n: 3, k: 2, a: Float32Array.of(1, 2, 3, 4, 5, 6), b: Float32Array.of(1, 0, 2, 0, 1, 3), c: Float32Array.of(1, 1, 1), ...biasStrides([3], 3, 3), alpha: 2, beta: 0.5 });
    expect([...y]).toEqual([2.5, 4.5, 16.5, 6.5, 8.5, 36.5, 10.5, 12.5, 56.5]);
  });

  it("is bit-identical to gemmRef for any shape, transposition, batch and epilogue", () => {
    fc.assert(
      fc.property(
        fc.record({
          m: fc.integer({ min: 0, max: 9 }), n: fc.integer({ min: 0, max: 11 }), k: fc.integer({ min: 0, max: 13 }),
          batch: fc.integer({ min: 1, max: 3 }), transA: fc.boolean(), transB: fc.boolean(), broadcastB: fc.boolean(),
          bias: fc.constantFrom("none", "full", "row", "col", "scalar"), alpha: fc.constantFrom(1, 0.5, -3), seed: fc.nat(),
        }),
        ({ m, n, k, batch, transA, transB, broadcastB, bias, alpha, seed }) => {
          const a = randomF32(batch * m * k, seed);
          const b = randomF32(batch * k * n, seed + 1);
          const cShape = { none: [], full: [m, n], row: [n], col: [m, 1], scalar: [] }[bias];
          const c = bias === "none" ? undefined : randomF32(Math.max(1, cShape.reduce((x, y) => x * y, 1)), seed + 2);
          const args = {
            m, n, k, batch, a, b, transA, transB, alpha,
            batchStrideB: broadcastB ? 0 : k * n,
            ...(c ? { c, beta: 0.25, ...biasStrides(cShape, m, n) } : {}),
          };
          expect(firstBitDifference(gemmF32(args), gemmRef(args))).toBe(-1);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("writes into a strided output without touching the gaps", () => {
    const y = new Float32Array(2 * 5).fill(7);
    gemmF32({ m: 2, n: 3, k: 1, a: Float32Array.of(1, 2), b: Float32Array.of(1, 2, 3), y, yOffset: 1, ldy: 5 });
    expect([...y]).toEqual([7, 1, 2, 3, 7, 7, 2, 4, 6, 7]);
  });
});
