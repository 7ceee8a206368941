/** `minmax`: the exact smallest and largest finite value over all batches. */
import { finiteMinMax, ZERO_RANGE, type Observer, type Range } from "./types.js";

export class MinMaxObserver implements Observer {
  private min = Infinity;
  private max = -Infinity;

  update(x: Float32Array): void {
    const r = finiteMinMax(x);
    if (!r) return;
    if (r.min < this.min) this.min = r.min;
    if (r.max > this.max) this.max = r.max;
  }

  range(): Range {
    return this.min <= this.max ? { min: this.min, max: this.max } : ZERO_RANGE;
  }
}
