/**
 * A fixed-size histogram (2048 bins by default) whose range grows to fit the data.
 * The first batch sets the range [lo, hi]; when later values fall outside, the range
 * doubles (towards the side that overflowed) and pairs of bins merge, so counts are
 * never re-binned approximately. In `abs` mode it histograms |x| over [0, hi].
 * Non-finite values are skipped; the exact min and max are kept beside the bins.
 */
export const HISTOGRAM_BINS = 2048;

export class Histogram {
  readonly counts: Float64Array;
  lo = 0;
  hi = 0;
  /** Exact extremes of the (possibly absolute) values added. */
  min = Infinity;
  max = -Infinity;
  total = 0;

  constructor(readonly bins = HISTOGRAM_BINS, readonly abs = false) {
    if (bins < 2 || bins % 2 !== 0) throw new RangeError(`histogram bins must be even and >= 2, got ${bins}`);
    this.counts = new Float64Array(bins);
  }

  get width(): number {
    return (this.hi - this.lo) / this.bins;
  }

  update(x: Float32Array): void {
    let min = Infinity;
    let max = -Infinity;
    for (let i = 0; i < x.length; i++) {
      const v = this.abs ? Math.abs(x[i]!) : x[i]!;
      if (!Number.isFinite(v)) continue;
      if (v < min) min = v;
      if (v > max) max = v;
    }
    if (min > max) return;
    if (this.total === 0) this.init(min, max);
    else this.grow(min, max);
    if (min < this.min) this.min = min;
    if (max > this.max) this.max = max;
    const { lo, bins } = this;
    const scale = bins / (this.hi - lo);
    for (let i = 0; i < x.length; i++) {
      const v = this.abs ? Math.abs(x[i]!) : x[i]!;
      if (!Number.isFinite(v)) continue;
      const b = Math.floor((v - lo) * scale);
      this.counts[b < 0 ? 0 : b >= bins ? bins - 1 : b]! += 1;
      this.total++;
    }
  }

  /** Centre of bin b. */
  center(b: number): number {
    return this.lo + (b + 0.5) * this.width;
  }

  /** The value below which a fraction q of the mass lies (linear inside a bin), clamped to [min, max]. */
  quantile(q: number): number {
    if (this.total === 0) return 0;
    const target = q * this.total;
    let acc = 0;
    for (let b = 0; b < this.bins; b++) {
      const c = this.counts[b]!;
      if (c > 0 && acc + c >= target) {
        const v = this.lo + (b + (target - acc) / c) * this.width;
        return Math.min(this.max, Math.max(this.min, v));
      }
      acc += c;
    }
    return this.max;
  }

  private init(min: number, max: number): void {
    this.lo = this.abs ? 0 : min;
    let hi = max;
    // A point mass still needs a positive width; min/max keep the exact value.
    if (hi <= this.lo) hi = this.lo + Math.max(Math.abs(this.lo) * 2 ** -20, 2 ** -100);
    this.hi = hi;
  }

  private grow(min: number, max: number): void {
    const half = this.bins / 2;
    const c = this.counts;
    while (min < this.lo) {
      this.lo = this.hi - 2 * (this.hi - this.lo);
      for (let j = this.bins - 1; j >= half; j--) c[j] = c[2 * (j - half)]! + c[2 * (j - half) + 1]!;
      c.fill(0, 0, half);
    }
    while (max > this.hi) {
      this.hi = this.lo + 2 * (this.hi - this.lo);
      for (let j = 0; j < half; j++) c[j] = c[2 * j]! + c[2 * j + 1]!;
      c.fill(0, half);
    }
  }
}
