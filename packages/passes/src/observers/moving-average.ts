/**
 * `moving-average`: exponential moving average of each batch's min and max, as torch's
 * MovingAverageMinMaxObserver: the first batch sets the range, then
 * min += c * (batch_min - min) (same for max), with c = 0.01 by default.
 */
import { finiteMinMax, ZERO_RANGE, type Observer, type Range } from "./types.js";

export const MOVING_AVERAGE_CONSTANT = 0.01;

export class MovingAverageObserver implements Observer {
  private r: Range | undefined;

  constructor(readonly c = MOVING_AVERAGE_CONSTANT) {
    if (!(c > 0 && c <= 1)) throw new RangeError(`moving-average constant must be in (0, 1], got ${c}`);
  }

  update(x: Float32Array): void {
    const b = finiteMinMax(x);
    if (!b) return;
    const r = this.r;
    this.r = r ? { min: r.min + this.c * (b.min - r.min), max: r.max + this.c * (b.max - r.max) } : b;
  }

  range(): Range {
    return this.r ?? ZERO_RANGE;
  }
}
