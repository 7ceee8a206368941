import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { igemmRef } from "../kernels/gemm-ref.js";
import { matmulQ8, setRawQ8Impl, type Q8 } from "./gemm-q8.js";

function randomQ8(n: number, signed: boolean, seed: number): Q8 {
  let s = seed | 1;
  const out = signed ? new Int8Array(n) : new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1103515245) + 12345) | 0;
    out[i] = (s >>> 16) & 255;
  }
  return out;
}

describe("matmulQ8", () => {
  it("equals the centred int32 product for every zero-point layout, on both raw implementations", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 7 }), fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 70 }), fc.integer({ min: 1, max: 3 }),
        fc.boolean(), fc.boolean(), fc.constantFrom("one", "row", "batch"), fc.constantFrom("one", "col", "batch"), fc.boolean(), fc.nat(),
        (m, n, k, batch, sa, sb, zaKind, zbKind, shareB, seed) => {
          const a = randomQ8(batch * m * k, sa, seed), b = randomQ8(batch * k * n, sb, seed + 1);
          const zs = (len: number, signed: boolean, s: number) => Array.from(randomQ8(len, signed, s));
          const za = zaKind === "one" ? zs(1, sa, seed + 2) : zaKind === "row" ? zs(m, sa, seed + 2) : zs(batch * m, sa, seed + 2);
          const zb = zbKind === "one" ? zs(1, sb, seed + 3) : zbKind === "col" ? zs(n, sb, seed + 3) : zs(batch * n, sb, seed + 3);
          const bsB = shareB ? 0 : k * n;
          const want: number[] = [];
          const z = (v: number[], per: number, t: number, i: number) => (v.length === 1 ? v[0]! : v.length === per ? v[i]! : v[t * per + i]!);
          for (let t = 0; t < batch; t++)
            for (let i = 0; i < m; i++)
              for (let j = 0; j < n; j++) {
                let s = 0;
                for (let q = 0; q < k; q++) s += (a[t * m * k + i * k + q]! - z(za, m, t, i)) * (b[t * bsB + q * n + j]! - z(zb, n, t, j));
                want.push(s | 0);
              }
          const run = () => [...matmulQ8({ m, n, k, batch, a, b, batchStrideB: bsB, za, zb, y: new Int32Array(batch * m * n) })];
          expect(run()).toEqual(want);
          const prev = setRawQ8Impl(igemmRef);
          try {
            expect(run()).toEqual(want);
          } finally {
            setRawQ8Impl(prev);
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});
