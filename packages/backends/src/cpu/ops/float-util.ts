/**
 * Float I/O for the GEMM, conv, pool and norm kernels: they compute in f32 and accept any
 * float dtype (f16/bf16/f64 are widened to f32 on input and rounded back on output, so f64
 * inputs are computed at f32 precision).
 */
import { Tensor, f32ToBf16Bits, f32ToF16Bits, type DType } from "@quantpass/ir";

export function isFloatType(d: DType): boolean {
  return d === "f32" || d === "f16" || d === "bf16" || d === "f64";
}

/** The elements as f32 (the tensor's own storage for f32, never to be written). */
export function f32In(t: Tensor): Float32Array {
  return t.toF32();
}

/** Wraps f32 results as a tensor of dtype (rounding to nearest even for f16/bf16). */
export function f32Out(dtype: DType, shape: readonly number[], data: Float32Array): Tensor {
  switch (dtype) {
    case "f32": return new Tensor("f32", shape, data);
    case "f64": return new Tensor("f64", shape, Float64Array.from(data));
    case "f16": case "bf16": {
      const bits = new Uint16Array(data.length);
      const cvt = dtype === "f16" ? f32ToF16Bits : f32ToBf16Bits;
      for (let i = 0; i < data.length; i++) bits[i] = cvt(data[i]!);
      return new Tensor(dtype, shape, bits);
    }
    default: throw new Error(`f32Out: ${dtype} is not a float dtype`);
  }
}

export function numelOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}
