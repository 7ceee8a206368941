/**
 * Exact integer GEMM for the quantized kernels: Y(i,j) = sum_k A(i,k) * B(k,j) with int32
 * wrap-around, A and B dense row-major Int32Arrays (operands already minus their zero
 * points, so |value| <= 255). Products and partial sums are exact in f64 (|sum| < 2^53 for
 * any K below 2^37), and the final `| 0` reduces modulo 2^32 exactly as int32 accumulation
 * with wrap-around would; the order of additions therefore does not matter.
 */
export function gemmI32(m: number, n: number, k: number, a: Int32Array, aOff: number, b: Int32Array, bOff: number, y: Int32Array, yOff: number): void {
  const acc = new Float64Array(n);
  for (let i = 0; i < m; i++) {
    acc.fill(0);
    const ar = aOff + i * k;
    for (let kk = 0; kk < k; kk++) {
      const x = a[ar + kk]!;
      if (x === 0) continue;
      const br = bOff + kk * n;
      for (let j = 0; j < n; j++) acc[j] += x * b[br + j]!;
    }
    const yr = yOff + i * n;
    for (let j = 0; j < n; j++) y[yr + j] = acc[j]! | 0;
  }
}
