import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Tensor, type QuantType } from "@quantpass/ir";
import { tsKernels, wasmKernels, type WeightKernels } from "@quantpass/ir/quant-kernels";
import { arbQuantCase } from "@quantpass/ir/testing";
import { dequantizeTensor, fakeQuantTensor, quantizeTensor } from "../ops/quant-math.js";
import { dequantizeTensorFast, fakeQuantTensorFast, quantizeTensorFast } from "./quant-tensor.js";

const bytes = (t: Tensor) => {
  const d = t.data as Float32Array | Uint8Array | Int8Array;
  return Buffer.from(d.buffer, d.byteOffset, d.byteLength);
};

/** The fast functions against the per-element oracle (quant-math.ts), bit for bit. */
function checkAgainstOracle(x: Tensor, q: QuantType, k: WeightKernels): void {
  const ints = quantizeTensor(x, q);
  expect(ints.dtype).toBe(q.storage);
  expect(bytes(quantizeTensorFast(x, q, k)).equals(bytes(ints))).toBe(true);
  expect(bytes(dequantizeTensorFast(ints, q, k)!).equals(bytes(dequantizeTensor(ints, q)))).toBe(true);
  expect(bytes(fakeQuantTensorFast(x, q, k)).equals(bytes(fakeQuantTensor(x, q)))).toBe(true);
}

describe.each([
  ["wasm", () => wasmKernels()!],
  ["ts", () => tsKernels],
] as const)("%s loops", (_name, kernels: () => WeightKernels) => {
  // Shapes, axes, group sizes, every storage, symmetric or not; values with ties, signed
  // zeros, subnormals, NaN (quantizes to the zero point, fake_quant gives 0) and infinities
  // (saturate).
  it("quantize, dequantize and fake_quant equal quant-math.ts bit for bit", () => {
    fc.assert(
      fc.property(arbQuantCase([1, 2, 3, 4, 5, 8]), ({ shape, x, q }) => checkAgainstOracle(new Tensor("f32", shape, x), q, kernels())),
      { numRuns: 500 },
    );
  });

  it("reads f16 input as the oracle does (widened to f32)", () => {
    const x = Tensor.fromNumbers("f16", [2, 3], [0.5, -1.5, 2.5, 1000, -0.25, 3]);
    checkAgainstOracle(x, { storage: "i8", expressed: "f16", granularity: { kind: "per-axis", axis: 0 }, scale: Float32Array.of(0.5, 0.25), zeroPoint: null }, kernels());
  });

  // Larger than the wasm chunk (16,384 elements), odd sizes for the packed int4 runs.
  it.each([
    { shape: [7, 4099], q: { kind: "per-axis", axis: 0 }, storage: "i8" },
    { shape: [7, 4099], q: { kind: "per-group", axis: 1, groupSize: 128 }, storage: "i4" },
    { shape: [4099, 7], q: { kind: "per-axis", axis: 1 }, storage: "u4" },
    { shape: [5, 3, 2001], q: { kind: "per-tensor" }, storage: "u8" },
  ] as const)("$shape $q.kind $storage", ({ shape, q: g, storage }) => {
    const n = shape.reduce<number>((a, b) => a * b, 1);
    const x = Float32Array.from({ length: n }, (_, i) => ((i * 7919) % 4001) / 128 - 15.6);
    const slots = g.kind === "per-tensor" ? 1 : g.kind === "per-axis" ? shape[g.axis]! : (n / shape[g.axis]!) * Math.ceil(shape[g.axis]! / g.groupSize);
    const scale = Float32Array.from({ length: slots }, (_, k) => 0.0625 * (1 + (k % 3)));
    const zeroPoint = storage[0] === "u" ? Int32Array.from({ length: slots }, (_, k) => 3 + (k % 5)) : null;
    checkAgainstOracle(new Tensor("f32", shape, x), { storage, expressed: "f32", granularity: g, scale, zeroPoint }, kernels());
  });
});

it("dequantizeTensorFast declines a dtype other than 8 or 4 bits", () => {
  expect(dequantizeTensorFast(Tensor.fromNumbers("i32", [2], [1, 2]), { storage: "i8", expressed: "f32", granularity: { kind: "per-tensor" }, scale: Float32Array.of(1), zeroPoint: null })).toBeNull();
});
