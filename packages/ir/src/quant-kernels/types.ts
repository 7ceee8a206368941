/**
 * The loops behind weight quantization and the cpu interpreter's quantize, dequantize and
 * fake_quant kernels, implemented in WebAssembly SIMD (wasm.ts) and plain TypeScript (ts.ts).
 */
import type { Granularity } from "../types.js";

export interface WeightKernels {
  readonly name: "wasm" | "ts";
  /**
   * Largest |x| per scale slot (0 for a slot with no element); null when x holds a NaN or
   * an infinity (the caller locates it).
   */
  absMaxBySlot(x: Float32Array, shape: readonly number[], g: Granularity, slots: number): Float64Array | null;
  /**
   * Smallest and largest x per scale slot (+Infinity / -Infinity for a slot with no
   * element); null when x holds a NaN or an infinity.
   */
  minMaxBySlot(x: Float32Array, shape: readonly number[], g: Granularity, slots: number): { min: Float64Array; max: Float64Array } | null;
  /**
   * out[i] = clamp(roundHalfEven(fround(x[i] / scale[k])) + zp[k], qmin, qmax) for every
   * element, k its scale slot (zp 0 when null; NaN gives zp): ir's quantizeValue, one
   * integer a byte. `out` has x.length elements.
   */
  quantizeInto(x: Float32Array, out: Int8Array | Uint8Array, shape: readonly number[], g: Granularity, scale: Float32Array, zeroPoint: Int32Array | null, qmin: number, qmax: number): void;
  /**
   * quantizeInto for 4-bit storage, written packed: element i in the low (i even) or high
   * (i odd) nibble of out[i >> 1]; `out` is zero-filled and has ceil(x.length / 2) bytes.
   */
  quantizePackedInto(x: Float32Array, out: Uint8Array, shape: readonly number[], g: Granularity, scale: Float32Array, zeroPoint: Int32Array | null, qmin: number, qmax: number): void;
  /**
   * out[i] = fround((q - zp[k]) * scale[k]) with q = quantizeInto's integer for x[i]: ir's
   * dequantizeValue(quantizeValue(x[i])), the fake_quant of x (NaN gives 0). `out` has
   * x.length elements.
   */
  fakeQuantInto(x: Float32Array, out: Float32Array, shape: readonly number[], g: Granularity, scale: Float32Array, zeroPoint: Int32Array | null, qmin: number, qmax: number): void;
  /**
   * out[i] = fround((q[i] - zp[k]) * scale[k]) for integers one a byte: ir's
   * dequantizeValue. `out` has q.length elements.
   */
  dequantizeInto(q: Int8Array | Uint8Array, out: Float32Array, shape: readonly number[], g: Granularity, scale: Float32Array, zeroPoint: Int32Array | null): void;
}
