/**
 * Quantization arithmetic shared by passes and backends (DESIGN.md, "Numeric conventions"):
 * q = clamp(roundHalfEven(x / scale) + zp, qmin, qmax) computed in float32;
 * x' = (q - zp) * scale in float32. fake_quant(x) is exactly dequantize(quantize(x)).
 */
import { intRange, type DType } from "./dtype.js";
import type { Granularity, QuantType, StorageDType } from "./types.js";

/** Round half to even, as numpy, torch, ONNX and CANN do. */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** The scale used for a zero range: finite, positive, documented (matches torch's eps floor). */
export const ZERO_RANGE_SCALE = 1.1920928955078125e-7;

export function quantizeValue(x: number, scale: number, zp: number, qmin: number, qmax: number): number {
  const v = roundHalfEven(Math.fround(x / scale)) + zp;
  if (Number.isNaN(v)) return zp;
  return v < qmin ? qmin : v > qmax ? qmax : v;
}

export function dequantizeValue(q: number, scale: number, zp: number): number {
  return Math.fround((q - zp) * scale);
}

export function storageRange(d: StorageDType | DType): [number, number] {
  return intRange(d);
}

/** Number of scale entries a granularity needs for a tensor of the given shape. */
export function scaleCount(g: Granularity, shape: readonly number[]): number {
  switch (g.kind) {
    case "per-tensor": return 1;
    case "per-axis": return shape[g.axis]!;
    case "per-group": return shape.reduce((p, d, k) => p * (k === g.axis ? Math.ceil(d / g.groupSize) : d), 1);
    case "per-token": return 0;
  }
}

/**
 * For each element of a row-major tensor, the index of its scale. Per-group scales
 * have the tensor's shape with the grouped axis divided (rounded up) by the group size.
 */
export function scaleIndex(g: Granularity, shape: readonly number[]): Int32Array {
  const n = shape.reduce((a, b) => a * b, 1);
  const out = new Int32Array(n);
  if (g.kind === "per-tensor" || g.kind === "per-token") return out;
  const axis = g.axis;
  const inner = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const len = shape[axis]!;
  if (g.kind === "per-axis") {
    for (let i = 0; i < n; i++) out[i] = Math.floor(i / inner) % len;
    return out;
  }
  const groups = Math.ceil(len / g.groupSize);
  for (let i = 0; i < n; i++) {
    const outer = Math.floor(i / (inner * len));
    const a = Math.floor(i / inner) % len;
    const r = i % inner;
    out[i] = (outer * groups + Math.floor(a / g.groupSize)) * inner + r;
  }
  return out;
}

/** Describes a quant type in one line, for messages and reports. */
export function describeQuant(q: QuantType): string {
  const g = q.granularity;
  const gran = g.kind === "per-axis" ? `per-axis(${g.axis})` : g.kind === "per-group" ? `per-group(${g.axis},${g.groupSize})` : g.kind;
  return `${q.storage} ${gran} ${q.zeroPoint ? "asymmetric" : "symmetric"}`;
}
