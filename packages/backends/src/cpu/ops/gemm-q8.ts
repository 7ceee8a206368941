/**
 * Exact 8-bit GEMM with zero points, for MatMulInteger, QLinearMatMul, ConvInteger and
 * QLinearConv:
 *   Y[t](i,j) = sum_k (A[t](i,k) - za(i)) * (B[t](k,j) - zb(j))          (int32, wrap-around)
 * computed as the raw u8/i8 product (the WebAssembly igemm engine, or igemmRef in
 * TypeScript when WebAssembly is unavailable or QUANTPASS_GEMM=ts) minus the zero-point
 * terms: raw - zb(j) * rowsum_A(i) - za(i) * colsum_B(j) + K * za(i) * zb(j). Every term
 * is reduced modulo 2^32 (Math.imul, |0), so the result equals the centred int32
 * accumulation bit for bit, whatever the order.
 */
import type { IGemmArgs } from "../kernels/gemm-args.js";
import { igemmRef } from "../kernels/gemm-ref.js";
import { createIGemmSync } from "../kernels/igemm-wasm.js";

export type Q8 = Int8Array | Uint8Array;

export interface Q8Args {
  m: number;
  n: number;
  k: number;
  /** Default 1. A(t,i,q) = a[aOffset + t*batchStrideA + i*k + q] (dense rows). */
  batch?: number;
  a: Q8;
  aOffset?: number;
  batchStrideA?: number;
  /** B(t,q,j) = b[bOffset + t*batchStrideB + q*n + j]. */
  b: Q8;
  bOffset?: number;
  batchStrideB?: number;
  /** Zero point of A per row: 1 value, m (every batch entry), or batch*m. */
  za: ArrayLike<number>;
  /** Zero point of B per column: 1 value, n, or batch*n. */
  zb: ArrayLike<number>;
  /** Output rows of n; Y[t] starts at yOffset + t*batchStrideY (default m*n). */
  y: Int32Array;
  yOffset?: number;
  batchStrideY?: number;
}

type RawImpl = (args: IGemmArgs) => Int32Array;
let raw: RawImpl | undefined;

function defaultRaw(): RawImpl {
  if (process.env.QUANTPASS_GEMM !== "ts") {
    try {
      const engine = createIGemmSync();
      return (args) => engine.igemm(args);
    } catch {
      // no WebAssembly: TypeScript reference
    }
  }
  return igemmRef;
}

/** Replaces the raw u8/i8 product (tests); returns the previous implementation. */
export function setRawQ8Impl(next: RawImpl): RawImpl {
  const prev = raw ?? defaultRaw();
  raw = next;
  return prev;
}

const at = (z: ArrayLike<number>, per: number, t: number, i: number) => (z.length === 1 ? z[0]! : z.length === per ? z[i]! : z[t * per + i]!);

/** Y = (A - za)(B - zb), exact; see the file comment. */
export function matmulQ8(args: Q8Args): Int32Array {
  const { m, n, k, a, b, za, zb, y } = args;
  const batch = args.batch ?? 1;
  const aOff = args.aOffset ?? 0, bOff = args.bOffset ?? 0, yOff = args.yOffset ?? 0;
  const bsA = args.batchStrideA ?? m * k, bsB = args.batchStrideB ?? k * n, bsY = args.batchStrideY ?? m * n;
  if (batch * m * n === 0) return y;
  (raw ??= defaultRaw())({ m, n, k, batch, a, aOffset: aOff, batchStrideA: bsA, b, bOffset: bOff, batchStrideB: bsB, y, yOffset: yOff, batchStrideY: bsY });
  const anyZa = Array.prototype.some.call(za, (v: number) => v !== 0);
  const anyZb = Array.prototype.some.call(zb, (v: number) => v !== 0);
  if (!anyZa && !anyZb) return y;
  const rowSum = new Int32Array(m), colSum = new Int32Array(n);
  for (let t = 0; t < batch; t++) {
    const a0 = aOff + t * bsA, b0 = bOff + t * bsB, y0 = yOff + t * bsY;
    if (anyZb)
      for (let i = 0; i < m; i++) {
        let s = 0;
        for (let q = 0; q < k; q++) s += a[a0 + i * k + q]!;
        rowSum[i] = s;
      }
    if (anyZa) {
      colSum.fill(0);
      for (let q = 0; q < k; q++) {
        const r = b0 + q * n;
        for (let j = 0; j < n; j++) colSum[j] = colSum[j]! + b[r + j]!;
      }
    }
    for (let i = 0; i < m; i++) {
      const zai = at(za, m, t, i), rs = rowSum[i]!, row = y0 + i * n;
      const kza = Math.imul(k, zai);
      for (let j = 0; j < n; j++) {
        const zbj = at(zb, n, t, j);
        y[row + j] = (y[row + j]! - Math.imul(zbj, rs) - Math.imul(zai, colSum[j]!) + Math.imul(kza, zbj)) | 0;
      }
    }
  }
  return y;
}
