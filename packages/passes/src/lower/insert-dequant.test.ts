import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CpuInterpreter } from "@quantpass/backends";
import { verify } from "@quantpass/ir";
import { runPipeline } from "../index.js";
import { arbQuantGraph } from "../testing/arb-quant.js";
import { randomData, randomFeeds } from "../testing/data.js";
import { sameBits } from "../testing/run.js";

const cpu = new CpuInterpreter();

describe("insert-dequant", () => {
  it("is idempotent, keeps the graph valid, and unfusing keeps weight-only outputs bit for bit", async () => {
    await fc.assert(
      fc.asyncProperty(arbQuantGraph, fc.boolean(), fc.boolean(), async ({ graph, seed }, static8, unfuse) => {
        const pipeline = static8 ? "insert-observers,calibrate,fake-quant,fold-to-int" : "rtn{weight_dtype=int4,granularity=per-group,group_size=32},fold-to-int";
        const int = (await runPipeline(graph, pipeline, { executor: cpu, data: randomData(graph, 2, seed) })).graph;
        const once = (await runPipeline(int, `insert-dequant{unfuse=${unfuse}}`)).graph;
        verify(once);
        if (!unfuse) expect(once).toBe(int); // fold-to-int already leaves a legal graph
        else expect(once.nodes.some((n) => n.op === "quant_matmul" || n.op === "weight_quant_matmul")).toBe(false);
        const twice = (await runPipeline(once, `insert-dequant{unfuse=${unfuse}}`)).graph;
        expect(twice).toBe(once);
        if (!static8) {
          const feeds = randomFeeds(graph, seed, -2, 2, 3);
          const [a, b] = [await cpu.run(int, feeds), await cpu.run(once, feeds)];
          for (const o of graph.outputs) expect(sameBits(a[o]!, b[o]!)).toBe(true);
        }
      }),
      { numRuns: 40 },
    );
  });
});
