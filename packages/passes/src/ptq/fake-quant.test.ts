import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CpuInterpreter } from "@quantpass/backends";
import { dequantizeValue, GraphBuilder, intRange, quantizeValue, Tensor, UserError, verify, ZERO_RANGE_SCALE, type Graph, type StorageDType } from "@quantpass/ir";
import { qparams, runPipeline } from "../index.js";
import { listData, randomFeeds } from "../testing/data.js";
import { uniform } from "../testing/random.js";

const cpu = new CpuInterpreter();

describe("qparams (range → scale, zero point)", () => {
  const storage = fc.constantFrom<StorageDType>("i8", "u8", "i4", "u4");
  const finite = fc.double({ min: -1e6, max: 1e6, noNaN: true });

  it("quantize/dequantize error is at most scale/2 inside the range", () => {
    fc.assert(
      fc.property(finite, finite, storage, fc.boolean(), fc.double({ min: 0, max: 1, noNaN: true }), (a, b, st, sym, t) => {
        const [min, max] = a <= b ? [a, b] : [b, a];
        const { scale, zeroPoint } = qparams(min, max, st, sym);
        expect(scale).toBeGreaterThan(0);
        expect(Math.fround(scale)).toBe(scale);
        const [qmin, qmax] = intRange(st);
        if (zeroPoint !== null) expect(zeroPoint >= qmin && zeroPoint <= qmax).toBe(true);
        const x = Math.fround(min + (max - min) * t);
        const zp = zeroPoint ?? 0;
        const y = dequantizeValue(quantizeValue(x, scale, zp, qmin, qmax), scale, zp);
        // scale/2, plus float32 rounding of the scale over the whole grid and of the product.
        const bound = scale / 2 + scale * (qmax - qmin) * 2 ** -23 + Math.abs(x) * 2 ** -22 + 1e-45;
        expect(Math.abs(y - x)).toBeLessThanOrEqual(bound);
      }),
      { numRuns: 2000 },
    );
  });

  it("represents 0 exactly and keeps the range inside the grid", () => {
    fc.assert(
      fc.property(finite, finite, storage, fc.boolean(), (a, b, st, sym) => {
        const [min, max] = a <= b ? [a, b] : [b, a];
        const { scale, zeroPoint } = qparams(min, max, st, sym);
        const [qmin, qmax] = intRange(st);
        expect(dequantizeValue(quantizeValue(0, scale, zeroPoint ?? 0, qmin, qmax), scale, zeroPoint ?? 0)).toBe(0);
      }),
    );
  });

  it("gives ZERO_RANGE_SCALE for a zero or tiny range and rejects non-finite or float32-overflowing ranges", () => {
    expect(qparams(0, 0, "i8", true)).toEqual({ scale: ZERO_RANGE_SCALE, zeroPoint: null });
    expect(qparams(0, 0, "u8", false)).toEqual({ scale: ZERO_RANGE_SCALE, zeroPoint: 0 });
    expect(qparams(0, 0, "i8", false).zeroPoint).toBe(-128);
    expect(() => qparams(NaN, 1, "i8", true)).toThrow(UserError);
    expect(() => qparams(0, Infinity, "i8", true, "observer 'x.q'")).toThrow(/observer 'x.q': cannot quantize the range \[0, Infinity\]/);
    expect(() => qparams(-1e300, 1e300, "i4", false)).toThrow(/too wide for a float32 scale/);
    // Scales below ZERO_RANGE_SCALE are raised to it (as torch's eps floor).
    expect(qparams(0, 1e-42, "i8", true).scale).toBe(ZERO_RANGE_SCALE);
  });
});

/** y = x W (+ b): the single-layer graph of the numeric bound. */
function layer(k: number, n: number, seed: number, gemm: boolean): Graph {
  const b = new GraphBuilder("layer");
  const x = b.input("x", "f32", ["b", k]);
  const w = b.constant("w", Tensor.f32(gemm ? [n, k] : [k, n], uniform(k * n, -2, 2, seed)));
  if (gemm) b.output(b.op1("Gemm", [x, w, b.constant("bias", Tensor.f32([n], uniform(n, -1, 1, seed + 1)))], { transB: 1 }, { name: "fc" }));
  else b.output(b.op1("MatMul", [x, w], {}, { name: "fc" }));
  return b.build();
}

describe("fake-quant", () => {
  it("stays within the documented bound of the float graph on inputs inside the calibrated range", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 16 }), fc.integer({ min: 1, max: 6 }), fc.nat(1e6), fc.boolean(), fc.boolean(),
        fc.constantFrom("int8", "int4"), fc.constantFrom("per-tensor", "per-channel", "per-group"),
        async (k, n, seed, gemm, symmetric, wdt, gran) => {
          const g = layer(k, n, seed, gemm);
          const feeds = randomFeeds(g, seed, -1, 1, 4);
          const fq = (await runPipeline(g, `insert-observers,calibrate,fake-quant{symmetric=${symmetric},weight_dtype=${wdt},granularity=${gran},group_size=32}`, { executor: cpu, data: listData([feeds]) })).graph;
          verify(fq);
          const sx = fq.nodes.find((n2) => n2.op === "fake_quant" && n2.inputs[0] === "x")!.attrs.scale as number[];
          const wq = fq.nodes.find((n2) => n2.op === "fake_quant" && n2.inputs[0] === "w")!;
          const wScale = wq.attrs.scale as number[];
          // Scale of W element (kk, j) for the granularity chosen.
          const sw = (kk: number, j: number) => (gran === "per-tensor" ? wScale[0]! : gran === "per-channel" ? wScale[j]! : wScale[gemm ? j * Math.ceil(k / 32) + Math.floor(kk / 32) : Math.floor(kk / 32) * n + j]!);
          const y = (await cpu.run(g, feeds))[g.outputs[0]!]!.toF32();
          const yq = (await cpu.run(fq, feeds))[g.outputs[0]!]!.toF32();
          const x = feeds.x!.toF32();
          const w = g.constants.w!.toF32();
          const W = (kk: number, j: number) => (gemm ? w[j * k + kk]! : w[kk * n + j]!);
          const rows = x.length / k;
          for (let r = 0; r < rows; r++)
            for (let j = 0; j < n; j++) {
              // |Δy| <= Σ_k (sx/2 |W| + |x| sw/2 + sx sw / 4), plus float32 rounding of both sums.
              let bound = 0;
              let mag = 0;
              for (let kk = 0; kk < k; kk++) {
                const xv = Math.abs(x[r * k + kk]!);
                const wv = Math.abs(W(kk, j));
                bound += (sx[0]! / 2) * wv + (xv * sw(kk, j)) / 2 + (sx[0]! * sw(kk, j)) / 4;
                mag += (xv + sx[0]!) * (wv + sw(kk, j));
              }
              const tol = bound * (1 + 2 ** -10) + (mag + 1) * k * 2 ** -22;
              expect(Math.abs(yq[r * n + j]! - y[r * n + j]!)).toBeLessThanOrEqual(tol);
            }
        },
      ),
      { numRuns: 80 },
    );
  });

  it("quantizes per-channel observers per axis and checks ranges", async () => {
    const g = layer(3, 2, 1, false);
    const feeds = { x: Tensor.f32([2, 3], [-1, 0, 4, 2, 0, -8]) };
    const r = await runPipeline(g, "insert-observers{per_channel=true},calibrate,fake-quant{symmetric=true}", { executor: cpu, data: listData([feeds]) });
    const fqx = r.graph.nodes.find((n) => n.inputs[0] === "x")!;
    expect(fqx.attrs).toEqual({ storage: "i8", scale: [Math.fround(2 / 127), ZERO_RANGE_SCALE, Math.fround(8 / 127)], axis: 1 });
  });

  it("rejects an observer without a range and NaN or Infinity weights, naming them", async () => {
    const g = layer(2, 1, 1, false);
    const obs = (await runPipeline(g, "insert-observers")).graph;
    await expect(runPipeline({ ...obs, stage: "calibrated" }, "fake-quant")).rejects.toThrow(/observer 'x.q' has no calibrated range \(run calibrate before fake-quant\)/);
    for (const bad of [NaN, Infinity, -Infinity]) {
      const w = Tensor.f32([2, 1], [1, bad]);
      const broken = { ...g, constants: { w } };
      await expect(runPipeline(broken, "rtn")).rejects.toThrow(new RegExp(`weight '%w' of node 'fc' holds ${String(bad)} at element 1`));
      await expect(runPipeline(broken, "rtn")).rejects.toThrow(UserError);
    }
  });

  it("gives ZERO_RANGE_SCALE to an observer that saw only zeros, NaN or Infinity", async () => {
    const g = layer(2, 1, 1, false);
    const data = listData([{ x: Tensor.f32([2, 2], [0, NaN, Infinity, -Infinity]) }]);
    const r = await runPipeline(g, "insert-observers,calibrate,fake-quant", { executor: cpu, data });
    const fqx = r.graph.nodes.find((n) => n.inputs[0] === "x")!;
    expect(fqx.attrs).toEqual({ storage: "i8", scale: [ZERO_RANGE_SCALE], zero_point: [-128] });
    // At run time NaN quantizes to the zero point (0.0) and ±Infinity saturates.
    const y = (await cpu.run(r.graph, { x: Tensor.f32([1, 2], [NaN, 0]) }))[g.outputs[0]!]!;
    expect(Number.isNaN(y.get(0))).toBe(false);
  });
});
