/**
 * Observer statistics: pure accumulators fed one calibration batch at a time.
 * Every observer ignores NaN and ±Infinity (they say nothing about a useful range);
 * an observer that saw no finite value reports the zero range {min: 0, max: 0}.
 */

/** A closed range of real values; quantization later widens it to include 0. */
export interface Range {
  readonly min: number;
  readonly max: number;
}

export interface Observer {
  /** Adds one batch of values (any layout: observers see a flat list). */
  update(x: Float32Array): void;
  /** The range to quantize to, from everything seen so far. */
  range(): Range;
}

/** Exact min/max of the finite values of x, or undefined when there are none. */
export function finiteMinMax(x: Float32Array): Range | undefined {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  // NaN never compares, so only ±Infinity can reach min/max: recompute without them then.
  if (min === -Infinity || max === Infinity) {
    min = Infinity;
    max = -Infinity;
    for (let i = 0; i < x.length; i++) {
      const v = x[i]!;
      if (!Number.isFinite(v)) continue;
      if (v < min) min = v;
      if (v > max) max = v;
    }
  }
  return min <= max ? { min, max } : undefined;
}

export const ZERO_RANGE: Range = { min: 0, max: 0 };
