/** Seeded random numbers for tests and fixtures (`@quantpass/ir/testing`). */

/**
 * mulberry32: a small, fast PRNG returning uniform numbers in [0, 1). The same seed (taken
 * as an unsigned 32-bit integer) gives the same sequence on every platform, so fixtures and
 * goldens generated from it are stable, and fast-check only has to shrink a seed.
 */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
