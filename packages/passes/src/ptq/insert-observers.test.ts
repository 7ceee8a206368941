import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CpuInterpreter } from "@quantpass/backends";
import { UserError, verify } from "@quantpass/ir";
import { runPipeline } from "../index.js";
import { arbQuantGraph } from "../testing/arb-quant.js";
import { randomFeeds } from "../testing/data.js";
import { sameBits } from "../testing/run.js";

const cpu = new CpuInterpreter();

describe("insert-observers", () => {
  it("keeps the graph valid and its outputs identical, with one observer per activation value", async () => {
    await fc.assert(
      fc.asyncProperty(arbQuantGraph, fc.boolean(), fc.boolean(), fc.constantFrom("minmax", "mse", "histogram"), async ({ graph, seed }, outputs, perChannel, method) => {
        const r = await runPipeline(graph, `insert-observers{method=${method},outputs=${outputs},per_channel=${perChannel}}`);
        const g = r.graph;
        verify(g);
        expect(g.stage).toBe("observed");
        expect(g.outputs).toEqual(graph.outputs);
        const obs = g.nodes.filter((n) => n.op === "observe");
        expect(new Set(obs.map((n) => n.inputs[0])).size).toBe(obs.length);
        expect(obs.every((n) => n.attrs.method === method && (n.attrs.per_channel === 1) === perChannel)).toBe(true);
        // Every quantizable node reads observed activations.
        for (const n of g.nodes.filter((x) => ["Conv", "Gemm", "MatMul"].includes(x.op))) expect(obs.some((o) => o.outputs[0] === n.inputs[0])).toBe(true);
        const feeds = randomFeeds(graph, seed);
        const [a, b] = [await cpu.run(graph, feeds), await cpu.run(g, feeds)];
        for (const o of graph.outputs) expect(sameBits(a[o]!, b[o]!)).toBe(true);
      }),
      { numRuns: 40 },
    );
  });

  it("validates its options", async () => {
    const { graph } = fc.sample(arbQuantGraph, { numRuns: 1, seed: 1 })[0]!;
    await expect(runPipeline(graph, "insert-observers{method=bogus}")).rejects.toThrow(/option 'method'/);
    await expect(runPipeline(graph, "insert-observers{percentile=20}")).rejects.toThrow(/option 'percentile'/);
    await expect(runPipeline(graph, 'insert-observers{include="("}')).rejects.toThrow(UserError);
    await expect(runPipeline(graph, 'insert-observers{include="("}')).rejects.toThrow(/option 'include': invalid regular expression/);
    const none = await runPipeline(graph, "insert-observers{ops=Softmax}");
    expect(none.graph.nodes.some((n) => n.op === "observe")).toBe(false);
    expect(none.graph.stage).toBe("observed");
  });
});
