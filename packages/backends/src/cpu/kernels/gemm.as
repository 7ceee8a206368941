// AssemblyScript source of the f32 GEMM kernel (compiled by build-wasm.ts to gemm.wasm).
// The file is named .as so that the workspace's TypeScript program does not type-check it
// (it uses v128 and AssemblyScript builtins); the build feeds it to asc as "gemm.ts".
//
// Y[b] = alpha * op(A[b]) x op(B[b]) + beta * C[b], row-major, f32.
//
// Summation order (the contract gemm-ref.ts reproduces): for every output element the
// products A(i,k)*B(k,j) are rounded to f32 and added, in f32, to an accumulator that starts
// at +0, for k = 0, 1, ..., K-1 in order. K blocking keeps the partial sum in Y between
// blocks (an f32 store and reload, exact), SIMD lanes hold different j, never different k,
// and there is no FMA (WebAssembly SIMD without relaxed-simd has none). Then, only if
// (alpha, beta) != (1, 0): y = f32(f32(alpha*acc) + f32(beta*c)); with beta == 0 C is not
// read (BLAS convention). So results are bit-identical to gemm-ref.ts and independent of how
// rows are split across threads.
//
// Memory is imported (env.memory), shared between the main thread and workers. Arguments
// are read from a parameter block whose address the caller passes; see gemm-wasm.ts.

// Micro-tile: MR rows x NR columns (NR = 2 f32x4 vectors).
const MR: i32 = 4;
const NR: i32 = 8;
// Cache blocking: a packed A block of MC x KC floats (128 KiB) stays in L2, a packed
// B micro-panel of KC x NR floats (8 KiB) stays in L1.
const MC: i32 = 128;
const KC: i32 = 256;

// Parameter block layout (byte offsets, i32 unless noted). Strides are in elements.
// Logical A(i,k) = A[pA + i*rsA + k*csA], logical B(k,j) = B[pB + k*rsB + j*csB].
const P_M: usize = 0;
const P_N: usize = 4;
const P_K: usize = 8;
const P_BATCH: usize = 12;
const P_A: usize = 16;
const P_RSA: usize = 20;
const P_CSA: usize = 24;
const P_BSA: usize = 28;
const P_B: usize = 32;
const P_RSB: usize = 36;
const P_CSB: usize = 40;
const P_BSB: usize = 44;
const P_BP: usize = 48; // packed B
const P_Y: usize = 52;
const P_LDY: usize = 56;
const P_BSY: usize = 60;
const P_C: usize = 64;
const P_RSC: usize = 68;
const P_CSC: usize = 72;
const P_BSC: usize = 76;
const P_ALPHA: usize = 80; // f32
const P_BETA: usize = 84; // f32

/** Bytes of per-thread workspace sgemm_rows needs. */
export function sgemm_work_bytes(): i32 {
  return (MC * KC + MR * NR) * 4;
}

/** Bytes of packed B for one batch entry. */
export function sgemm_packed_b_bytes(n: i32, k: i32): i32 {
  return ((n + NR - 1) / NR) * NR * k * 4;
}

/**
 * Packs B into panels of NR columns: panel p holds, for k = 0..K-1, the NR floats
 * B(k, p*NR .. p*NR+NR-1), zero-padded past N. One packed copy per batch entry, or a single
 * one when B's batch stride is 0 (broadcast).
 */
export function sgemm_pack_b(P: usize): void {
  const n = load<i32>(P, P_N);
  const k = load<i32>(P, P_K);
  const rsB = load<i32>(P, P_RSB);
  const csB = load<i32>(P, P_CSB);
  const bsB = load<i32>(P, P_BSB);
  const nb = bsB == 0 ? 1 : load<i32>(P, P_BATCH);
  const panelBytes = <usize>(k * NR * 4);
  const packedBytes = <usize>sgemm_packed_b_bytes(n, k);
  for (let b = 0; b < nb; b++) {
    const src = <usize>load<i32>(P, P_B) + <usize>(b * bsB) * 4;
    let dst = <usize>load<i32>(P, P_BP) + <usize>b * packedBytes;
    for (let j0 = 0; j0 < n; j0 += NR) {
      const w = min(NR, n - j0);
      if (w == NR && csB == 1) {
        let s = src + <usize>(j0 * 4);
        let d = dst;
        const step = <usize>(rsB * 4);
        for (let kk = 0; kk < k; kk++) {
          v128.store(d, v128.load(s));
          v128.store(d, v128.load(s, 16), 16);
          s += step;
          d += 32;
        }
      } else {
        for (let jj = 0; jj < NR; jj++) {
          let d = dst + <usize>(jj * 4);
          if (jj < w) {
            let s = src + <usize>((j0 + jj) * csB) * 4;
            const step = <usize>(rsB * 4);
            for (let kk = 0; kk < k; kk++) {
              store<f32>(d, load<f32>(s));
              s += step;
              d += NR * 4;
            }
          } else {
            for (let kk = 0; kk < k; kk++) {
              store<f32>(d, 0);
              d += NR * 4;
            }
          }
        }
      }
      dst += panelBytes;
    }
  }
}

/** Packs rows i0..i0+mc-1, columns p0..p0+kc-1 of A into MR-row panels (k-major, zero-padded). */
function packA(pA: usize, rsA: i32, csA: i32, i0: i32, mc: i32, p0: i32, kc: i32, dst: usize): void {
  for (let r = 0; r < mc; r += MR) {
    const h = min(MR, mc - r);
    const base = pA + <usize>((i0 + r) * rsA + p0 * csA) * 4;
    if (h == MR && rsA == 1) {
      // transposed A: the MR rows of one column are contiguous
      let s = base;
      const step = <usize>(csA * 4);
      for (let kk = 0; kk < kc; kk++) {
        v128.store(dst, v128.load(s));
        s += step;
        dst += MR * 4;
      }
    } else if (h == MR && csA == 1) {
      // row-major A: transpose 4x4 blocks
      const s0 = base;
      const s1 = s0 + <usize>(rsA * 4);
      const s2 = s1 + <usize>(rsA * 4);
      const s3 = s2 + <usize>(rsA * 4);
      let kk = 0;
      for (; kk + 4 <= kc; kk += 4) {
        const off = <usize>(kk * 4);
        const r0 = v128.load(s0 + off);
        const r1 = v128.load(s1 + off);
        const r2 = v128.load(s2 + off);
        const r3 = v128.load(s3 + off);
        const t0 = v128.shuffle<f32>(r0, r1, 0, 4, 1, 5); // a0 b0 a1 b1
        const t1 = v128.shuffle<f32>(r2, r3, 0, 4, 1, 5); // c0 d0 c1 d1
        const t2 = v128.shuffle<f32>(r0, r1, 2, 6, 3, 7); // a2 b2 a3 b3
        const t3 = v128.shuffle<f32>(r2, r3, 2, 6, 3, 7); // c2 d2 c3 d3
        v128.store(dst, v128.shuffle<f32>(t0, t1, 0, 1, 4, 5));
        v128.store(dst, v128.shuffle<f32>(t0, t1, 2, 3, 6, 7), 16);
        v128.store(dst, v128.shuffle<f32>(t2, t3, 0, 1, 4, 5), 32);
        v128.store(dst, v128.shuffle<f32>(t2, t3, 2, 3, 6, 7), 48);
        dst += 64;
      }
      for (; kk < kc; kk++) {
        const off = <usize>(kk * 4);
        store<f32>(dst, load<f32>(s0 + off));
        store<f32>(dst, load<f32>(s1 + off), 4);
        store<f32>(dst, load<f32>(s2 + off), 8);
        store<f32>(dst, load<f32>(s3 + off), 12);
        dst += 16;
      }
    } else {
      for (let kk = 0; kk < kc; kk++) {
        for (let ii = 0; ii < MR; ii++) {
          const v: f32 = ii < h ? load<f32>(base + <usize>(ii * rsA + kk * csA) * 4) : 0;
          store<f32>(dst + <usize>(ii * 4), v);
        }
        dst += MR * 4;
      }
    }
  }
}

/**
 * The MR x NR micro-kernel: Y tile (row stride ldy bytes) = (first ? 0 : Y tile) + sum over
 * kc of packed A column x packed B row, in k order.
 */
// @ts-ignore: decorator
@inline
function kernel(pa: usize, pb: usize, kc: i32, py: usize, ldy: usize, first: bool): void {
  let c00: v128, c01: v128, c10: v128, c11: v128, c20: v128, c21: v128, c30: v128, c31: v128;
  const py1 = py + ldy;
  const py2 = py1 + ldy;
  const py3 = py2 + ldy;
  if (first) {
    c00 = f32x4.splat(0);
    c01 = c00;
    c10 = c00;
    c11 = c00;
    c20 = c00;
    c21 = c00;
    c30 = c00;
    c31 = c00;
  } else {
    c00 = v128.load(py);
    c01 = v128.load(py, 16);
    c10 = v128.load(py1);
    c11 = v128.load(py1, 16);
    c20 = v128.load(py2);
    c21 = v128.load(py2, 16);
    c30 = v128.load(py3);
    c31 = v128.load(py3, 16);
  }
  for (let kk = 0; kk < kc; kk++) {
    const b0 = v128.load(pb);
    const b1 = v128.load(pb, 16);
    let a = v128.load32_splat(pa);
    c00 = f32x4.add(c00, f32x4.mul(a, b0));
    c01 = f32x4.add(c01, f32x4.mul(a, b1));
    a = v128.load32_splat(pa, 4);
    c10 = f32x4.add(c10, f32x4.mul(a, b0));
    c11 = f32x4.add(c11, f32x4.mul(a, b1));
    a = v128.load32_splat(pa, 8);
    c20 = f32x4.add(c20, f32x4.mul(a, b0));
    c21 = f32x4.add(c21, f32x4.mul(a, b1));
    a = v128.load32_splat(pa, 12);
    c30 = f32x4.add(c30, f32x4.mul(a, b0));
    c31 = f32x4.add(c31, f32x4.mul(a, b1));
    pa += MR * 4;
    pb += NR * 4;
  }
  v128.store(py, c00);
  v128.store(py, c01, 16);
  v128.store(py1, c10);
  v128.store(py1, c11, 16);
  v128.store(py2, c20);
  v128.store(py2, c21, 16);
  v128.store(py3, c30);
  v128.store(py3, c31, 16);
}

/** y[0..n) = alpha*y + beta*c[j*csC] (beta == 0: y = alpha*y, C unread). */
function epilogueRow(py: usize, pc: usize, csC: i32, n: i32, alpha: f32, beta: f32): void {
  const va = f32x4.splat(alpha);
  const vb = f32x4.splat(beta);
  let j = 0;
  if (beta == 0) {
    for (; j + 4 <= n; j += 4) {
      const p = py + <usize>(j * 4);
      v128.store(p, f32x4.mul(va, v128.load(p)));
    }
    for (; j < n; j++) {
      const p = py + <usize>(j * 4);
      store<f32>(p, alpha * load<f32>(p));
    }
    return;
  }
  if (csC == 1) {
    for (; j + 4 <= n; j += 4) {
      const p = py + <usize>(j * 4);
      v128.store(p, f32x4.add(f32x4.mul(va, v128.load(p)), f32x4.mul(vb, v128.load(pc + <usize>(j * 4)))));
    }
  } else if (csC == 0) {
    const bc = f32x4.mul(vb, v128.load32_splat(pc));
    for (; j + 4 <= n; j += 4) {
      const p = py + <usize>(j * 4);
      v128.store(p, f32x4.add(f32x4.mul(va, v128.load(p)), bc));
    }
  }
  for (; j < n; j++) {
    const p = py + <usize>(j * 4);
    store<f32>(p, alpha * load<f32>(p) + beta * load<f32>(pc + <usize>(j * csC) * 4));
  }
}

/** Rows i0..i1-1 of batch entry b. */
function gemmBlock(P: usize, b: i32, i0: i32, i1: i32, work: usize): void {
  const n = load<i32>(P, P_N);
  const k = load<i32>(P, P_K);
  const rsA = load<i32>(P, P_RSA);
  const csA = load<i32>(P, P_CSA);
  const pA = <usize>load<i32>(P, P_A) + <usize>(b * load<i32>(P, P_BSA)) * 4;
  const bsB = load<i32>(P, P_BSB);
  const pBp = <usize>load<i32>(P, P_BP) + (bsB == 0 ? 0 : <usize>b * <usize>sgemm_packed_b_bytes(n, k));
  const ldy = load<i32>(P, P_LDY);
  const ldyB = <usize>(ldy * 4);
  const pY = <usize>load<i32>(P, P_Y) + <usize>(b * load<i32>(P, P_BSY)) * 4;
  const alpha = load<f32>(P, P_ALPHA);
  const beta = load<f32>(P, P_BETA);
  const tile = work + <usize>(MC * KC * 4);
  const panelBytes = <usize>(k * NR * 4);

  for (let ic = i0; ic < i1; ic += MC) {
    const mc = min(MC, i1 - ic);
    if (k == 0) {
      for (let i = ic; i < ic + mc; i++) memory.fill(pY + <usize>(i * ldy) * 4, 0, <usize>(n * 4));
    }
    for (let pc = 0; pc < k; pc += KC) {
      const kc = min(KC, k - pc);
      const first = pc == 0;
      packA(pA, rsA, csA, ic, mc, pc, kc, work);
      let pb = pBp + <usize>(pc * NR * 4);
      for (let jr = 0; jr < n; jr += NR) {
        const nr = min(NR, n - jr);
        let pa = work;
        for (let ir = 0; ir < mc; ir += MR) {
          const mr = min(MR, mc - ir);
          const py = pY + <usize>((ic + ir) * ldy + jr) * 4;
          if (mr == MR && nr == NR) {
            kernel(pa, pb, kc, py, ldyB, first);
          } else {
            // edge tile: run the full kernel on a scratch tile, copy the valid part
            if (!first) {
              for (let ii = 0; ii < mr; ii++) {
                memory.copy(tile + <usize>(ii * NR * 4), py + <usize>ii * ldyB, <usize>(nr * 4));
              }
            }
            kernel(pa, pb, kc, tile, NR * 4, first);
            for (let ii = 0; ii < mr; ii++) {
              memory.copy(py + <usize>ii * ldyB, tile + <usize>(ii * NR * 4), <usize>(nr * 4));
            }
          }
          pa += <usize>(kc * MR * 4);
        }
        pb += panelBytes;
      }
    }
    if (alpha != 1 || beta != 0) {
      const rsC = load<i32>(P, P_RSC);
      const csC = load<i32>(P, P_CSC);
      const pC = <usize>load<i32>(P, P_C) + <usize>(b * load<i32>(P, P_BSC)) * 4;
      for (let i = ic; i < ic + mc; i++) {
        epilogueRow(pY + <usize>(i * ldy) * 4, pC + <usize>(i * rsC) * 4, csC, n, alpha, beta);
      }
    }
  }
}

/**
 * Computes rows r0..r1-1 of the batch-flattened output (row r is row r % M of batch entry
 * r / M). B must have been packed by sgemm_pack_b. work: sgemm_work_bytes() bytes, private
 * to the calling thread.
 */
export function sgemm_rows(P: usize, r0: i32, r1: i32, work: usize): void {
  const m = load<i32>(P, P_M);
  if (m == 0) return;
  let r = r0;
  while (r < r1) {
    const b = r / m;
    const i0 = r - b * m;
    const i1 = min(m, i0 + (r1 - r));
    gemmBlock(P, b, i0, i1, work);
    r += i1 - i0;
  }
}
