/**
 * Plain TypeScript GEMM kernels: the test oracles of the WebAssembly kernels, and a fallback.
 *
 * f32 summation order (the WebAssembly kernel follows the same contract, see gemm.as): every
 * output element is
 *
 *   acc = +0;  for k = 0 .. K-1 in order:  acc = f32(acc + f32(A(i,k) * B(k,j)))
 *   y   = acc                               when alpha == 1 and beta == 0
 *   y   = f32(f32(alpha*acc) + f32(beta*c))  otherwise (beta == 0: y = f32(alpha*acc), C unread)
 *
 * i.e. products rounded to f32, no fused multiply-add, one sequential f32 accumulator. The
 * loops run i, k, j with a row of f32 accumulators, which does not change that per-element
 * order. (Each `f32(x + y)` is evaluated in f64 and rounded once; for f32 operands that
 * equals the correctly rounded f32 sum, since f64 has more than 2*24+2 bits.)
 */
import { type GemmArgs, type IGemmArgs, planGemm } from "./gemm-args.js";

const f32 = Math.fround;

/** f32 GEMM, plain TypeScript. Returns Y (args.y, or a new dense array). */
export function gemmRef(args: GemmArgs): Float32Array {
  const p = planGemm(args);
  const { m, n, k, alpha, beta } = p;
  const y = args.y ?? new Float32Array(p.yExtent);
  const a = args.a;
  const b = args.b;
  const c = args.c;
  const acc = new Float32Array(n);
  const epilogue = alpha !== 1 || beta !== 0;
  for (let bt = 0; bt < p.batch; bt++) {
    const a0 = p.aOff + bt * p.bsA;
    const b0 = p.bOff + bt * p.bsB;
    const c0 = p.cOff + bt * p.bsC;
    const y0 = p.yOff + bt * p.bsY;
    for (let i = 0; i < m; i++) {
      acc.fill(0);
      for (let kk = 0; kk < k; kk++) {
        const aik = a[a0 + i * p.rsA + kk * p.csA]!;
        const brow = b0 + kk * p.rsB;
        for (let j = 0; j < n; j++) {
          acc[j] = acc[j]! + f32(aik * b[brow + j * p.csB]!); // store into Float32Array rounds
        }
      }
      const yrow = y0 + i * p.ldy;
      if (!epilogue) {
        y.set(acc, yrow);
      } else if (beta === 0) {
        for (let j = 0; j < n; j++) y[yrow + j] = f32(alpha * acc[j]!);
      } else {
        const crow = c0 + i * p.rsC;
        for (let j = 0; j < n; j++) y[yrow + j] = f32(alpha * acc[j]!) + f32(beta * c![crow + j * p.csC]!);
      }
    }
  }
  return y;
}

/**
 * int8 x int8 -> int32 GEMM, plain TypeScript. Exact: products and sums in int32 with
 * two's-complement wrap-around (|0), which no realistic K reaches (|a*b| <= 2^14).
 */
export function igemmRef(args: IGemmArgs): Int32Array {
  const p = planGemm(args);
  const { m, n, k } = p;
  const y = args.y ?? new Int32Array(p.yExtent);
  const a = args.a;
  const b = args.b;
  const acc = new Int32Array(n);
  for (let bt = 0; bt < p.batch; bt++) {
    const a0 = p.aOff + bt * p.bsA;
    const b0 = p.bOff + bt * p.bsB;
    const y0 = p.yOff + bt * p.bsY;
    for (let i = 0; i < m; i++) {
      acc.fill(0);
      for (let kk = 0; kk < k; kk++) {
        const aik = a[a0 + i * p.rsA + kk * p.csA]!;
        const brow = b0 + kk * p.rsB;
        for (let j = 0; j < n; j++) acc[j] = acc[j]! + aik * b[brow + j * p.csB]!; // Int32Array store wraps
      }
      y.set(acc, y0 + i * p.ldy);
    }
  }
  return y;
}
