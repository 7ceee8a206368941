/**
 * Timing: a first (warm-up) run, more warm-up runs for fast implementations, then timed runs
 * of every implementation in turn (round-robin), so that load from other processes on the
 * machine falls on all of them alike. Reports the median of the timed runs.
 *
 * Slow implementations are not run more than needed to keep the bench short: once an
 * implementation has spent its time budget on timed runs it stops (after `minIterations`, or
 * after 1 when its first run alone took a third of the budget), and when its first run took
 * three times the budget or more, that first run is its only sample (reported as cold).
 */

/** A first run this many times the budget is the only sample (no timed run after it). */
const COLD_FACTOR = 3;

export interface Contender {
  impl: string;
  run: () => unknown;
  /** When the caller already ran it once (e.g. to check outputs): how long that took. */
  firstRunMs?: number;
  /** Overrides TimingOptions.budgetMs for this implementation. */
  budgetMs?: number;
}

export interface TimingOptions {
  warmup: number;
  iterations: number;
  minIterations?: number;
  /** Per implementation, timed runs only. */
  budgetMs: number;
}

export interface Timing {
  impl: string;
  medianMs: number;
  minMs: number;
  iterations: number;
  /** The only sample is the first run (it took three times the budget). */
  cold: boolean;
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const h = s.length >> 1;
  return s.length % 2 ? s[h]! : (s[h - 1]! + s[h]!) / 2;
}

async function timed(f: () => unknown): Promise<number> {
  const t0 = performance.now();
  await f();
  return performance.now() - t0;
}

export async function timeRoundRobin(contenders: readonly Contender[], opts: TimingOptions): Promise<Timing[]> {
  const state: Array<{ budget: number; cold: boolean; times: number[]; spent: number; minIter: number }> = [];
  for (const c of contenders) {
    const budget = c.budgetMs ?? opts.budgetMs;
    const first = c.firstRunMs ?? (await timed(c.run));
    const cold = first >= COLD_FACTOR * budget;
    if (!cold && first < budget / 4) for (let i = 1; i < opts.warmup; i++) await c.run();
    state.push({
      budget,
      cold,
      times: cold ? [first] : [],
      spent: 0,
      minIter: first >= budget / 3 ? 1 : (opts.minIterations ?? 3),
    });
  }
  for (let it = 0; it < opts.iterations; it++) {
    let ranAny = false;
    for (let j = 0; j < contenders.length; j++) {
      const s = state[j]!;
      if (s.cold || (s.times.length >= s.minIter && s.spent >= s.budget)) continue;
      const dt = await timed(contenders[j]!.run);
      s.times.push(dt);
      s.spent += dt;
      ranAny = true;
    }
    if (!ranAny) break;
  }
  return contenders.map((c, j) => ({
    impl: c.impl,
    medianMs: median(state[j]!.times),
    minMs: Math.min(...state[j]!.times),
    iterations: state[j]!.times.length,
    cold: state[j]!.cold,
  }));
}
