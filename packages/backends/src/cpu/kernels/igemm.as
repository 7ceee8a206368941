// AssemblyScript source of the 8-bit integer GEMM kernel (compiled by build-wasm.ts to
// igemm.wasm). Named .as to keep it out of the workspace's TypeScript program.
//
// Y[b] (int32) = op(A[b]) x op(B[b]), A and B 8-bit (each signed or unsigned), exact:
// packing widens both operands to i16, the micro-kernel multiplies pairs of k with
// i32x4.dot_i16x8_s (a0*b0 + a1*b1, at most 2*255*128 in magnitude, exact in i32) and adds
// into i32 lanes with wrap-around. Integer addition modulo 2^32 is associative, so the result
// equals the reference (gemm-ref.ts igemmRef) bit for bit whatever the order.
//
// Memory is imported (env.memory) and shared; arguments come in a parameter block.

const MR: i32 = 4;
const NR: i32 = 8;
const MC: i32 = 128;
// K block, in k (a multiple of 2): packed A block = MC*KC i16 = 128 KiB.
const KC: i32 = 512;

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
const P_FLAGS: usize = 64; // bit 0: A is unsigned, bit 1: B is unsigned

// @ts-ignore: decorator
@inline
function ld8(p: usize, unsigned: bool): i32 {
  return unsigned ? <i32>load<u8>(p) : <i32>load<i8>(p);
}

/** Bytes of per-thread workspace igemm_rows needs. */
export function igemm_work_bytes(): i32 {
  return MC * KC * 2 + MR * NR * 4;
}

/** Bytes of packed B for one batch entry: panels of NR columns x ceil(K/2) pairs of i16. */
export function igemm_packed_b_bytes(n: i32, k: i32): i32 {
  return ((n + NR - 1) / NR) * ((k + 1) >> 1) * NR * 4;
}

/**
 * Packs B: panel p holds, for each pair of k (2q, 2q+1), the NR pairs
 * (B(2q, j), B(2q+1, j)) as i16, j = p*NR .. p*NR+NR-1; zero past N and past K.
 */
export function igemm_pack_b(P: usize): void {
  const n = load<i32>(P, P_N);
  const k = load<i32>(P, P_K);
  const rsB = load<i32>(P, P_RSB);
  const csB = load<i32>(P, P_CSB);
  const bsB = load<i32>(P, P_BSB);
  const uB = (load<i32>(P, P_FLAGS) & 2) != 0;
  const nb = bsB == 0 ? 1 : load<i32>(P, P_BATCH);
  const kp = (k + 1) >> 1;
  const packedBytes = <usize>igemm_packed_b_bytes(n, k);
  for (let b = 0; b < nb; b++) {
    const src = <usize>load<i32>(P, P_B) + <usize>(b * bsB);
    let dst = <usize>load<i32>(P, P_BP) + <usize>b * packedBytes;
    for (let j0 = 0; j0 < n; j0 += NR) {
      const w = min(NR, n - j0);
      for (let q = 0; q < kp; q++) {
        const k0 = 2 * q;
        const has1 = k0 + 1 < k;
        for (let jj = 0; jj < NR; jj++) {
          let v0 = 0;
          let v1 = 0;
          if (jj < w) {
            const s = src + <usize>(k0 * rsB + (j0 + jj) * csB);
            v0 = ld8(s, uB);
            if (has1) v1 = ld8(s + <usize>rsB, uB);
          }
          store<i16>(dst, <i16>v0);
          store<i16>(dst, <i16>v1, 2);
          dst += 4;
        }
      }
    }
  }
}

/** Packs rows i0..i0+mc-1, k in p0..p0+kc-1 (p0 even) of A: per MR-row panel, per k pair, MR i16 pairs. */
function packA(pA: usize, rsA: i32, csA: i32, uA: bool, k: i32, i0: i32, mc: i32, p0: i32, kc: i32, dst: usize): void {
  const kp = (kc + 1) >> 1;
  for (let r = 0; r < mc; r += MR) {
    const h = min(MR, mc - r);
    for (let q = 0; q < kp; q++) {
      const k0 = p0 + 2 * q;
      const has1 = k0 + 1 < k;
      for (let ii = 0; ii < MR; ii++) {
        let v0 = 0;
        let v1 = 0;
        if (ii < h) {
          const s = pA + <usize>((i0 + r + ii) * rsA + k0 * csA);
          v0 = ld8(s, uA);
          if (has1) v1 = ld8(s + <usize>csA, uA);
        }
        store<i16>(dst, <i16>v0);
        store<i16>(dst, <i16>v1, 2);
        dst += 4;
      }
    }
  }
}

// @ts-ignore: decorator
@inline
function kernel(pa: usize, pb: usize, kp: i32, py: usize, ldy: usize, first: bool): void {
  let c00: v128, c01: v128, c10: v128, c11: v128, c20: v128, c21: v128, c30: v128, c31: v128;
  const py1 = py + ldy;
  const py2 = py1 + ldy;
  const py3 = py2 + ldy;
  if (first) {
    c00 = i32x4.splat(0);
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
  for (let q = 0; q < kp; q++) {
    const b0 = v128.load(pb);
    const b1 = v128.load(pb, 16);
    let a = v128.load32_splat(pa);
    c00 = i32x4.add(c00, i32x4.dot_i16x8_s(a, b0));
    c01 = i32x4.add(c01, i32x4.dot_i16x8_s(a, b1));
    a = v128.load32_splat(pa, 4);
    c10 = i32x4.add(c10, i32x4.dot_i16x8_s(a, b0));
    c11 = i32x4.add(c11, i32x4.dot_i16x8_s(a, b1));
    a = v128.load32_splat(pa, 8);
    c20 = i32x4.add(c20, i32x4.dot_i16x8_s(a, b0));
    c21 = i32x4.add(c21, i32x4.dot_i16x8_s(a, b1));
    a = v128.load32_splat(pa, 12);
    c30 = i32x4.add(c30, i32x4.dot_i16x8_s(a, b0));
    c31 = i32x4.add(c31, i32x4.dot_i16x8_s(a, b1));
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

function igemmBlock(P: usize, b: i32, i0: i32, i1: i32, work: usize): void {
  const n = load<i32>(P, P_N);
  const k = load<i32>(P, P_K);
  const rsA = load<i32>(P, P_RSA);
  const csA = load<i32>(P, P_CSA);
  const uA = (load<i32>(P, P_FLAGS) & 1) != 0;
  const pA = <usize>load<i32>(P, P_A) + <usize>(b * load<i32>(P, P_BSA));
  const bsB = load<i32>(P, P_BSB);
  const pBp = <usize>load<i32>(P, P_BP) + (bsB == 0 ? 0 : <usize>b * <usize>igemm_packed_b_bytes(n, k));
  const ldy = load<i32>(P, P_LDY);
  const ldyB = <usize>(ldy * 4);
  const pY = <usize>load<i32>(P, P_Y) + <usize>(b * load<i32>(P, P_BSY)) * 4;
  const tile = work + <usize>(MC * KC * 2);
  const kpAll = (k + 1) >> 1;
  const panelBytes = <usize>(kpAll * NR * 4);

  for (let ic = i0; ic < i1; ic += MC) {
    const mc = min(MC, i1 - ic);
    if (k == 0) {
      for (let i = ic; i < ic + mc; i++) memory.fill(pY + <usize>(i * ldy) * 4, 0, <usize>(n * 4));
    }
    for (let pc = 0; pc < k; pc += KC) {
      const kc = min(KC, k - pc);
      const kp = (kc + 1) >> 1;
      const first = pc == 0;
      packA(pA, rsA, csA, uA, k, ic, mc, pc, kc, work);
      let pb = pBp + <usize>((pc >> 1) * NR * 4);
      for (let jr = 0; jr < n; jr += NR) {
        const nr = min(NR, n - jr);
        let pa = work;
        for (let ir = 0; ir < mc; ir += MR) {
          const mr = min(MR, mc - ir);
          const py = pY + <usize>((ic + ir) * ldy + jr) * 4;
          if (mr == MR && nr == NR) {
            kernel(pa, pb, kp, py, ldyB, first);
          } else {
            if (!first) {
              for (let ii = 0; ii < mr; ii++) {
                memory.copy(tile + <usize>(ii * NR * 4), py + <usize>ii * ldyB, <usize>(nr * 4));
              }
            }
            kernel(pa, pb, kp, tile, NR * 4, first);
            for (let ii = 0; ii < mr; ii++) {
              memory.copy(py + <usize>ii * ldyB, tile + <usize>(ii * NR * 4), <usize>(nr * 4));
            }
          }
          pa += <usize>(kp * MR * 4);
        }
        pb += panelBytes;
      }
    }
  }
}

/** Rows r0..r1-1 of the batch-flattened output; B packed by igemm_pack_b; private work. */
export function igemm_rows(P: usize, r0: i32, r1: i32, work: usize): void {
  const m = load<i32>(P, P_M);
  if (m == 0) return;
  let r = r0;
  while (r < r1) {
    const b = r / m;
    const i0 = r - b * m;
    const i1 = min(m, i0 + (r1 - r));
    igemmBlock(P, b, i0, i1, work);
    r += i1 - i0;
  }
}
