import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CpuInterpreter } from "@quantpass/backends";
import { verify, type Graph, type Tensor } from "@quantpass/ir";
import { runPipeline } from "../index.js";
import { arbQuantGraph, type GraphCase } from "../testing/arb-quant.js";
import { randomData, randomFeeds } from "../testing/data.js";
import { firstDiff, sameBits } from "../testing/run.js";

const cpu = new CpuInterpreter();

async function outputs(g: Graph, feeds: Record<string, Tensor>): Promise<Tensor[]> {
  const r = await cpu.run(g, feeds);
  return g.outputs.map((o) => r[o]!);
}

async function expectSameBits(a: Graph, b: Graph, feeds: Record<string, Tensor>): Promise<void> {
  const [ya, yb] = [await outputs(a, feeds), await outputs(b, feeds)];
  expect(b.outputs).toEqual(a.outputs);
  ya.forEach((t, k) => expect(sameBits(t, yb[k]!), `output ${a.outputs[k]}: ${firstDiff(t, yb[k]!)}`).toBe(true));
}

const weightOpts = fc.record({
  weight_dtype: fc.constantFrom("int8", "int4"),
  weight_symmetric: fc.boolean(),
  granularity: fc.constantFrom("per-tensor", "per-channel", "per-group"),
  group_size: fc.constantFrom(32, 64),
});
const opt = (o: Record<string, unknown>) => Object.entries(o).map(([k, v]) => `${k}=${v}`).join(",");

describe("fold-to-int", () => {
  it("of a weight-only graph gives the fake-quant graph's outputs bit for bit", async () => {
    await fc.assert(
      fc.asyncProperty(arbQuantGraph, weightOpts, async ({ graph, seed }: GraphCase, w) => {
        const fq = (await runPipeline(graph, `rtn{${opt(w)}}`)).graph;
        const r = await runPipeline(fq, "fold-to-int");
        verify(r.graph);
        expect(r.graph.stage).toBe("int");
        expect(r.graph.nodes.some((n) => n.op === "fake_quant")).toBe(false);
        // Every MatMul/Gemm with a 2-D weight is fused (Gemm here always has alpha = beta = 1).
        const fused = r.graph.nodes.filter((n) => n.op === "weight_quant_matmul").length;
        expect(fused).toBe(graph.nodes.filter((n) => n.op === "MatMul" || n.op === "Gemm").length);
        await expectSameBits(fq, r.graph, randomFeeds(graph, seed, -2, 2, 3));
      }),
      { numRuns: 60 },
    );
  });

  it("of a static a8w8 graph equals the fake-quant graph bit for bit in QDQ form", async () => {
    await fc.assert(
      fc.asyncProperty(arbQuantGraph, fc.boolean(), fc.constantFrom("i8", "u8"), fc.boolean(), async ({ graph, seed }: GraphCase, symmetric, adt, outputsObs) => {
        const data = randomData(graph, 2, seed, -1, 1);
        const fq = (await runPipeline(graph, `insert-observers{outputs=${outputsObs}},calibrate,fake-quant{symmetric=${symmetric},activation_dtype=${adt}}`, { executor: cpu, data })).graph;
        const feeds = randomFeeds(graph, seed + 100, -1.5, 1.5, 3);
        // Unfused (fuse=false): every node stays in dequantize form.
        await expectSameBits(fq, (await runPipeline(fq, "fold-to-int{fuse=false}")).graph, feeds);
        // Fused, then unfused again for backends without quant_matmul: also bit for bit.
        const fused = (await runPipeline(fq, "fold-to-int")).graph;
        await expectSameBits(fq, (await runPipeline(fused, "insert-dequant{unfuse=true}")).graph, feeds);
      }),
      { numRuns: 40 },
    );
  });

  it("fuses int8 x int8 MatMul into quant_matmul within the int32 rounding bound", async () => {
    await fc.assert(
      fc.asyncProperty(arbQuantGraph, async ({ graph, seed }: GraphCase) => {
        const data = randomData(graph, 2, seed, -1, 1);
        const fq = (await runPipeline(graph, "insert-observers,calibrate,fake-quant", { executor: cpu, data })).graph;
        const r = await runPipeline(fq, "fold-to-int");
        const mm = graph.nodes.filter((n) => n.op === "MatMul" || n.op === "Gemm").length;
        expect(r.records[0]!.counts["rule:quant-matmul"] ?? 0).toBe(mm);
        const feeds = randomFeeds(graph, seed + 1, -1, 1, 3);
        const [a, b] = [await outputs(fq, feeds), await outputs(r.graph, feeds)];
        a.forEach((t, k) => {
          const x = t.toF32();
          const y = b[k]!.toF32();
          // Float accumulation of exact integer products vs exact int32 accumulation:
          // both are within a few float32 ulps of the magnitude of the result.
          const mag = x.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
          x.forEach((v, i) => expect(Math.abs(v - y[i]!)).toBeLessThanOrEqual(mag * 2 ** -16 + 1e-6));
        });
      }),
      { numRuns: 30 },
    );
  });

  it("rejects quant_matmul for int4 weights with a reason and keeps weight-only fusion out", async () => {
    const { graph, seed } = fc.sample(arbQuantGraph.filter((c) => c.graph.nodes.some((n) => n.op === "MatMul")), { numRuns: 1, seed: 5 })[0]!;
    const data = randomData(graph, 2, seed);
    const fq = (await runPipeline(graph, "insert-observers,calibrate,fake-quant{weight_dtype=int4}", { executor: cpu, data })).graph;
    const r = await runPipeline(fq, "fold-to-int");
    expect(r.records[0]!.counts["rule:quant-matmul:rejected"]).toBeGreaterThan(0);
    expect(r.graph.nodes.some((n) => n.op === "quant_matmul")).toBe(false);
    await expectSameBits(fq, r.graph, randomFeeds(graph, seed, -1, 1, 2));
  });
});
