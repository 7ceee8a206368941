import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { intRange } from "../dtype.js";
import { dequantizeValue, quantizeValue, scaleIndex } from "../quant.js";
import { arbGranularity, arbQuantCase, arbSmallShape } from "../testing/quant-arbitraries.js";
import type { QuantType } from "../types.js";
import { forEachScaleRun, tsKernels, wasmKernels, weightKernels, type WeightKernels } from "./index.js";

it("forEachScaleRun visits every element once, in order, with scaleIndex's slot", () => {
  fc.assert(
    fc.property(arbSmallShape.chain((shape) => fc.tuple(fc.constant(shape), arbGranularity(shape.length, [1, 2, 3, 4]))), ([shape, g]) => {
      const idx = scaleIndex(g, shape);
      let next = 0;
      forEachScaleRun(shape, g, (start, end, k, strided) => {
        expect(start).toBe(next);
        for (let i = start; i < end; i++) expect(idx[i]).toBe(strided ? k + i - start : k);
        next = end;
      });
      expect(next).toBe(idx.length);
    }),
    { numRuns: 300 },
  );
});

it("runs the WebAssembly kernels by default in Node, the TypeScript ones with QUANTPASS_WEIGHT_KERNELS=ts", () => {
  expect(wasmKernels()).not.toBeNull();
  const prev = process.env.QUANTPASS_WEIGHT_KERNELS;
  try {
    delete process.env.QUANTPASS_WEIGHT_KERNELS;
    expect(weightKernels().name).toBe("wasm");
    process.env.QUANTPASS_WEIGHT_KERNELS = "ts";
    expect(weightKernels()).toBe(tsKernels);
  } finally {
    if (prev === undefined) delete process.env.QUANTPASS_WEIGHT_KERNELS;
    else process.env.QUANTPASS_WEIGHT_KERNELS = prev;
  }
});

/** Per-element definitions: the integers quantizeValue gives, and dequantizeValue of them. */
function reference(x: Float32Array, shape: number[], q: QuantType): { ints: number[]; deq: Float32Array } {
  const idx = scaleIndex(q.granularity, shape);
  const [lo, hi] = intRange(q.storage);
  const ints = Array.from(x, (v, i) => quantizeValue(v, q.scale![idx[i]!]!, q.zeroPoint ? q.zeroPoint[idx[i]!]! : 0, lo, hi));
  const deq = Float32Array.from(ints, (v, i) => dequantizeValue(v, q.scale![idx[i]!]!, q.zeroPoint ? q.zeroPoint[idx[i]!]! : 0));
  return { ints, deq };
}

const bits = (a: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

describe.each([
  ["wasm", () => wasmKernels()!],
  ["ts", () => tsKernels],
] as const)("%s kernels", (_name, kernels: () => WeightKernels) => {
  it("fakeQuantInto and dequantizeInto equal dequantizeValue(quantizeValue) per element, bit for bit", () => {
    fc.assert(
      fc.property(arbQuantCase(), ({ shape, x, q }) => {
        const k = kernels();
        const [lo, hi] = intRange(q.storage);
        const ref = reference(x, shape, q);
        const fq = new Float32Array(x.length);
        k.fakeQuantInto(x, fq, shape, q.granularity, q.scale!, q.zeroPoint, lo, hi);
        expect(bits(fq).equals(bits(ref.deq))).toBe(true);
        const ints = lo < 0 ? Int8Array.from(ref.ints) : Uint8Array.from(ref.ints);
        const dq = new Float32Array(x.length);
        k.dequantizeInto(ints, dq, shape, q.granularity, q.scale!, q.zeroPoint);
        expect(bits(dq).equals(bits(ref.deq))).toBe(true);
      }),
      { numRuns: 400 },
    );
  });

  // Larger than the wasm chunk (16,384 elements): runs and strided runs cross chunk boundaries.
  it.each([
    { shape: [3, 20011], g: { kind: "per-axis", axis: 0 } },
    { shape: [9, 5003], g: { kind: "per-axis", axis: 1 } },
    { shape: [5, 7001], g: { kind: "per-group", axis: 1, groupSize: 128 } },
    { shape: [67, 1001], g: { kind: "per-group", axis: 0, groupSize: 32 } },
    { shape: [3, 11001], g: { kind: "per-tensor" } },
  ] as const)("$shape $g.kind, every storage, bit for bit", ({ shape, g }) => {
    const n = shape[0] * shape[1];
    const x = Float32Array.from({ length: n }, (_, i) => ((i * 7919) % 2003) / 64 - 15.6); // ties (k/64) among others
    x[100] = NaN;
    x[n - 3] = -Infinity;
    const slots = g.kind === "per-tensor" ? 1 : g.kind === "per-axis" ? shape[g.axis] : (shape[0] * shape[1] * Math.ceil(shape[g.axis] / g.groupSize)) / shape[g.axis];
    for (const storage of ["i8", "u8", "i4", "u4"] as const) {
      const scale = Float32Array.from({ length: slots }, (_, k) => 0.03125 * (1 + (k % 5)));
      const q: QuantType = { storage, expressed: "f32", granularity: g, scale, zeroPoint: storage[0] === "u" ? Int32Array.from({ length: slots }, (_, k) => k % 8) : null };
      const [lo, hi] = intRange(storage);
      const ref = reference(x, [...shape], q);
      const fq = new Float32Array(n);
      kernels().fakeQuantInto(x, fq, shape, g, scale, q.zeroPoint, lo, hi);
      expect(bits(fq).equals(bits(ref.deq))).toBe(true);
      const dq = new Float32Array(n);
      kernels().dequantizeInto(lo < 0 ? Int8Array.from(ref.ints) : Uint8Array.from(ref.ints), dq, shape, g, scale, q.zeroPoint);
      expect(bits(dq).equals(bits(ref.deq))).toBe(true);
    }
  });
});
