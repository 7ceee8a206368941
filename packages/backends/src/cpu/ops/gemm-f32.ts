/**
 * f32 GEMM in plain TypeScript, register-blocked (4 x 4 output tiles over packed panels).
 *
 * Accumulation order (the contract of kernels/gemm-ref.ts and the WebAssembly kernel): every
 * output element is acc = +0; for k = 0 .. K-1 in order: acc = f32(acc + f32(A(i,k)*B(k,j)));
 * then y = acc, or y = f32(f32(alpha*acc) + f32(beta*c)) when (alpha, beta) != (1, 0)
 * (beta == 0: y = f32(alpha*acc), C unread). Products are rounded to f32, there is no fused
 * multiply-add and one sequential accumulator per element, so the result is bit-identical
 * to gemmRef and to the WebAssembly kernel; tiling only changes which elements are computed
 * together, never the order of the additions into one element.
 */
import { type GemmArgs, type GemmPlan, planGemm } from "../kernels/gemm-args.js";

const f32 = Math.fround;

/** Packs B(k, j0..j0+3) of one batch entry into 4-wide panels: bp[(p*K + k)*4 + t], zero padded. */
function packB(p: GemmPlan, b: Float32Array, b0: number, bp: Float32Array): void {
  const { n, k, rsB, csB } = p;
  bp.fill(0);
  for (let j = 0; j < n; j++) {
    const base = (j >> 2) * k * 4 + (j & 3);
    let src = b0 + j * csB;
    for (let kk = 0; kk < k; kk++, src += rsB) bp[base + kk * 4] = b[src]!;
  }
}

/** Writes one row segment of the tile through the epilogue (alpha, beta, C). */
function store(p: GemmPlan, y: Float32Array, c: Float32Array | undefined, yrow: number, crow: number, j: number, v: number): void {
  if (p.alpha === 1 && p.beta === 0) y[yrow + j] = v;
  else if (p.beta === 0) y[yrow + j] = f32(p.alpha * v);
  else y[yrow + j] = f32(p.alpha * v) + f32(p.beta * c![crow + j * p.csC]!);
}

/** Y = alpha * op(A) x op(B) + beta * C, f32, see the file comment for the summation order. */
export function gemmF32(args: GemmArgs): Float32Array {
  const p = planGemm(args);
  const { m, n, k, batch } = p;
  const y = args.y ?? new Float32Array(p.yExtent);
  if (batch * m * n === 0) return y;
  const a = args.a, b = args.b, c = args.c;
  const panels = (n + 3) >> 2;
  const bp = new Float32Array(panels * k * 4);
  const ap = new Float32Array(k * 4);
  const k4 = k * 4;
  let packedFor = -1;
  for (let bt = 0; bt < batch; bt++) {
    const b0 = p.bOff + bt * p.bsB;
    if (b0 !== packedFor) packB(p, b, b0, bp), (packedFor = b0);
    const a0 = p.aOff + bt * p.bsA;
    const y0 = p.yOff + bt * p.bsY;
    const c0 = p.cOff + bt * p.bsC;
    for (let i0 = 0; i0 < m; i0 += 4) {
      const rows = Math.min(4, m - i0);
      ap.fill(0);
      for (let t = 0; t < rows; t++) {
        let src = a0 + (i0 + t) * p.rsA;
        for (let kk = 0; kk < k; kk++, src += p.csA) ap[kk * 4 + t] = a[src]!;
      }
      for (let pj = 0; pj < panels; pj++) {
        let c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0;
        let c20 = 0, c21 = 0, c22 = 0, c23 = 0, c30 = 0, c31 = 0, c32 = 0, c33 = 0;
        const bo = pj * k4;
        for (let q = 0; q < k4; q += 4) {
          const x0 = ap[q]!, x1 = ap[q + 1]!, x2 = ap[q + 2]!, x3 = ap[q + 3]!;
          const w0 = bp[bo + q]!, w1 = bp[bo + q + 1]!, w2 = bp[bo + q + 2]!, w3 = bp[bo + q + 3]!;
          c00 = f32(c00 + f32(x0 * w0)); c01 = f32(c01 + f32(x0 * w1)); c02 = f32(c02 + f32(x0 * w2)); c03 = f32(c03 + f32(x0 * w3));
          c10 = f32(c10 + f32(x1 * w0)); c11 = f32(c11 + f32(x1 * w1)); c12 = f32(c12 + f32(x1 * w2)); c13 = f32(c13 + f32(x1 * w3));
          c20 = f32(c20 + f32(x2 * w0)); c21 = f32(c21 + f32(x2 * w1)); c22 = f32(c22 + f32(x2 * w2)); c23 = f32(c23 + f32(x2 * w3));
          c30 = f32(c30 + f32(x3 * w0)); c31 = f32(c31 + f32(x3 * w1)); c32 = f32(c32 + f32(x3 * w2)); c33 = f32(c33 + f32(x3 * w3));
        }
        const j0 = pj * 4;
        const cols = Math.min(4, n - j0);
        const tile = [c00, c01, c02, c03, c10, c11, c12, c13, c20, c21, c22, c23, c30, c31, c32, c33];
        for (let t = 0; t < rows; t++) {
          const yrow = y0 + (i0 + t) * p.ldy, crow = c0 + (i0 + t) * p.rsC;
          for (let u = 0; u < cols; u++) store(p, y, c, yrow, crow, j0 + u, tile[t * 4 + u]!);
        }
      }
    }
  }
  return y;
}
