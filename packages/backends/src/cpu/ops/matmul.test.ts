import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { Tensor } from "@quantpass/ir";
import { randomF32 } from "../kernels/test-util.js";
import { maxAbsDiff, runOp, smallInts } from "./op-test-util.js";

/** Naive numpy.matmul over f64 for rank >= 2 operands with broadcast batch dims. */
function naiveMatmul(a: Tensor, b: Tensor): number[] {
  const [m, k] = a.shape.slice(-2) as [number, number];
  const n = b.shape[b.shape.length - 1]!;
  const ba = a.shape.slice(0, -2), bb = b.shape.slice(0, -2);
  const r = Math.max(ba.length, bb.length);
  const pa = [...new Array(r - ba.length).fill(1), ...ba], pb = [...new Array(r - bb.length).fill(1), ...bb];
  const batch = pa.map((d, i) => Math.max(d, pb[i]!));
  const total = batch.reduce((x, y) => x * y, 1);
  const out: number[] = [];
  for (let t = 0; t < total; t++) {
    let rem = t, oa = 0, ob = 0, sa = 1, sb = 1;
    for (let d = r - 1; d >= 0; d--) {
      const idx = rem % batch[d]!;
      rem = Math.floor(rem / batch[d]!);
      oa += (pa[d] === 1 ? 0 : idx) * sa; sa *= pa[d]!;
      ob += (pb[d] === 1 ? 0 : idx) * sb; sb *= pb[d]!;
    }
    for (let i = 0; i < m; i++)
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let q = 0; q < k; q++) s += a.get(oa * m * k + i * k + q) * b.get(ob * k * n + q * n + j);
        out.push(s);
      }
  }
  return out;
}

describe("MatMul kernel", () => {
  it("computes hand-checked products with 1-D promotion", () => {
    const a = Tensor.f32([2, 3], [1, 2, 3, 4, 5, 6]);
    const b = Tensor.f32([3, 2], [1, 0, 0, 1, 1, 1]);
    expect([...runOp("MatMul", [a, b])[0]!.data]).toEqual([4, 5, 10, 11]);
    const v = Tensor.f32([3], [1, 1, 1]);
    const [av] = runOp("MatMul", [a, v]);
    expect(av!.shape).toEqual([2]);
    expect([...av!.data]).toEqual([6, 15]);
    const [va] = runOp("MatMul", [Tensor.f32([2], [1, -1]), a]);
    expect([...va!.data]).toEqual([-3, -3, -3]);
    expect(runOp("MatMul", [v, v])[0]!.shape).toEqual([]);
  });

  it("equals a naive batched broadcast matmul (exact on small integers)", () => {
    const dims = fc.integer({ min: 1, max: 3 });
    fc.assert(
      fc.property(fc.array(fc.constantFrom(1, 2, 3), { maxLength: 3 }), fc.array(fc.constantFrom(1, 2, 3), { maxLength: 3 }), dims, dims, dims, fc.nat(), (ba, bb, m, k, n, seed) => {
        // make the batch dims broadcastable: where both have a dim and they differ, use 1 on one side
        const r = Math.min(ba.length, bb.length);
        for (let i = 1; i <= r; i++) if (ba[ba.length - i] !== bb[bb.length - i]) bb[bb.length - i] = 1;
        const as = [...ba, m, k], bs = [...bb, k, n];
        const a = Tensor.f32(as, smallInts(as.reduce((x, y) => x * y, 1), seed));
        const b = Tensor.f32(bs, smallInts(bs.reduce((x, y) => x * y, 1), seed + 7));
        expect([...runOp("MatMul", [a, b])[0]!.data]).toEqual(naiveMatmul(a, b));
      }),
      { numRuns: 200 },
    );
  });

  it("runs f16 and i32 operands", () => {
    const a = Tensor.fromNumbers("f16", [1, 2], [0.5, 2]);
    const b = Tensor.fromNumbers("f16", [2, 1], [4, 0.25]);
    const [y] = runOp("MatMul", [a, b]);
    expect(y!.dtype).toBe("f16");
    expect(y!.toNumbers()).toEqual([2.5]);
    const ai = Tensor.fromNumbers("i32", [1, 2], [2 ** 30, 3]);
    expect(runOp("MatMul", [ai, Tensor.fromNumbers("i32", [2, 1], [4, 5])])[0]!.toNumbers()).toEqual([15]); // 2^32 wraps to 0
  });

  it("is fast enough for a Llama projection ([128,128] x [128,344])", () => {
    const a = Tensor.f32([128, 128], randomF32(128 * 128, 1));
    const b = Tensor.f32([128, 344], randomF32(128 * 344, 2));
    runOp("MatMul", [a, b]);
    const t0 = performance.now();
    const [y] = runOp("MatMul", [a, b]);
    const ms = performance.now() - t0;
    expect(maxAbsDiff(y!.data as Float32Array, naiveMatmul(a, b))).toBeLessThan(1e-4);
    expect(ms).toBeLessThan(1000);
  });
});

describe("Gemm kernel", () => {
  it("equals alpha * op(A) op(B) + beta * C with every bias broadcast", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 5 }),
        fc.boolean(), fc.boolean(), fc.constantFrom("none", "scalar", "row", "col", "full", "1x1"), fc.constantFrom(1, 0.5, 2), fc.constantFrom(1, 0, 0.25), fc.nat(),
        (m, k, n, ta, tb, bias, alpha, beta, seed) => {
          const A = smallInts(m * k, seed), B = smallInts(k * n, seed + 1);
          const cShape = { none: [], scalar: [], row: [n], col: [m, 1], full: [m, n], "1x1": [1, 1] }[bias];
          const C = smallInts(cShape.reduce((x, y) => x * y, 1), seed + 2);
          const at = (i: number, q: number) => (ta ? A[q * m + i]! : A[i * k + q]!);
          const bt = (q: number, j: number) => (tb ? B[j * k + q]! : B[q * n + j]!);
          const cAt = (i: number, j: number) => (bias === "row" ? C[j]! : bias === "col" ? C[i]! : bias === "full" ? C[i * n + j]! : C[0]!);
          const want: number[] = [];
          for (let i = 0; i < m; i++)
            for (let j = 0; j < n; j++) {
              let s = 0;
              for (let q = 0; q < k; q++) s += at(i, q) * bt(q, j);
              want.push(alpha * s + (bias === "none" ? 0 : beta * cAt(i, j)));
            }
          const inputs = [Tensor.f32(ta ? [k, m] : [m, k], A), Tensor.f32(tb ? [n, k] : [k, n], B), bias === "none" ? undefined : Tensor.f32(cShape, C)];
          const [y] = runOp("Gemm", inputs, { transA: ta ? 1 : 0, transB: tb ? 1 : 0, alpha, beta });
          expect([...y!.data]).toEqual(want);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe("MatMulInteger and QLinearMatMul kernels", () => {
  it("MatMulInteger subtracts scalar, per-row and per-column zero points exactly", () => {
    const a = Tensor.fromNumbers("u8", [2, 3], [255, 0, 128, 1, 2, 3]);
    const b = Tensor.fromNumbers("i8", [3, 2], [-128, 127, 1, -1, 0, 2]);
    const [y0] = runOp("MatMulInteger", [a, b]);
    expect(y0!.toNumbers()).toEqual([255 * -128, 255 * 127 + 256, 1 * -128 + 2, 127 - 2 + 6]);
    const [y1] = runOp("MatMulInteger", [a, b, Tensor.fromNumbers("u8", [2], [128, 1]), Tensor.fromNumbers("i8", [2], [1, -1])]);
    // A - [128;1] = [[127,-128,0],[0,1,2]], B - [1,-1] = [[-129,128],[0,0],[-1,3]]
    expect(y1!.toNumbers()).toEqual([127 * -129, 127 * 128, -2, 6]);
  });

  it("MatMulInteger equals a naive integer product on random batched operands", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 3 }), fc.nat(), (m, k, n, batch, seed) => {
        const A = smallInts(batch * m * k, seed, 0, 255), B = smallInts(k * n, seed + 1, -128, 127);
        const za = 200, zb = Array.from({ length: n }, (_, j) => j - 2);
        const [y] = runOp("MatMulInteger", [Tensor.fromNumbers("u8", [batch, m, k], A), Tensor.fromNumbers("i8", [k, n], B), Tensor.scalar("u8", za), Tensor.fromNumbers("i8", [n], zb)]);
        const want: number[] = [];
        for (let t = 0; t < batch; t++)
          for (let i = 0; i < m; i++)
            for (let j = 0; j < n; j++) {
              let s = 0;
              for (let q = 0; q < k; q++) s += (A[(t * m + i) * k + q]! - za) * (B[q * n + j]! - zb[j]!);
              want.push(s);
            }
        expect(y!.toNumbers()).toEqual(want);
      }),
      { numRuns: 100 },
    );
  });

  it("QLinearMatMul requantizes with round half to even and saturation", () => {
    // acc = [[2*1, 2*3], [5*1, 2*100]] with a_scale*b_scale/y_scale = 0.5*1/1 = 0.5
    const a = Tensor.fromNumbers("u8", [2, 1], [2, 5]);
    const b = Tensor.fromNumbers("u8", [1, 2], [1, 3]);
    const f = (v: number) => Tensor.scalar("f32", v);
    const [y] = runOp("QLinearMatMul", [a, f(0.5), Tensor.scalar("u8", 0), b, f(1), Tensor.scalar("u8", 0), f(1), Tensor.scalar("u8", 10)]);
    // 1 -> 11, 3 -> 13, 2.5 -> 2 (even) -> 12, 7.5 -> 8 -> 18
    expect(y!.toNumbers()).toEqual([11, 13, 12, 18]);
    const [s] = runOp("QLinearMatMul", [a, f(100), Tensor.scalar("u8", 0), b, f(1), Tensor.scalar("u8", 0), f(1), Tensor.scalar("i8", 0)]);
    expect(s!.toNumbers()).toEqual([127, 127, 127, 127]);
  });
});
