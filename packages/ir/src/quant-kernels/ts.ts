/**
 * Quantization loops in plain TypeScript (the fallback when WebAssembly SIMD is
 * unavailable, and QUANTPASS_WEIGHT_KERNELS=ts). Typed arrays, runs of one scale slot
 * (runs.ts), no per-element scale index or Tensor.get/set:
 *
 * - x / scale stays a division (a reciprocal product would round differently), rounded
 *   to float32 with Math.fround; round half to even is (f + 1.5·2^52) - 1.5·2^52, exact for
 *   |f| < 2^51 (the double sum then has unit spacing and rounds ties to even); beyond that
 *   f clamps to qmin or qmax either way.
 * - dequantizing stores (q - z) * s into a Float32Array: the store rounds to float32, as
 *   dequantizeValue's Math.fround does.
 */
import type { Granularity } from "../types.js";
import { forEachScaleRun } from "./runs.js";
import type { WeightKernels } from "./types.js";

/** 1.5 · 2^52: adding and subtracting it rounds a double below 2^51 in magnitude to an integer, ties to even. */
const RNE_MAGIC = 6755399441055744;

/**
 * Largest |x| per scale slot (0 for a slot with no element). Returns null when x holds a
 * NaN or an infinity (the caller locates it).
 */
function absMaxBySlot(x: Float32Array, shape: readonly number[], g: Granularity, slots: number): Float64Array | null {
  const m = new Float64Array(slots);
  let finite = true;
  forEachScaleRun(shape, g, (start, end, k, strided) => {
    if (strided) finite = absMaxStrided(x, start, end, m, k) && finite;
    else {
      const a = absMaxRun(x, start, end, m[k]!);
      if (a !== a) finite = false;
      else m[k] = a;
    }
  });
  for (let k = 0; k < slots && finite; k++) if (m[k] === Infinity) finite = false;
  return finite ? m : null;
}

// The hot loops are plain functions of their arguments (no captured variables), so that
// the optimising compiler keeps everything in registers.

/** max(m, |x[start..end)|), or NaN when a NaN is among them. */
function absMaxRun(x: Float32Array, start: number, end: number, m: number): number {
  // One rarely taken branch an element: a new maximum is rare in weight data (a four-way
  // tree reduction measured twice as slow on normal data).
  for (let i = start; i < end; i++) {
    const a = Math.abs(x[i]!);
    // !(a <= m) is true for a new maximum and for NaN (infinities are caught by the caller)
    if (!(a <= m)) {
      if (a !== a) return NaN;
      m = a;
    }
  }
  return m;
}

/** m[k + r] = max(m[k + r], |x[start + r]|); false when a NaN is among them. */
function absMaxStrided(x: Float32Array, start: number, end: number, m: Float64Array, k: number): boolean {
  for (let i = start, j = k; i < end; i++, j++) {
    const a = Math.abs(x[i]!);
    if (!(a <= m[j]!)) {
      if (a !== a) return false;
      m[j] = a;
    }
  }
  return true;
}

/**
 * Smallest and largest x per scale slot (min > max, i.e. +Infinity / -Infinity, for a slot
 * with no element). Returns null when x holds a NaN or an infinity.
 */
function minMaxBySlot(x: Float32Array, shape: readonly number[], g: Granularity, slots: number): { min: Float64Array; max: Float64Array } | null {
  const min = new Float64Array(slots).fill(Infinity);
  const max = new Float64Array(slots).fill(-Infinity);
  let finite = true;
  forEachScaleRun(shape, g, (start, end, k, strided) => {
    finite = (strided ? minMaxStrided(x, start, end, min, max, k) : minMaxRun(x, start, end, min, max, k)) && finite;
  });
  for (let k = 0; k < slots && finite; k++) if (min[k] === -Infinity || max[k] === Infinity) finite = false;
  return finite ? { min, max } : null;
}

/** min/max of x[start..end) into slot k; false when a NaN is among them. */
function minMaxRun(x: Float32Array, start: number, end: number, min: Float64Array, max: Float64Array, k: number): boolean {
  let lo = min[k]!;
  let hi = max[k]!;
  for (let i = start; i < end; i++) {
    const v = x[i]!;
    // !(v >= lo) is true for a new minimum and for NaN
    if (!(v >= lo)) {
      if (v !== v) return false;
      lo = v;
    }
    if (v > hi) hi = v;
  }
  min[k] = lo;
  max[k] = hi;
  return true;
}

/** min/max of x[start + r] into slot k + r; false when a NaN is among them. */
function minMaxStrided(x: Float32Array, start: number, end: number, min: Float64Array, max: Float64Array, k: number): boolean {
  for (let i = start, j = k; i < end; i++, j++) {
    const v = x[i]!;
    if (!(v >= min[j]!)) {
      if (v !== v) return false;
      min[j] = v;
    }
    if (v > max[j]!) max[j] = v;
  }
  return true;
}

/**
 * out[i] = clamp(roundHalfEven(fround(x[i] / scale[k])) + zp[k], qmin, qmax) for every element
 * (zp 0 when null; NaN gives zp), k its scale slot: ir's quantizeValue, one integer per
 * element (unpacked). `out` has x.length elements.
 */
function quantizeInto(
  x: Float32Array, out: Int8Array | Uint8Array, shape: readonly number[], g: Granularity,
  scale: Float32Array, zeroPoint: Int32Array | null, qmin: number, qmax: number,
): void {
  forEachScaleRun(shape, g, (start, end, k, strided) => {
    if (strided) {
      for (let i = start, j = k; i < end; i++, j++) out[i] = quantizeOne(x[i]!, scale[j]!, zeroPoint === null ? 0 : zeroPoint[j]!, qmin, qmax);
    } else if (out instanceof Int8Array) quantizeRunI8(x, out, start, end, scale[k]!, zeroPoint === null ? 0 : zeroPoint[k]!, qmin, qmax);
    else quantizeRunU8(x, out, start, end, scale[k]!, zeroPoint === null ? 0 : zeroPoint[k]!, qmin, qmax);
  });
}

/**
 * quantizeInto for 4-bit storage, written packed: element i in the low (i even) or high
 * (i odd) nibble of out[i >> 1]. Runs of one scale are packed a pair at a time.
 */
function quantizePackedInto(
  x: Float32Array, out: Uint8Array, shape: readonly number[], g: Granularity,
  scale: Float32Array, zeroPoint: Int32Array | null, qmin: number, qmax: number,
): void {
  forEachScaleRun(shape, g, (start, end, k, strided) => {
    if (strided) {
      for (let i = start, j = k; i < end; i++, j++) setNibble(out, i, quantizeOne(x[i]!, scale[j]!, zeroPoint === null ? 0 : zeroPoint[j]!, qmin, qmax));
      return;
    }
    const s = scale[k]!;
    const z = zeroPoint === null ? 0 : zeroPoint[k]!;
    let i = start;
    if (i & 1 && i < end) setNibble(out, i, quantizeOne(x[i]!, s, z, qmin, qmax)), i++;
    const pairsEnd = i + ((end - i) & ~1);
    quantizeRunPacked(x, out, i, pairsEnd, s, z, qmin, qmax);
    if (pairsEnd < end) setNibble(out, pairsEnd, quantizeOne(x[pairsEnd]!, s, z, qmin, qmax));
  });
}

function setNibble(out: Uint8Array, i: number, v: number): void {
  const b = out[i >> 1]!;
  out[i >> 1] = i & 1 ? (b & 0x0f) | ((v & 15) << 4) : (b & 0xf0) | (v & 15);
}

/** ir's quantizeValue(x, s, z, qmin, qmax). */
function quantizeOne(x: number, s: number, z: number, qmin: number, qmax: number): number {
  const v = Math.fround(x / s) + RNE_MAGIC - RNE_MAGIC + z;
  // in range first (the common case); NaN fails both comparisons and gives z
  return v >= qmin ? (v <= qmax ? v : qmax) : v < qmin ? qmin : z;
}

// One copy per output array type, so that each store site sees one kind of typed array.
// The body is quantizeOne, four elements a step (independent work for the CPU to overlap);
// `| 0` makes the stored value an int32 (a cheaper typed-array store than a double's).
function quantizeRunI8(x: Float32Array, out: Int8Array, start: number, end: number, s: number, z: number, qmin: number, qmax: number): void {
  let i = start;
  for (; i + 4 <= end; i += 4) {
    const a = Math.fround(x[i]! / s) + RNE_MAGIC - RNE_MAGIC + z;
    const b = Math.fround(x[i + 1]! / s) + RNE_MAGIC - RNE_MAGIC + z;
    const c = Math.fround(x[i + 2]! / s) + RNE_MAGIC - RNE_MAGIC + z;
    const d = Math.fround(x[i + 3]! / s) + RNE_MAGIC - RNE_MAGIC + z;
    out[i] = (a >= qmin ? (a <= qmax ? a : qmax) : a < qmin ? qmin : z) | 0;
    out[i + 1] = (b >= qmin ? (b <= qmax ? b : qmax) : b < qmin ? qmin : z) | 0;
    out[i + 2] = (c >= qmin ? (c <= qmax ? c : qmax) : c < qmin ? qmin : z) | 0;
    out[i + 3] = (d >= qmin ? (d <= qmax ? d : qmax) : d < qmin ? qmin : z) | 0;
  }
  for (; i < end; i++) out[i] = quantizeOne(x[i]!, s, z, qmin, qmax);
}
function quantizeRunU8(x: Float32Array, out: Uint8Array, start: number, end: number, s: number, z: number, qmin: number, qmax: number): void {
  let i = start;
  for (; i + 4 <= end; i += 4) {
    const a = Math.fround(x[i]! / s) + RNE_MAGIC - RNE_MAGIC + z;
    const b = Math.fround(x[i + 1]! / s) + RNE_MAGIC - RNE_MAGIC + z;
    const c = Math.fround(x[i + 2]! / s) + RNE_MAGIC - RNE_MAGIC + z;
    const d = Math.fround(x[i + 3]! / s) + RNE_MAGIC - RNE_MAGIC + z;
    out[i] = (a >= qmin ? (a <= qmax ? a : qmax) : a < qmin ? qmin : z) | 0;
    out[i + 1] = (b >= qmin ? (b <= qmax ? b : qmax) : b < qmin ? qmin : z) | 0;
    out[i + 2] = (c >= qmin ? (c <= qmax ? c : qmax) : c < qmin ? qmin : z) | 0;
    out[i + 3] = (d >= qmin ? (d <= qmax ? d : qmax) : d < qmin ? qmin : z) | 0;
  }
  for (; i < end; i++) out[i] = quantizeOne(x[i]!, s, z, qmin, qmax);
}
/** Elements [start, end) (start even, an even count) packed two a byte. */
function quantizeRunPacked(x: Float32Array, out: Uint8Array, start: number, end: number, s: number, z: number, qmin: number, qmax: number): void {
  for (let i = start; i < end; i += 2) {
    const a = Math.fround(x[i]! / s) + RNE_MAGIC - RNE_MAGIC + z;
    const b = Math.fround(x[i + 1]! / s) + RNE_MAGIC - RNE_MAGIC + z;
    const qa = a >= qmin ? (a <= qmax ? a : qmax) : a < qmin ? qmin : z;
    const qb = b >= qmin ? (b <= qmax ? b : qmax) : b < qmin ? qmin : z;
    out[i >> 1] = (qa & 15) | ((qb & 15) << 4);
  }
}

/** out[i] = (q(x[i]) - z) * s: dequantizeValue(quantizeValue(x[i])) for every element. */
function fakeQuantInto(
  x: Float32Array, out: Float32Array, shape: readonly number[], g: Granularity,
  scale: Float32Array, zeroPoint: Int32Array | null, qmin: number, qmax: number,
): void {
  forEachScaleRun(shape, g, (start, end, k, strided) => {
    if (!strided) return fakeQuantRun(x, out, start, end, scale[k]!, zeroPoint === null ? 0 : zeroPoint[k]!, qmin, qmax);
    for (let i = start, j = k; i < end; i++, j++) {
      const s = scale[j]!;
      const z = zeroPoint === null ? 0 : zeroPoint[j]!;
      out[i] = (quantizeOne(x[i]!, s, z, qmin, qmax) - z) * s;
    }
  });
}

function fakeQuantRun(x: Float32Array, out: Float32Array, start: number, end: number, s: number, z: number, qmin: number, qmax: number): void {
  for (let i = start; i < end; i++) {
    const v = Math.fround(x[i]! / s) + RNE_MAGIC - RNE_MAGIC + z;
    out[i] = ((v >= qmin ? (v <= qmax ? v : qmax) : v < qmin ? qmin : z) - z) * s;
  }
}

/** out[i] = (q[i] - z) * s: dequantizeValue for every element (integers one a byte). */
function dequantizeInto(q: Int8Array | Uint8Array, out: Float32Array, shape: readonly number[], g: Granularity, scale: Float32Array, zeroPoint: Int32Array | null): void {
  forEachScaleRun(shape, g, (start, end, k, strided) => {
    if (!strided) return dequantizeRun(q, out, start, end, scale[k]!, zeroPoint === null ? 0 : zeroPoint[k]!);
    for (let i = start, j = k; i < end; i++, j++) out[i] = (q[i]! - (zeroPoint === null ? 0 : zeroPoint[j]!)) * scale[j]!;
  });
}

function dequantizeRun(q: Int8Array | Uint8Array, out: Float32Array, start: number, end: number, s: number, z: number): void {
  for (let i = start; i < end; i++) out[i] = (q[i]! - z) * s;
}

export const tsKernels: WeightKernels = { name: "ts", absMaxBySlot, minMaxBySlot, quantizeInto, quantizePackedInto, fakeQuantInto, dequantizeInto };
