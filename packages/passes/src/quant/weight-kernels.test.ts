import fc from "fast-check";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { intRange, quantizeValue, scaleCount, scaleIndex, Tensor, UserError, type Granularity, type QuantType, type StorageDType } from "@quantpass/ir";
import { weightKernels } from "@quantpass/ir/quant-kernels";
import { arbQuantCase, arbQuantValue as arbValue } from "@quantpass/ir/testing";
import { normal } from "../testing/random.js";
import { quantizeConstant } from "./int-tensor.js";
import { qparams } from "./params.js";
import { quantizeWeight, weightGranularity, weightQuantType, weightStorage, type WeightQuantOptions } from "./weights.js";

/** The per-element definitions the kernels must reproduce bit for bit. */
function refQuantize(x: Tensor, q: QuantType): Tensor {
  const xs = x.toF32();
  const out = Tensor.zeros(q.storage, x.shape);
  const idx = scaleIndex(q.granularity, x.shape);
  const [lo, hi] = intRange(q.storage);
  for (let i = 0; i < xs.length; i++) out.set(i, quantizeValue(xs[i]!, q.scale![idx[i]!]!, q.zeroPoint ? q.zeroPoint[idx[i]!]! : 0, lo, hi));
  return out;
}

function refParams(x: Float32Array, shape: number[], g: Granularity, storage: StorageDType, sym: boolean): { scale: number[]; zp: number[] } {
  const n = scaleCount(g, shape);
  const idx = scaleIndex(g, shape);
  const min = new Float64Array(n).fill(Infinity);
  const max = new Float64Array(n).fill(-Infinity);
  x.forEach((v, i) => {
    if (v < min[idx[i]!]!) min[idx[i]!] = v;
    if (v > max[idx[i]!]!) max[idx[i]!] = v;
  });
  const scale: number[] = [];
  const zp: number[] = [];
  for (let k = 0; k < n; k++) {
    const p = min[k]! <= max[k]! ? qparams(min[k]!, max[k]!, storage, sym) : qparams(0, 0, storage, sym);
    scale.push(p.scale);
    if (p.zeroPoint !== null) zp.push(p.zeroPoint);
  }
  return { scale, zp };
}

const bits = (t: Tensor) => Array.from(t.data as Uint8Array | Int8Array);

const weightOpts = (weight_dtype: "int8" | "int4", weight_symmetric: boolean, granularity: WeightQuantOptions["granularity"], group_size = 32): WeightQuantOptions => ({
  weight_dtype, weight_symmetric, granularity, group_size,
});

describe.each(["wasm", "ts"] as const)("%s weight kernels", (impl) => {
  let prev: string | undefined;
  beforeEach(() => {
    prev = process.env.QUANTPASS_WEIGHT_KERNELS;
    process.env.QUANTPASS_WEIGHT_KERNELS = impl;
    expect(weightKernels().name).toBe(impl);
  });
  afterEach(() => {
    if (prev === undefined) delete process.env.QUANTPASS_WEIGHT_KERNELS;
    else process.env.QUANTPASS_WEIGHT_KERNELS = prev;
  });

  it("quantizeConstant equals quantizeValue per element (NaN, infinities, ties, every storage)", () => {
    fc.assert(
      fc.property(arbQuantCase(), ({ shape, x, q }) => {
        const t = new Tensor("f32", shape, x);
        expect(bits(quantizeConstant(t, q))).toEqual(bits(refQuantize(t, q)));
      }),
      { numRuns: 400 },
    );
  });

  it("weight parameters and values equal the per-element definitions", () => {
    const arbCase = fc
      .record({
        rows: fc.integer({ min: 1, max: 6 }),
        cols: fc.integer({ min: 1, max: 70 }),
        opts: fc.record({
          weight_dtype: fc.constantFrom("int8" as const, "int4" as const),
          weight_symmetric: fc.boolean(),
          granularity: fc.constantFrom("per-tensor" as const, "per-channel" as const, "per-group" as const),
          group_size: fc.constant(32),
        }),
        outAxis: fc.constantFrom(0, 1),
      })
      .chain((c) => fc.tuple(fc.constant(c), fc.array(arbValue, { minLength: c.rows * c.cols, maxLength: c.rows * c.cols })));
    fc.assert(
      fc.property(arbCase, ([{ rows, cols, opts, outAxis }, values]) => {
        const o: WeightQuantOptions = opts;
        const shape = [rows, cols];
        const site = { value: "w", outAxis, inAxis: 1 - outAxis };
        const x = Float32Array.from(values);
        const t = new Tensor("f32", shape, x);
        const q = weightQuantType(t, site, o, "n");
        const ref = refParams(x, shape, weightGranularity(site, o), weightStorage(o), o.weight_symmetric);
        expect(Array.from(q.scale!)).toEqual(ref.scale);
        expect(q.zeroPoint ? Array.from(q.zeroPoint) : []).toEqual(ref.zp);
        expect(bits(quantizeWeight(t, site, o).values)).toEqual(bits(refQuantize(t, q)));
      }),
      { numRuns: 300 },
    );
  });

  // Larger than the wasm chunk (16,384 elements): runs cross chunk boundaries, odd starts and
  // lengths for int4, strided runs longer than a chunk.
  it.each([
    { shape: [3, 20011], outAxis: 0, dtype: "int8", gran: "per-channel" },
    { shape: [5, 7001], outAxis: 0, dtype: "int4", gran: "per-group" },
    { shape: [5, 7001], outAxis: 0, dtype: "int8", gran: "per-group" },
    { shape: [9, 5003], outAxis: 1, dtype: "int8", gran: "per-channel" },
    { shape: [9, 5003], outAxis: 1, dtype: "int4", gran: "per-channel" },
    { shape: [67, 1001], outAxis: 1, dtype: "int4", gran: "per-group" },
    { shape: [67, 1001], outAxis: 1, dtype: "int8", gran: "per-group" },
    { shape: [3, 11001], outAxis: 0, dtype: "int4", gran: "per-tensor" },
    { shape: [20, 3, 3, 333], outAxis: 0, dtype: "int8", gran: "per-channel" },
  ] as const)("$shape $dtype $gran (outAxis $outAxis), symmetric and not, bit for bit", ({ shape, outAxis, dtype, gran }) => {
    const n = shape.reduce((a, b) => a * b, 1);
    const x = normal(n, 0.02, n);
    for (let i = 0; i < n; i += 997) x[i] = (i % 3) * 0.5 * x[i + 1]!; // zeros and exact halves of a neighbour
    const t = new Tensor("f32", shape, x);
    const site = { value: "w", outAxis, inAxis: outAxis === 0 ? 1 : 0 };
    for (const sym of [true, false]) {
      const o = weightOpts(dtype, sym, gran);
      const q = weightQuantType(t, site, o, "n");
      const ref = refParams(x, [...shape], weightGranularity(site, o), weightStorage(o), sym);
      expect(Array.from(q.scale!)).toEqual(ref.scale);
      expect(q.zeroPoint ? Array.from(q.zeroPoint) : []).toEqual(ref.zp);
      expect(Buffer.from(quantizeWeight(t, site, o).values.data as Uint8Array).equals(Buffer.from(refQuantize(t, q).data as Uint8Array))).toBe(true);
    }
  });

  it("names the first NaN or infinity of a weight", () => {
    const x = new Float32Array(40000).fill(1);
    x[77] = NaN;
    x[30000] = Infinity;
    for (const sym of [true, false])
      for (const gran of ["per-group", "per-channel", "per-tensor"] as const)
        for (const outAxis of [0, 1]) {
          const f = () => weightQuantType(new Tensor("f32", [4, 10000], x), { value: "w", outAxis, inAxis: 1 - outAxis }, weightOpts("int8", sym, gran), "mm");
          expect(f).toThrow(UserError);
          expect(f).toThrow("weight '%w' of node 'mm' holds NaN at element 77");
        }
    x[77] = 1;
    for (const sym of [true, false])
      expect(() => weightQuantType(new Tensor("f32", [4, 10000], x), { value: "w", outAxis: 1, inAxis: 0 }, weightOpts("int4", sym, "per-channel"), "mm")).toThrow(
        "holds Infinity at element 30000",
      );
  });
});
