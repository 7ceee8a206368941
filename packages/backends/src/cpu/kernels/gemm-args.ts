/**
 * Arguments of the GEMM kernels, shared by the TypeScript reference (gemm-ref.ts) and the
 * WebAssembly kernels (gemm-wasm.ts, igemm-*.ts).
 *
 *   Y[b] = alpha * op(A[b]) x op(B[b]) + beta * C[b]        for b = 0 .. batch-1
 *
 * op(A) is M x K: A is stored row-major as M x K, or as K x M when transA (ONNX Gemm transA).
 * op(B) is K x N: B is stored row-major as K x N, or as N x K when transB.
 * C is a bias addressed by element strides, so every ONNX Gemm broadcast of C is a stride
 * of 0 (see biasStrides). Y is M x N row-major with row stride ldy.
 * Batched MatMul: batch > 1 with per-operand batch strides; a batch stride of 0 broadcasts
 * that operand (e.g. one weight matrix for all batch entries).
 */

/** Shapes and layouts of the operands, common to the f32 and int8 kernels. */
export interface GemmLayout {
  m: number;
  n: number;
  k: number;
  /** First element of A (default 0). */
  aOffset?: number;
  /** Row stride of A as stored (default: K, or M when transA). */
  lda?: number;
  transA?: boolean;
  bOffset?: number;
  /** Row stride of B as stored (default: N, or K when transB). */
  ldb?: number;
  transB?: boolean;
  yOffset?: number;
  /** Row stride of Y (default N). */
  ldy?: number;
  /** Default 1. */
  batch?: number;
  /** Element strides between batch entries. Defaults: the matrix size for A, B, Y; 0 for C. */
  batchStrideA?: number;
  batchStrideB?: number;
  batchStrideY?: number;
  /**
   * B is immutable (a weight): the WebAssembly engines keep its packed form across calls,
   * keyed by the array object and B's layout, and skip copying and packing it again. Mutating
   * B afterwards gives stale results until the engine's clearCache(). Ignored by the references.
   */
  cacheB?: boolean;
}

/** f32 GEMM: Y = alpha * op(A) x op(B) + beta * C. */
export interface GemmArgs extends GemmLayout {
  a: Float32Array;
  b: Float32Array;
  /** Bias; element (i, j) of batch entry b is c[cOffset + b*batchStrideC + i*cRowStride + j*cColStride]. */
  c?: Float32Array;
  cOffset?: number;
  /** Default N (a full M x N bias). */
  cRowStride?: number;
  /** Default 1. */
  cColStride?: number;
  batchStrideC?: number;
  /** Output; allocated (zero-filled, dense) when absent. */
  y?: Float32Array;
  /** Default 1. */
  alpha?: number;
  /** Default 1 when c is given, else 0; must be 0 without c. beta == 0 never reads C. */
  beta?: number;
}

/**
 * 8-bit integer GEMM: Y (int32) = op(A) x op(B), exact (int32 wrap-around, as C int32 math).
 * Each operand is int8 (Int8Array) or uint8 (Uint8Array), as ONNX MatMulInteger allows;
 * zero points are the caller's (subtract row/column sums, or pre-shift).
 */
export interface IGemmArgs extends GemmLayout {
  a: Int8Array | Uint8Array;
  b: Int8Array | Uint8Array;
  /** Output; allocated when absent. */
  y?: Int32Array;
}

interface PlanInput extends GemmLayout {
  a: { length: number };
  b: { length: number };
  c?: { length: number };
  y?: { length: number };
  cOffset?: number;
  cRowStride?: number;
  cColStride?: number;
  batchStrideC?: number;
  alpha?: number;
  beta?: number;
}

/** Fully resolved arguments: logical X(r, c) = x[off + r*rs + c*cs]. */
export interface GemmPlan {
  m: number;
  n: number;
  k: number;
  batch: number;
  alpha: number;
  beta: number;
  aOff: number;
  rsA: number;
  csA: number;
  bsA: number;
  /** Elements of `a` the problem touches, starting at aOff (0 when none). */
  aExtent: number;
  bOff: number;
  rsB: number;
  csB: number;
  bsB: number;
  bExtent: number;
  cOff: number;
  rsC: number;
  csC: number;
  bsC: number;
  cExtent: number;
  yOff: number;
  ldy: number;
  bsY: number;
  yExtent: number;
  /** True when Y rows are dense (ldy == n and bsY == m*n): one copy moves the whole output. */
  yDense: boolean;
}

function isNonNegInt(x: number): boolean {
  return Number.isInteger(x) && x >= 0;
}

/** 1 + the largest offset of X(r, c, b) for r < rows, c < cols, b < batch (0 if empty). */
function extent(batch: number, rows: number, cols: number, rs: number, cs: number, bs: number): number {
  if (batch === 0 || rows === 0 || cols === 0) return 0;
  return (batch - 1) * bs + (rows - 1) * rs + (cols - 1) * cs + 1;
}

/** Resolves defaults and checks that every access is inside its array. Throws RangeError. */
export function planGemm(args: PlanInput): GemmPlan {
  const { m, n, k } = args;
  const batch = args.batch ?? 1;
  for (const [name, v] of [["m", m], ["n", n], ["k", k], ["batch", batch]] as const) {
    if (!isNonNegInt(v)) throw new RangeError(`gemm: ${name} must be a non-negative integer, got ${v}`);
  }
  const transA = args.transA ?? false;
  const transB = args.transB ?? false;
  const lda = args.lda ?? (transA ? m : k);
  const ldb = args.ldb ?? (transB ? k : n);
  const ldy = args.ldy ?? n;
  if (lda < (transA ? m : k) || ldb < (transB ? k : n) || ldy < n) {
    throw new RangeError(`gemm: leading dimension too small (lda ${lda}, ldb ${ldb}, ldy ${ldy})`);
  }
  const alpha = args.alpha ?? 1;
  const beta = args.beta ?? (args.c ? 1 : 0);
  if (beta !== 0 && !args.c) throw new RangeError("gemm: beta != 0 needs a bias c");

  const rsA = transA ? 1 : lda;
  const csA = transA ? lda : 1;
  const rsB = transB ? 1 : ldb;
  const csB = transB ? ldb : 1;
  const bsA = args.batchStrideA ?? (transA ? k : m) * lda;
  const bsB = args.batchStrideB ?? (transB ? n : k) * ldb;
  const bsY = args.batchStrideY ?? m * ldy;
  const rsC = args.cRowStride ?? n;
  const csC = args.cColStride ?? 1;
  const bsC = args.batchStrideC ?? 0;
  for (const [name, v] of [
    ["lda", lda], ["ldb", ldb], ["ldy", ldy], ["batchStrideA", bsA], ["batchStrideB", bsB],
    ["batchStrideY", bsY], ["cRowStride", rsC], ["cColStride", csC], ["batchStrideC", bsC],
  ] as const) {
    if (!isNonNegInt(v)) throw new RangeError(`gemm: ${name} must be a non-negative integer, got ${v}`);
  }

  const aOff = args.aOffset ?? 0;
  const bOff = args.bOffset ?? 0;
  const cOff = args.cOffset ?? 0;
  const yOff = args.yOffset ?? 0;
  const aExtent = extent(batch, m, k, rsA, csA, bsA);
  const bExtent = extent(batch, k, n, rsB, csB, bsB);
  const cExtent = beta === 0 ? 0 : extent(batch, m, n, rsC, csC, bsC);
  const yExtent = extent(batch, m, n, ldy, 1, bsY);
  const check = (name: string, len: number, off: number, ext: number) => {
    if (!isNonNegInt(off) || off + ext > len) {
      throw new RangeError(`gemm: ${name} needs ${ext} elements from offset ${off}, has ${len}`);
    }
  };
  check("a", args.a.length, aOff, aExtent);
  check("b", args.b.length, bOff, bExtent);
  if (args.c) check("c", args.c.length, cOff, cExtent);
  if (args.y) check("y", args.y.length, yOff, yExtent);
  if (bsY < m * ldy && batch > 1 && m > 0 && n > 0) throw new RangeError("gemm: output batch entries overlap");

  return {
    m, n, k, batch, alpha, beta,
    aOff, rsA, csA, bsA, aExtent,
    bOff, rsB, csB, bsB, bExtent,
    cOff, rsC, csC, bsC, cExtent,
    yOff, ldy, bsY, yExtent,
    yDense: ldy === n && (batch <= 1 || bsY === m * n),
  };
}

/**
 * Element strides of an ONNX Gemm bias C of shape `shape`, unidirectionally broadcast to
 * [M, N]: [] / [1] / [1,1] scalar, [N] / [1,N] row, [M,1] column, [M,N] full.
 */
export function biasStrides(shape: readonly number[], m: number, n: number): { cRowStride: number; cColStride: number } {
  const dims = [...shape];
  while (dims.length < 2) dims.unshift(1);
  if (dims.length !== 2) throw new RangeError(`gemm: bias of rank ${shape.length}`);
  const [r, c] = dims as [number, number];
  if ((r !== 1 && r !== m) || (c !== 1 && c !== n)) {
    throw new RangeError(`gemm: bias shape [${shape.join(",")}] does not broadcast to [${m},${n}]`);
  }
  return { cRowStride: r === 1 ? 0 : c, cColStride: c === 1 ? 0 : 1 };
}
