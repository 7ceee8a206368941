/** Seeded random numbers for tests: reproducible uniform and normal samples. */

import { seededRandom } from "@quantpass/ir/testing";

/** mulberry32, seeded: uniform numbers in [0, 1) (ir's seededRandom). */
export const rng = seededRandom;

export function uniform(n: number, lo: number, hi: number, seed = 1): Float32Array {
  const r = rng(seed);
  return Float32Array.from({ length: n }, () => lo + (hi - lo) * r());
}

/** Standard normal samples (Box-Muller), scaled by sigma. */
export function normal(n: number, sigma = 1, seed = 1): Float32Array {
  const r = rng(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i += 2) {
    const u = 1 - r();
    const v = r();
    const m = Math.sqrt(-2 * Math.log(u)) * sigma;
    out[i] = m * Math.cos(2 * Math.PI * v);
    if (i + 1 < n) out[i + 1] = m * Math.sin(2 * Math.PI * v);
  }
  return out;
}
