/**
 * Quantization parameters from a range (DESIGN.md "Numeric conventions"). The range is
 * first widened to include 0. Symmetric: scale = absmax / qmax with no zero point for
 * signed storage (u8/u4 use the mid-point zero point 128/8 and scale = absmax / 127 or 7);
 * asymmetric: scale = (max - min) / (qmax - qmin), zp = clamp(round_half_even(qmin - min / scale)).
 * Scales are float32 and at least ZERO_RANGE_SCALE (torch's eps floor), so a zero range
 * gives ZERO_RANGE_SCALE; a range whose scale overflows float32 is a UserError.
 *
 * Error bound: for x inside the range, |dequantize(quantize(x)) - x| <= scale/2, up to
 * float32 rounding of the scale and the product (tests allow scale * 2^-12 + ulp(x)).
 */
import { intRange, roundHalfEven, UserError, ZERO_RANGE_SCALE, type StorageDType } from "@quantpass/ir";

export interface QParams {
  readonly scale: number;
  /** null when symmetric with signed storage. */
  readonly zeroPoint: number | null;
}

export function qparams(min: number, max: number, storage: StorageDType, symmetric: boolean, what = "range"): QParams {
  if (!Number.isFinite(min) || !Number.isFinite(max) || min > max) throw new UserError(`${what}: cannot quantize the range [${min}, ${max}]`);
  const lo = Math.min(min, 0);
  const hi = Math.max(max, 0);
  const [qmin, qmax] = intRange(storage);
  const signed = qmin < 0;
  let scale: number;
  let zp: number | null = null;
  if (symmetric) {
    const mid = signed ? 0 : (qmin + qmax + 1) / 2;
    scale = Math.max(-lo, hi) / (qmax - mid);
    if (!signed) zp = mid;
  } else {
    scale = (hi - lo) / (qmax - qmin);
  }
  scale = Math.fround(scale);
  if (scale === Infinity) throw new UserError(`${what}: the range [${min}, ${max}] is too wide for a float32 scale`);
  if (!(scale >= ZERO_RANGE_SCALE)) scale = ZERO_RANGE_SCALE;
  if (!symmetric) {
    const z = roundHalfEven(qmin - lo / scale);
    zp = z < qmin ? qmin : z > qmax ? qmax : z;
  }
  return { scale, zeroPoint: zp };
}

/** The largest float32 not above v, and the smallest not below v (conservative ranges). */
export function f32Down(v: number): number {
  const f = Math.fround(v);
  return f <= v ? f : nextF32(f, -1);
}
export function f32Up(v: number): number {
  const f = Math.fround(v);
  return f >= v ? f : nextF32(f, 1);
}
function nextF32(f: number, dir: 1 | -1): number {
  if (f === 0) return dir * 1.401298464324817e-45;
  const b = new Float32Array([f]);
  const u = new Int32Array(b.buffer);
  u[0]! += (f > 0) === (dir > 0) ? 1 : -1;
  return b[0]!;
}
