/**
 * The greedy fallback search (Intel Neural Compressor's "basic" tuning, one layer at a time):
 *
 *   1. score the all-quantized model; if it reaches the target, stop (no layer falls back);
 *   2. leave-one-out sensitivity: score the model with only layer i in float, for every
 *      candidate; gain_i = score_i − score_0;
 *   3. fall back layers in order of decreasing gain (ties: candidate order, i.e. node order),
 *      re-scoring after each, until the target holds or `maxLayers` layers are out;
 *      With `rank` (a cheaper sensitivity measure, e.g. mixed/local.ts), step 2 is replaced by
 *      the order `rank()` returns (most sensitive first) and the first greedy step is scored
 *      like the others; `sensitivity` is then empty (the caller holds its own measure);
 *   4. once the target holds with k > 1 layers out, try each of them back in int8, the last
 *      chosen first, and keep it quantized when the target still holds (backward
 *      elimination). Leave-one-out gains miss layers that only matter together: when two
 *      layers each break the model on their own, leaving either one out gains nothing, so
 *      step 3 may take layers that step 4 then gives back.
 *
 * The search knows nothing of graphs: `score(skip)` builds and scores the model with the
 * layers in `skip` in float. NaN scores count as -Infinity. Deterministic for a deterministic
 * `score`. A prefix whose score does not improve is kept (a layer can matter only together with
 * another); `best` records the best prefix seen, for the error when the target is not reached.
 */

export interface SearchOptions {
  /** Layers that may fall back, in node order. */
  readonly candidates: readonly string[];
  /** The score to reach (higher is better). */
  readonly target: number;
  /** At most this many layers fall back (default: all candidates). */
  readonly maxLayers?: number;
  /** Scores the model with `skip` in float. */
  score(skip: readonly string[]): Promise<number>;
  /**
   * Replaces leave-one-out: the candidates, most sensitive first (a permutation of them, or a
   * subset: the rest are never tried). Called only when the all-quantized model misses the target.
   */
  rank?(): Promise<readonly string[]>;
  /** After each evaluation: evaluations done, an upper bound of the total. */
  progress?(done: number, total: number): void;
}

export interface Sensitivity {
  readonly layer: string;
  /** Score with only this layer in float. */
  readonly score: number;
  /** score − the all-quantized score. */
  readonly gain: number;
}

export interface SearchResult {
  /** Score of the all-quantized model. */
  readonly scoreBefore: number;
  /** Score with `layers` in float. */
  readonly scoreAfter: number;
  /** The layers that fall back, in the order they were chosen. */
  readonly layers: readonly string[];
  /** Leave-one-out sensitivity of every candidate, in candidate order (empty when step 1 stopped, or with `rank`). */
  readonly sensitivity: readonly Sensitivity[];
  /** Score after each greedy step (steps[k]: with the first k + 1 layers chosen in float). */
  readonly steps: readonly number[];
  /** Layers step 4 put back in int8 (chosen in step 3, not in `layers`). */
  readonly requantized: readonly string[];
  /** Whether scoreAfter reaches the target. */
  readonly met: boolean;
  /** The best score seen along the greedy path and its layers. */
  readonly best: { readonly score: number; readonly layers: readonly string[] };
  /** How many models were scored. */
  readonly evaluations: number;
}

const num = (v: number) => (Number.isNaN(v) ? -Infinity : v);

export async function greedyFallback(o: SearchOptions): Promise<SearchResult> {
  const n = o.candidates.length;
  const max = Math.min(o.maxLayers ?? n, n);
  const total = 1 + (o.rank ? 0 : n) + 2 * max;
  let evaluations = 0;
  const score = async (skip: readonly string[]) => {
    const s = num(await o.score(skip));
    evaluations++;
    o.progress?.(evaluations, total);
    return s;
  };
  const before = await score([]);
  if (before >= o.target || max === 0) {
    o.progress?.(total, total);
    return { scoreBefore: before, scoreAfter: before, layers: [], sensitivity: [], steps: [], met: before >= o.target, best: { score: before, layers: [] }, requantized: [], evaluations };
  }
  const sensitivity: Sensitivity[] = [];
  let order: { layer: string; score?: number }[];
  if (o.rank) order = (await o.rank()).map((layer) => ({ layer }));
  else {
    for (const layer of o.candidates) {
      const s = await score([layer]);
      sensitivity.push({ layer, score: s, gain: s === before ? 0 : s - before });
    }
    // By score (= by gain, without ∞ − ∞); equal scores keep candidate (node) order.
    const cmp = (a: number, b: number) => (a === b ? 0 : a > b ? -1 : 1);
    order = sensitivity.map((s, k) => ({ s, k })).sort((a, b) => cmp(a.s.score, b.s.score) || a.k - b.k).map((x) => x.s);
  }
  const layers: string[] = [];
  const steps: number[] = [];
  let best = { score: before, layers: [] as readonly string[] };
  let current = before;
  for (const s of order) {
    if (layers.length >= max) break;
    layers.push(s.layer);
    // The first step is a leave-one-out model already scored (not with `rank`).
    current = layers.length === 1 && s.score !== undefined ? s.score : await score(layers);
    steps.push(current);
    if (current > best.score) best = { score: current, layers: [...layers] };
    if (current >= o.target) break;
  }
  const requantized: string[] = [];
  if (current >= o.target)
    for (const layer of [...layers].reverse()) {
      if (layers.length === 1) break;
      const without = layers.filter((l) => l !== layer);
      const s = await score(without);
      if (s < o.target) continue;
      layers.splice(layers.indexOf(layer), 1);
      requantized.push(layer);
      current = s;
    }
  o.progress?.(total, total);
  return { scoreBefore: before, scoreAfter: current, layers, sensitivity, steps, met: current >= o.target, best, requantized, evaluations };
}
