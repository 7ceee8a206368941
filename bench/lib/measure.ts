/**
 * Timing: warm-up runs, then timed runs of every implementation in turn (round-robin), so
 * that load from other processes on the machine falls on all of them alike. Median of the
 * timed runs; stops early once an implementation has used its time budget (after at least
 * `minIterations` runs).
 */

export interface Contender {
  impl: string;
  run: () => unknown;
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
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const h = s.length >> 1;
  return s.length % 2 ? s[h]! : (s[h - 1]! + s[h]!) / 2;
}

export async function timeRoundRobin(contenders: readonly Contender[], opts: TimingOptions): Promise<Timing[]> {
  for (const c of contenders) for (let i = 0; i < opts.warmup; i++) await c.run();
  const times = contenders.map(() => [] as number[]);
  const spent = contenders.map(() => 0);
  const minIter = opts.minIterations ?? 3;
  for (let it = 0; it < opts.iterations; it++) {
    let ranAny = false;
    for (let j = 0; j < contenders.length; j++) {
      if (times[j]!.length >= minIter && spent[j]! >= opts.budgetMs) continue;
      const t0 = performance.now();
      await contenders[j]!.run();
      const dt = performance.now() - t0;
      times[j]!.push(dt);
      spent[j]! += dt;
      ranAny = true;
    }
    if (!ranAny) break;
  }
  return contenders.map((c, j) => ({
    impl: c.impl,
    medianMs: median(times[j]!),
    minMs: Math.min(...times[j]!),
    iterations: times[j]!.length,
  }));
}
