import type { DType } from "./dtype.js";

/** A dimension: a known size, a named symbol ("batch", "seq"), or "?" for unknown. */
export type Dim = number | string;

export type Granularity =
  | { readonly kind: "per-tensor" }
  | { readonly kind: "per-axis"; readonly axis: number }
  | { readonly kind: "per-group"; readonly axis: number; readonly groupSize: number }
  /** Dynamic per-token: scales are computed at run time, one per row. */
  | { readonly kind: "per-token" };

export type StorageDType = "i8" | "u8" | "i4" | "u4";
export type ExpressedDType = "f32" | "f16" | "bf16";

/**
 * MLIR `!quant.uniform` as a value type: real = (q - zeroPoint) * scale.
 * Scales are f32 (one per tensor, axis slice or group); zeroPoint is null for
 * symmetric quantization. Typed arrays, so immer never drafts or freezes them.
 */
export interface QuantType {
  readonly storage: StorageDType;
  readonly expressed: ExpressedDType;
  readonly granularity: Granularity;
  /** null for per-token (dynamic) quantization. */
  readonly scale: Float32Array | null;
  readonly zeroPoint: Int32Array | null;
}

export interface TensorType {
  readonly dtype: DType;
  readonly shape: readonly Dim[];
  /** Present when dtype is a storage type of a quantized value. */
  readonly quant?: QuantType;
}

/** Lowering stages, in order. Each has a legal-op set checked by the verifier. */
export const STAGES = ["float", "observed", "calibrated", "fake-quant", "int"] as const;
export type Stage = (typeof STAGES)[number];

export function tensorType(dtype: DType, shape: readonly Dim[], quant?: QuantType): TensorType {
  return quant ? { dtype, shape, quant } : { dtype, shape };
}

export function isStaticShape(shape: readonly Dim[]): shape is readonly number[] {
  return shape.every((d) => typeof d === "number");
}

export function numel(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function dimsEqual(a: Dim, b: Dim): boolean {
  return a === b;
}

/** Two dims are compatible when equal or when either is not a known number. */
export function dimsCompatible(a: Dim, b: Dim): boolean {
  return typeof a !== "number" || typeof b !== "number" || a === b;
}

export function formatShape(shape: readonly Dim[]): string {
  return `[${shape.join(",")}]`;
}
