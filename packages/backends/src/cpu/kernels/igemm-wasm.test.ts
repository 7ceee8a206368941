import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { IGemmArgs } from "./gemm-args.js";
import { igemmRef } from "./gemm-ref.js";
import { createIGemm, createIGemmSync, type IGemmEngine } from "./igemm-wasm.js";
import { randomI8 } from "./test-util.js";

let one: IGemmEngine;
let two: IGemmEngine;

beforeAll(async () => {
  one = createIGemmSync();
  two = await createIGemm({ threads: 2 });
});

afterAll(async () => {
  await one.close();
  await two.close();
});

const problems = (dims: { m: [number, number]; n: [number, number]; k: [number, number] }) =>
  fc.record({
    m: fc.integer({ min: dims.m[0], max: dims.m[1] }),
    n: fc.integer({ min: dims.n[0], max: dims.n[1] }),
    k: fc.integer({ min: dims.k[0], max: dims.k[1] }),
    batch: fc.integer({ min: 1, max: 3 }),
    transA: fc.boolean(),
    transB: fc.boolean(),
    broadcastB: fc.boolean(),
    unsignedA: fc.boolean(),
    unsignedB: fc.boolean(),
    seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
  });

type Problem = typeof problems extends (d: never) => fc.Arbitrary<infer P> ? P : never;

function toArgs(p: Problem): IGemmArgs {
  const a = randomI8(p.batch * p.m * p.k, p.seed);
  const b = randomI8((p.broadcastB ? 1 : p.batch) * p.k * p.n, p.seed + 1);
  return {
    m: p.m, n: p.n, k: p.k, batch: p.batch,
    a: p.unsignedA ? new Uint8Array(a.buffer) : a,
    b: p.unsignedB ? new Uint8Array(b.buffer) : b,
    transA: p.transA,
    transB: p.transB,
    batchStrideB: p.broadcastB ? 0 : p.k * p.n,
  };
}

describe("wasm int8 gemm", () => {
  it("equals igemmRef exactly on odd shapes, transposes, signedness, batches", () => {
    fc.assert(
      fc.property(problems({ m: [1, 67], n: [1, 67], k: [0, 67] }), (p) => {
        const args = toArgs(p);
        expect(one.igemm(args)).toEqual(igemmRef(args));
      }),
      { numRuns: 150 },
    );
  });

  it("is exact across K blocks and identical at 1 and 2 threads, sync and async", async () => {
    await fc.assert(
      fc.asyncProperty(problems({ m: [40, 200], n: [1, 70], k: [500, 1100] }), async (p) => {
        const args = toArgs(p);
        const y1 = one.igemm(args);
        expect(y1).toEqual(igemmRef(args));
        expect(two.igemm(args)).toEqual(y1);
        expect(await two.igemmAsync(args)).toEqual(y1);
      }),
      { numRuns: 10 },
    );
  });

  it("reaches the extremes: -128 * -128 and 255 * -128 summed over K", () => {
    const k = 1000;
    const a = new Int8Array(2 * k).fill(-128);
    const b = new Int8Array(k * 3).fill(-128);
    expect([...one.igemm({ m: 2, n: 3, k, a, b })]).toEqual(new Array(6).fill(16384 * k));
    const au = new Uint8Array(k).fill(255);
    expect([...one.igemm({ m: 1, n: 3, k, a: au, b })]).toEqual(new Array(3).fill(-255 * 128 * k));
  });

  it("wraps around in int32 as the reference does", () => {
    // 2^31 / 2^14 = 131072 products of -128 * -128 overflow int32
    const k = 131073;
    const a = new Int8Array(k).fill(-128);
    const b = new Int8Array(k).fill(-128);
    const y = one.igemm({ m: 1, n: 1, k, a, b });
    expect(y[0]).toBe((16384 * k) | 0);
    expect(y).toEqual(igemmRef({ m: 1, n: 1, k, a, b }));
  });

  it("with cacheB reuses the packed weight, keyed by array and signedness", () => {
    const m = 21, n = 19, k = 33;
    const w = randomI8(k * n, 5);
    const wu = new Uint8Array(w.buffer);
    one.clearCache();
    for (let i = 0; i < 3; i++) {
      const a = randomI8(m * k, 6 + i);
      expect(one.igemm({ m, n, k, a, b: w, cacheB: true })).toEqual(igemmRef({ m, n, k, a, b: w }));
      expect(one.igemm({ m, n, k, a, b: wu, cacheB: true })).toEqual(igemmRef({ m, n, k, a, b: wu }));
    }
    one.clearCache();
  });

  it("honours offsets and leading dimensions", () => {
    const m = 9, n = 11, k = 13, lda = 17, ldb = 12, ldy = 15;
    const args: IGemmArgs = { m, n, k, a: randomI8(3 + m * lda, 1), aOffset: 3, lda, b: randomI8(k * ldb, 2), ldb, ldy, yOffset: 2 };
    const y = new Int32Array(2 + m * ldy).fill(7);
    const yr = y.slice();
    one.igemm({ ...args, y });
    igemmRef({ ...args, y: yr });
    expect(y).toEqual(yr);
    expect(y[2 + n]).toBe(7);
  });
});
