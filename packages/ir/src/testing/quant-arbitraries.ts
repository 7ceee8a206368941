/**
 * fast-check arbitraries for quantization loops: small shapes, granularities over any axis,
 * values with ties, signed zeros, subnormals, large magnitudes, NaN and infinities, and
 * QuantTypes over every storage, symmetric or not (`@quantpass/ir/testing`).
 */
import fc from "fast-check";
import { scaleCount } from "../quant.js";
import type { Granularity, QuantType, StorageDType } from "../types.js";

/** Rank 1 to 4, dims 1 to 7. */
export const arbSmallShape: fc.Arbitrary<number[]> = fc.array(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 4 });

/** Per-tensor, per-axis or per-group (group sizes from `groups`) over an axis of a tensor of the given rank. */
export const arbGranularity = (rank: number, groups: readonly number[]): fc.Arbitrary<Granularity> =>
  fc.oneof(
    fc.constant<Granularity>({ kind: "per-tensor" }),
    fc.integer({ min: 0, max: rank - 1 }).map((axis): Granularity => ({ kind: "per-axis", axis })),
    fc.tuple(fc.integer({ min: 0, max: rank - 1 }), fc.constantFrom(...groups)).map(([axis, groupSize]): Granularity => ({ kind: "per-group", axis, groupSize })),
  );

/** Finite values with ties, signed zeros, subnormals and large magnitudes among ordinary ones. */
export const arbQuantValue: fc.Arbitrary<number> = fc.oneof(
  fc.float({ noNaN: true, noDefaultInfinity: true, min: -4, max: 4 }),
  fc.integer({ min: -600, max: 600 }).map((k) => k / 4),
  fc.constantFrom(0, -0, 1e-40, -1e-40, 3e38, -3e38, 0.5, -0.5, 1.5, -2.5),
);

/**
 * A tensor's shape, f32 data (NaN and infinities included) and a QuantType for it: every
 * storage, per-tensor/per-axis/per-group (group sizes from `groups`), scales from tiny to 8
 * (one a slot, differing between slots), zero points or none.
 */
export function arbQuantCase(groups: readonly number[] = [1, 2, 3, 5]): fc.Arbitrary<{ shape: number[]; x: Float32Array; q: QuantType }> {
  return arbSmallShape.chain((shape) => {
    const n = shape.reduce((a, b) => a * b, 1);
    return fc
      .record({
        g: arbGranularity(shape.length, groups),
        storage: fc.constantFrom<StorageDType>("i8", "u8", "i4", "u4"),
        x: fc.array(fc.oneof(arbQuantValue, fc.constantFrom(NaN, Infinity, -Infinity)), { minLength: n, maxLength: n }),
        scale: fc.oneof(fc.constantFrom(0.5, 0.25, 1e-38, 1.1920928955078125e-7), fc.float({ min: Math.fround(1e-3), max: 8, noNaN: true })),
        zp: fc.option(fc.integer({ min: 0, max: 15 })),
        seed: fc.integer(),
      })
      .map(({ g, storage, x, scale, zp, seed }) => {
        const slots = scaleCount(g, shape);
        const q: QuantType = {
          storage,
          expressed: "f32",
          granularity: g,
          scale: Float32Array.from({ length: slots }, (_, k) => scale * (1 + ((k * 7 + seed) & 3))),
          zeroPoint: zp === null ? null : Int32Array.from({ length: slots }, (_, k) => (zp + k) % 8),
        };
        return { shape, x: Float32Array.from(x), q };
      });
  });
}
