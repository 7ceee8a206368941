import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { biasStrides, type GemmArgs } from "./gemm-args.js";
import { gemmRef } from "./gemm-ref.js";
import { createGemm, createGemmSync, type GemmEngine } from "./gemm-wasm.js";
import { firstBitDifference, randomF32 } from "./test-util.js";

type BiasKind = "none" | "scalar" | "row" | "col" | "full";

interface Problem {
  m: number;
  n: number;
  k: number;
  batch: number;
  transA: boolean;
  transB: boolean;
  broadcastB: boolean;
  alpha: number;
  beta: number;
  bias: BiasKind;
  seed: number;
}

function biasShape(kind: BiasKind, m: number, n: number): number[] {
  switch (kind) {
    case "scalar":
      return [];
    case "row":
      return [n];
    case "col":
      return [m, 1];
    default:
      return [m, n];
  }
}

function toArgs(p: Problem): GemmArgs {
  const { m, n, k, batch } = p;
  const args: GemmArgs = {
    m, n, k, batch,
    a: randomF32(batch * m * k, p.seed),
    b: randomF32((p.broadcastB ? 1 : batch) * k * n, p.seed + 1),
    transA: p.transA,
    transB: p.transB,
    batchStrideB: p.broadcastB ? 0 : k * n,
    alpha: p.alpha,
  };
  if (p.bias !== "none") {
    const shape = biasShape(p.bias, m, n);
    args.c = randomF32(shape.reduce((x, y) => x * y, 1), p.seed + 2, 4);
    Object.assign(args, biasStrides(shape, m, n));
    args.beta = p.beta;
  }
  return args;
}

const problems = (dims: { m: [number, number]; n: [number, number]; k: [number, number] }) =>
  fc.record({
    m: fc.integer({ min: dims.m[0], max: dims.m[1] }),
    n: fc.integer({ min: dims.n[0], max: dims.n[1] }),
    k: fc.integer({ min: dims.k[0], max: dims.k[1] }),
    batch: fc.integer({ min: 1, max: 3 }),
    transA: fc.boolean(),
    transB: fc.boolean(),
    broadcastB: fc.boolean(),
    alpha: fc.constantFrom(1, 0.5, -1.25, 3),
    beta: fc.constantFrom(1, 0.75, -2, 0),
    bias: fc.constantFrom<BiasKind>("none", "scalar", "row", "col", "full"),
    seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
  });

function expectBitEqual(actual: Float32Array, expected: Float32Array): void {
  const i = firstBitDifference(actual, expected);
  expect(i === -1 ? "identical" : `element ${i}: ${actual[i]} vs ${expected[i]}`).toBe("identical");
}

let one: GemmEngine;
let two: GemmEngine;

beforeAll(async () => {
  one = createGemmSync();
  two = await createGemm({ threads: 2 });
});

afterAll(async () => {
  await one.close();
  await two.close();
});

describe("wasm f32 gemm", () => {
  // The kernel keeps the reference's per-element summation order (see gemm.as), so the
  // comparison is bitwise, stricter than the 1e-5 relative tolerance the design allows.
  it("equals gemmRef bit for bit on odd shapes, transposes, alpha/beta, bias broadcasts, batches", () => {
    fc.assert(
      fc.property(problems({ m: [1, 67], n: [1, 67], k: [0, 67] }), (p) => {
        const args = toArgs(p);
        expectBitEqual(one.gemm(args), gemmRef(args));
      }),
      { numRuns: 150 },
    );
  });

  it("is bit-identical across 1 and 2 threads, sync and async", async () => {
    await fc.assert(
      fc.asyncProperty(problems({ m: [40, 260], n: [1, 90], k: [60, 300] }), async (p) => {
        const args = toArgs(p);
        const y1 = one.gemm(args);
        expectBitEqual(two.gemm(args), y1);
        expectBitEqual(await two.gemmAsync(args), y1);
        expectBitEqual(y1, gemmRef(args));
      }),
      { numRuns: 20 },
    );
  });

  it("honours offsets and leading dimensions and leaves the gaps of Y untouched", () => {
    const m = 13, n = 19, k = 29, lda = 31, ldb = 23, ldy = 21;
    const a = randomF32(5 + m * lda, 1);
    const b = randomF32(3 + k * ldb, 2);
    const args: GemmArgs = { m, n, k, a, aOffset: 5, lda, b, bOffset: 3, ldb, ldy, yOffset: 7 };
    const y = new Float32Array(7 + m * ldy).fill(42);
    const yr = y.slice();
    one.gemm({ ...args, y });
    gemmRef({ ...args, y: yr });
    expectBitEqual(y, yr);
    expect(y[0]).toBe(42);
    expect(y[7 + n]).toBe(42); // between rows
    // and the reference itself against a direct formula
    let acc = 0;
    for (let kk = 0; kk < k; kk++) acc = Math.fround(acc + Math.fround(a[5 + 2 * lda + kk]! * b[3 + kk * ldb + 4]!));
    expect(yr[7 + 2 * ldy + 4]).toBe(acc);
  });

  it("handles empty problems: K = 0 gives beta*C, M = 0 or N = 0 gives nothing", () => {
    const c = Float32Array.of(1, 2, 3);
    const y = one.gemm({ m: 2, n: 3, k: 0, a: new Float32Array(0), b: new Float32Array(0), c, cRowStride: 0, beta: 2 });
    expect([...y]).toEqual([2, 4, 6, 2, 4, 6]);
    expect(one.gemm({ m: 0, n: 3, k: 4, a: new Float32Array(0), b: new Float32Array(12) }).length).toBe(0);
    expect(one.gemm({ m: 2, n: 0, k: 4, a: new Float32Array(8), b: new Float32Array(0) }).length).toBe(0);
  });

  it("propagates infinities and NaN where the reference does", () => {
    const a = randomF32(8 * 8, 3);
    const b = randomF32(8 * 8, 4);
    a[3] = Infinity;
    b[9] = NaN;
    b[20] = -Infinity;
    const args: GemmArgs = { m: 8, n: 8, k: 8, a, b };
    expectBitEqual(one.gemm(args), gemmRef(args));
  });

  it("with cacheB packs a weight once and reuses it, per layout, until clearCache", async () => {
    const m = 37, n = 45, k = 53;
    const w = randomF32(k * n, 11);
    for (const engine of [one, two]) {
      engine.clearCache();
      for (let i = 0; i < 3; i++) {
        const a = randomF32(m * k, 20 + i);
        expectBitEqual(engine.gemm({ m, n, k, a, b: w, cacheB: true }), gemmRef({ m, n, k, a, b: w }));
        // same array, other layout: a separate entry
        const args: GemmArgs = { m, n: k, k: n, a: randomF32(m * n, 30 + i), b: w, transB: true, cacheB: true };
        expectBitEqual(await engine.gemmAsync(args), gemmRef(args));
      }
      // the cache is keyed by the array: mutating it is invisible until clearCache (documented)
      const a = randomF32(m * k, 40);
      const before = engine.gemm({ m, n, k, a, b: w, cacheB: true });
      const saved = w[0]!;
      w[0] = saved + 1;
      expectBitEqual(engine.gemm({ m, n, k, a, b: w, cacheB: true }), before);
      engine.clearCache();
      expectBitEqual(engine.gemm({ m, n, k, a, b: w, cacheB: true }), gemmRef({ m, n, k, a, b: w }));
      w[0] = saved;
      engine.clearCache();
    }
  });

  it("rejects out-of-range operands and overlapping calls", async () => {
    expect(() => one.gemm({ m: 4, n: 4, k: 4, a: new Float32Array(15), b: new Float32Array(16) })).toThrow(RangeError);
    expect(() => one.gemm({ m: 2, n: 2, k: 2, a: new Float32Array(4), b: new Float32Array(4), beta: 1 })).toThrow(/bias/);
    const args: GemmArgs = { m: 128, n: 128, k: 128, a: randomF32(128 * 128, 5), b: randomF32(128 * 128, 6) };
    const pending = two.gemmAsync(args);
    expect(() => two.gemm(args)).toThrow(/overlap/);
    await pending;
  });
});

describe("biasStrides", () => {
  it("maps every ONNX unidirectional broadcast of C to strides", () => {
    expect(biasStrides([], 3, 4)).toEqual({ cRowStride: 0, cColStride: 0 });
    expect(biasStrides([1], 3, 4)).toEqual({ cRowStride: 0, cColStride: 0 });
    expect(biasStrides([4], 3, 4)).toEqual({ cRowStride: 0, cColStride: 1 });
    expect(biasStrides([1, 4], 3, 4)).toEqual({ cRowStride: 0, cColStride: 1 });
    expect(biasStrides([3, 1], 3, 4)).toEqual({ cRowStride: 1, cColStride: 0 });
    expect(biasStrides([3, 4], 3, 4)).toEqual({ cRowStride: 4, cColStride: 1 });
    expect(() => biasStrides([2, 4], 3, 4)).toThrow(RangeError);
  });
});
