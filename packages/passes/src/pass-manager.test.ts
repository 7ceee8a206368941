import { describe, expect, it } from "vitest";
import { z } from "zod";
import { GraphBuilder, UserError, edit, type Graph } from "@quantpass/ir";
import { definePass, runPipeline } from "./index.js";

function graph(): Graph {
  const b = new GraphBuilder("g");
  const x = b.input("x", "f32", [2]);
  b.output(b.op1("Add", [x, x], {}, { name: "a" }));
  return b.build();
}

definePass({
  name: "test-rename",
  summary: "renames the graph",
  options: z.object({ to: z.string().default("renamed") }),
  idempotent: true,
  run: (g, o, ctx) => {
    ctx.count("renamed");
    return edit(g, (e) => { (e.draft as { name: string }).name = o.to; });
  },
});
definePass({ name: "test-noop", summary: "changes nothing", options: z.object({}), run: (g) => g });
definePass({ name: "test-needs-calibrated", summary: "stage check", options: z.object({}), requires: ["calibrated"], run: (g) => g });
definePass({ name: "test-breaks", summary: "leaves a dangling use", options: z.object({}), run: (g) => ({ ...g, outputs: ["gone"] }) });
definePass({
  name: "test-mutates",
  summary: "mutates its input (a bug the frozen graph catches)",
  options: z.object({}),
  run: (g) => { (g.nodes as unknown as unknown[]).push(g.nodes[0]); return g; },
});

describe("pass manager", () => {
  it("runs passes, validates options, records counts and changes", async () => {
    const g = graph();
    const r = await runPipeline(g, "test-noop,test-rename{to=x}");
    expect(r.graph.name).toBe("x");
    expect(g.name).toBe("g");
    expect(r.records.map((x) => [x.pass, x.changed, x.counts])).toEqual([["test-noop", false, {}], ["test-rename", true, { renamed: 1 }]]);
  });

  it("prints IR after every pass on request", async () => {
    const seen: string[] = [];
    await runPipeline(graph(), "test-noop,test-rename", { printIrAfter: (p, ir) => seen.push(`${p}:${ir.split("\n")[0]}`) });
    expect(seen).toEqual(["test-noop:graph @g stage=float {", "test-rename:graph @renamed stage=float {"]);
  });

  it("names the pass and the passes before it in errors", async () => {
    await expect(runPipeline(graph(), "test-noop,test-breaks")).rejects.toThrow(
      /pass 'test-breaks' \(step 2 of 2, after test-noop\) produced an invalid graph: graph 'g': graph output '%gone' is never defined/,
    );
    await expect(runPipeline(graph(), "test-needs-calibrated")).rejects.toThrow(UserError);
    await expect(runPipeline(graph(), "test-needs-calibrated")).rejects.toThrow(/as the first pass\) needs a graph at stage calibrated, but it is at stage 'float'/);
    await expect(runPipeline(graph(), "test-rename{bogus=1}")).rejects.toThrow(/pass 'test-rename' has no option 'bogus'/);
    await expect(runPipeline(graph(), "test-rename{to=3}")).rejects.toThrow(/pass 'test-rename': option 'to'/);
    await expect(runPipeline(graph(), "nope")).rejects.toThrow(/unknown pass 'nope'/);
  });

  it("catches a pass that mutates its input", async () => {
    await expect(runPipeline(graph(), "test-mutates", { verifyEach: true })).rejects.toThrow(/test-mutates.*failed/);
  });
});
