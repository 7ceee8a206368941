/**
 * The one entry point of the f32 GEMM used by MatMul, Gemm, Conv and ConvTranspose, so the
 * implementation can be switched in one place. Every implementation follows the summation
 * contract of kernels/gemm-ref.ts (products rounded to f32, one sequential f32 accumulator
 * per output element over k = 0..K-1, no FMA), so switching never changes a result bit.
 */
import type { GemmArgs } from "../kernels/gemm-args.js";
import { gemmF32 } from "./gemm-f32.js";

export type { GemmArgs };
export type MatmulF32Impl = (args: GemmArgs) => Float32Array;

let impl: MatmulF32Impl = gemmF32;

/** Y = alpha * op(A) x op(B) + beta * C (see GemmArgs); returns Y. */
export function matmulF32(args: GemmArgs): Float32Array {
  return impl(args);
}

/** Replaces the implementation (tests, benchmarks); returns the previous one. */
export function setMatmulF32Impl(next: MatmulF32Impl): MatmulF32Impl {
  const prev = impl;
  impl = next;
  return prev;
}
