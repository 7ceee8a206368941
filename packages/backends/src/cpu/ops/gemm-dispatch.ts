/**
 * The one entry point of the f32 GEMM used by MatMul, Gemm, Conv and ConvTranspose, so the
 * implementation is switched in one place. Default: the WebAssembly SIMD engine
 * (kernels/gemm-wasm.ts, one thread, created on first use); the blocked TypeScript kernel
 * (gemm-f32.ts) when WebAssembly is unavailable or QUANTPASS_GEMM=ts. Every implementation
 * follows the summation contract of kernels/gemm-ref.ts (products rounded to f32, one
 * sequential f32 accumulator per output element over k = 0..K-1, no FMA), so switching
 * never changes a result bit.
 */
import type { GemmArgs } from "../kernels/gemm-args.js";
import { createGemmSync, type GemmEngine } from "../kernels/gemm-wasm.js";
import { gemmF32 } from "./gemm-f32.js";

export type { GemmArgs };
export type MatmulF32Impl = (args: GemmArgs) => Float32Array;

let impl: MatmulF32Impl | undefined;
let implName = "";

function defaultImpl(): MatmulF32Impl {
  if (process.env.QUANTPASS_GEMM !== "ts") {
    try {
      return useGemmEngine(createGemmSync());
    } catch {
      // no WebAssembly SIMD / shared memory here: fall back to TypeScript
    }
  }
  implName = "ts";
  return gemmF32;
}

/** Y = alpha * op(A) x op(B) + beta * C (see GemmArgs); returns Y. */
export function matmulF32(args: GemmArgs): Float32Array {
  return (impl ??= defaultImpl())(args);
}

/** Routes matmulF32 to a WebAssembly engine (e.g. a multi-threaded one from createGemm). */
export function useGemmEngine(engine: GemmEngine): MatmulF32Impl {
  implName = `wasm(${engine.threads} thread${engine.threads > 1 ? "s" : ""})`;
  impl = (args) => engine.gemm(args);
  return impl;
}

/** Replaces the implementation (tests, benchmarks); returns the previous one. */
export function setMatmulF32Impl(next: MatmulF32Impl): MatmulF32Impl {
  const prev = impl ?? defaultImpl();
  impl = next;
  implName = "custom";
  return prev;
}

/** Which implementation matmulF32 uses ("wasm(1 thread)", "ts", "custom"). */
export function matmulF32Name(): string {
  impl ??= defaultImpl();
  return implName;
}
