import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CpuInterpreter } from "@quantpass/backends";
import { GraphBuilder, Tensor, UserError, verify, type Graph } from "@quantpass/ir";
import { arbFloatGraph } from "@quantpass/ir/testing";
import { runPipeline } from "../index.js";
import { randomFeeds } from "../testing/data.js";
import { sameBits } from "../testing/run.js";

const cpu = new CpuInterpreter();

/** Feeds for arbFloatGraph graphs: the symbolic leading dim takes the size its f32 constant has. */
function feedsFor(g: Graph, seed: number) {
  const x = g.inputs[0]!;
  const rank = g.values[x]!.shape.length;
  const w = Object.values(g.constants).find((t) => t.dtype === "f32" && t.shape.length === rank);
  const f = randomFeeds(g, seed, -1, 1, w?.shape[0] ?? 1);
  return f;
}

/** A random float graph with a dead chain and a dead constant added. */
const withDeadCode = arbFloatGraph().map((g): Graph => {
  const x = g.inputs[0]!;
  const t = g.values[x]!;
  const extra = { name: "__dead", op: "Neg", inputs: [x], outputs: ["__dead_out"], attrs: {} };
  return { ...g, nodes: [...g.nodes, extra], values: { ...g.values, __dead_out: t, __unused: { dtype: "f32", shape: [1] } }, constants: { ...g.constants, __unused: Tensor.f32([1], [0]) }, name: "dead" };
});

describe("dce", () => {
  it("removes dead nodes and constants, keeps outputs, and is idempotent", async () => {
    await fc.assert(
      fc.asyncProperty(withDeadCode, async (g) => {
        verify(g);
        const r = (await runPipeline(g, "dce")).graph;
        verify(r);
        expect(r.nodes.some((n) => n.name === "__dead")).toBe(false);
        expect("__unused" in r.constants).toBe(false);
        expect((await runPipeline(r, "dce")).graph).toBe(r);
        const feeds = feedsFor(g, 1);
        const [a, b] = [await cpu.run(g, feeds), await cpu.run(r, feeds)];
        for (const o of g.outputs) expect(sameBits(a[o]!, b[o]!)).toBe(true);
      }),
      { numRuns: 60 },
    );
  });
});

describe("fold-constants", () => {
  it("gives the same outputs bit for bit with every all-constant node folded", async () => {
    await fc.assert(
      fc.asyncProperty(arbFloatGraph(), async (g) => {
        const r = (await runPipeline(g, "fold-constants", { executor: cpu })).graph;
        verify(r);
        const defined = new Set<string>(Object.keys(r.constants));
        for (const n of r.nodes) expect(n.inputs.every((i) => defined.has(i))).toBe(false);
        expect((await runPipeline(r, "fold-constants", { executor: cpu })).graph).toBe(r);
        const feeds = feedsFor(g, 2);
        const [a, b] = [await cpu.run(g, feeds), await cpu.run(r, feeds)];
        for (const o of g.outputs) expect(sameBits(a[o]!, b[o]!)).toBe(true);
      }),
      { numRuns: 80 },
    );
  });

  it("is a clear UserError without an executor", async () => {
    const b = new GraphBuilder("g");
    const c = b.constant("c", Tensor.f32([1], [1]));
    b.output(b.op1("Add", [b.input("x", "f32", [1]), b.op1("Neg", [c])]));
    await expect(runPipeline(b.build(), "fold-constants")).rejects.toThrow(UserError);
    await expect(runPipeline(b.build(), "fold-constants")).rejects.toThrow(/fold-constants needs an executor/);
  });
});
