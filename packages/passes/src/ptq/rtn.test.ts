import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CpuInterpreter } from "@quantpass/backends";
import { scaleIndex, verify, type Granularity } from "@quantpass/ir";
import { runPipeline } from "../index.js";
import { arbQuantGraph } from "../testing/arb-quant.js";
import { randomFeeds } from "../testing/data.js";

const cpu = new CpuInterpreter();

describe("rtn", () => {
  it("fake-quantizes every weight within scale/2 and nothing else", async () => {
    await fc.assert(
      fc.asyncProperty(
        arbQuantGraph, fc.constantFrom("int8", "int4"), fc.boolean(), fc.constantFrom("per-tensor", "per-channel", "per-group"),
        async ({ graph }, wdt, sym, gran) => {
          const r = await runPipeline(graph, `rtn{weight_dtype=${wdt},weight_symmetric=${sym},granularity=${gran},group_size=32}`);
          const g = r.graph;
          verify(g);
          expect(g.stage).toBe("fake-quant");
          const fqs = g.nodes.filter((n) => n.op === "fake_quant");
          expect(fqs.length).toBe(graph.nodes.filter((n) => ["Conv", "Gemm", "MatMul"].includes(n.op)).length);
          expect(fqs.every((n) => n.inputs[0]! in g.constants)).toBe(true);
          // Run each weight's fake_quant and compare with the weight.
          const outs = await cpu.run(g, randomFeeds(graph, 1), { fetch: fqs.map((n) => n.outputs[0]!) });
          for (const n of fqs) {
            const w = g.constants[n.inputs[0]!]!;
            const q = outs[n.outputs[0]!]!.toF32();
            const scale = n.attrs.scale as number[];
            const axis = n.attrs.axis as number | undefined;
            const gs = n.attrs.group_size as number | undefined;
            const granularity: Granularity = gs ? { kind: "per-group", axis: axis!, groupSize: gs } : axis !== undefined ? { kind: "per-axis", axis } : { kind: "per-tensor" };
            const idx = scaleIndex(granularity, w.shape);
            const x = w.toF32();
            x.forEach((v, i) => expect(Math.abs(q[i]! - v)).toBeLessThanOrEqual(scale[idx[i]!]! * (0.5 + 2 ** -12) + Math.abs(v) * 2 ** -22));
          }
        },
      ),
      { numRuns: 50 },
    );
  });

  it("honours the layer policy", async () => {
    const { graph } = fc.sample(arbQuantGraph.filter((c) => c.graph.nodes.filter((n) => n.op === "Gemm" || n.op === "MatMul").length >= 2), { numRuns: 1, seed: 2 })[0]!;
    const first = graph.nodes.find((n) => n.op === "Gemm" || n.op === "MatMul")!.name;
    const skipped = await runPipeline(graph, `rtn{skip=[${first}]}`);
    expect(skipped.records[0]!.counts.weights).toBe(graph.nodes.filter((n) => ["Conv", "Gemm", "MatMul"].includes(n.op)).length - 1);
    const only = await runPipeline(graph, `rtn{include="^${first}$"}`);
    expect(only.records[0]!.counts.weights).toBe(1);
    const none = await runPipeline(graph, `rtn{exclude="."}`);
    expect(none.records[0]!.counts.weights).toBe(0);
  });
});
