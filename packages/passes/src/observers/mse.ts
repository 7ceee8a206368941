/**
 * `mse`: searches clipping ranges [a·lo, b·hi] (lo ≤ 0 ≤ hi the observed range widened to
 * include 0; a, b in 1, 0.995, ..., 0.005) for the one whose 8-bit asymmetric
 * quantization (256 levels) gives the least squared error over a 2048-bin histogram
 * (each bin's mass at its centre). The search is coordinate descent: best b for the
 * current a, then best a for that b, twice. Ties keep the wider range.
 */
import { roundHalfEven } from "@quantpass/ir";
import { Histogram } from "./histogram.js";
import { ZERO_RANGE, type Observer, type Range } from "./types.js";

export const MSE_CANDIDATES = 200;
export const MSE_LEVELS = 256;

/** Squared quantization error of the histogram's mass for the clipping range [a, b]. */
export function histogramQuantError(h: Histogram, a: number, b: number, levels = MSE_LEVELS): number {
  const s = (b - a) / (levels - 1);
  if (!(s > 0)) return Infinity;
  let err = 0;
  for (let k = 0; k < h.bins; k++) {
    const n = h.counts[k]!;
    if (n === 0) continue;
    const c = h.center(k);
    let q = roundHalfEven((c - a) / s);
    q = q < 0 ? 0 : q > levels - 1 ? levels - 1 : q;
    const d = a + q * s - c;
    err += n * d * d;
  }
  return err;
}

export class MseObserver implements Observer {
  private readonly h = new Histogram();

  update(x: Float32Array): void {
    this.h.update(x);
  }

  range(): Range {
    const h = this.h;
    if (h.total === 0) return ZERO_RANGE;
    const lo = Math.min(h.min, 0);
    const hi = Math.max(h.max, 0);
    if (lo === hi) return { min: h.min, max: h.max };
    let a = 1;
    let b = 1;
    const search = (f: (t: number) => number): number => {
      let best = 1;
      let bestErr = Infinity;
      for (let k = 0; k < MSE_CANDIDATES; k++) {
        const t = 1 - k / MSE_CANDIDATES;
        const err = f(t);
        if (err < bestErr) { bestErr = err; best = t; }
      }
      return best;
    };
    for (let round = 0; round < 2; round++) {
      if (hi > 0) b = search((t) => histogramQuantError(h, lo * a, hi * t));
      if (lo < 0) a = search((t) => histogramQuantError(h, lo * t, hi * b));
    }
    return { min: Math.max(lo * a, h.min), max: Math.min(hi * b, h.max) };
  }
}
