import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { randomF32 } from "../kernels/test-util.js";
import { matmulF32, matmulF32Name } from "./gemm-dispatch.js";
import { gemmF32 } from "./gemm-f32.js";
import { maxAbsDiff } from "./op-test-util.js";

describe("matmulF32 dispatch", () => {
  it("uses the WebAssembly engine by default", () => {
    expect(matmulF32Name()).toMatch(process.env.QUANTPASS_GEMM === "ts" ? /^ts$/ : /^wasm/);
  });

  it("agrees with the TypeScript GEMM within f32 rounding on random problems", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 300 }), fc.integer({ min: 1, max: 3 }), fc.boolean(), fc.nat(), (m, n, k, batch, transB, seed) => {
        const args = { m, n, k, batch, transB, a: randomF32(batch * m * k, seed), b: randomF32(batch * k * n, seed + 1), c: randomF32(n, seed + 2), cRowStride: 0, alpha: 0.5 };
        // |error| of an f32 dot product of length k with |terms| <= 1 is below k * 2^-23 * k
        expect(maxAbsDiff(matmulF32(args), gemmF32(args))).toBeLessThanOrEqual(k * k * 2 ** -23);
      }),
      { numRuns: 60 },
    );
  });
});
