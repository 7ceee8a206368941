/**
 * `percentile`: the range holding the central p% of the values (default p = 99.99),
 * read from a 2048-bin histogram: [quantile(1 - p/100), quantile(p/100)].
 */
import { Histogram } from "./histogram.js";
import { ZERO_RANGE, type Observer, type Range } from "./types.js";

export const DEFAULT_PERCENTILE = 99.99;

export class PercentileObserver implements Observer {
  private readonly h = new Histogram();

  constructor(readonly percentile = DEFAULT_PERCENTILE) {
    if (!(percentile > 50 && percentile <= 100)) throw new RangeError(`percentile must be in (50, 100], got ${percentile}`);
  }

  update(x: Float32Array): void {
    this.h.update(x);
  }

  range(): Range {
    if (this.h.total === 0) return ZERO_RANGE;
    if (this.percentile === 100) return { min: this.h.min, max: this.h.max };
    const q = this.percentile / 100;
    return { min: this.h.quantile(1 - q), max: this.h.quantile(q) };
  }
}
