/** Helpers shared by the kernel tests (deterministic data, bitwise comparison). */

import { seededRandom } from "@quantpass/ir/testing";

/** mulberry32 (ir's seededRandom): a small deterministic PRNG, so fast-check only has to shrink a seed. */
export const rng = seededRandom;

/** Uniform values in [-scale, scale). */
export function randomF32(length: number, seed: number, scale = 1): Float32Array {
  const r = rng(seed);
  const out = new Float32Array(length);
  for (let i = 0; i < length; i++) out[i] = (r() * 2 - 1) * scale;
  return out;
}

export function randomI8(length: number, seed: number): Int8Array {
  const r = rng(seed);
  const out = new Int8Array(length);
  for (let i = 0; i < length; i++) out[i] = Math.floor(r() * 256) - 128;
  return out;
}

/**
 * Index of the first element whose bits differ (any NaN equals any NaN), or -1.
 * Bitwise, so +0 and -0 differ.
 */
export function firstBitDifference(x: Float32Array, y: Float32Array): number {
  if (x.length !== y.length) return Math.min(x.length, y.length);
  const xb = new Uint32Array(x.buffer, x.byteOffset, x.length);
  const yb = new Uint32Array(y.buffer, y.byteOffset, y.length);
  for (let i = 0; i < x.length; i++) {
    if (xb[i] !== yb[i] && !(Number.isNaN(x[i]) && Number.isNaN(y[i]))) return i;
  }
  return -1;
}
