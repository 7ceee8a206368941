import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { GraphBuilder, UserError, edit, type Graph } from "@quantpass/ir";
import { definePass, formatPipeline, parsePipeline, runPipeline } from "./index.js";

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

describe("pipeline text", () => {
  it("parses passes with typed options", () => {
    expect(parsePipeline('insert-observers{method=minmax},calibrate,smoothquant{alpha=0.5, layers=[a,"b c"], on=true}')).toEqual([
      { pass: "insert-observers", options: { method: "minmax" } },
      { pass: "calibrate", options: {} },
      { pass: "smoothquant", options: { alpha: 0.5, layers: ["a", "b c"], on: true } },
    ]);
  });

  it("format and parse round-trip", () => {
    const val = fc.oneof(fc.integer(), fc.boolean(), fc.stringMatching(/^[a-z][a-z0-9 ._-]{0,8}$/));
    const step = fc.record({ pass: fc.stringMatching(/^[a-z]+(-[a-z]+)?$/), options: fc.dictionary(fc.stringMatching(/^[a-z]{1,6}$/), val, { maxKeys: 3 }) });
    fc.assert(fc.property(fc.array(step, { minLength: 1, maxLength: 4 }), (steps) => {
      expect(parsePipeline(formatPipeline(steps))).toEqual(steps);
    }));
  });

  it("reports syntax errors naming the flag and column", () => {
    expect(() => parsePipeline("a{b=1", "--passes")).toThrow(/--passes: expected ',' or '}' at column 6/);
  });
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

describe("pipeline text quoting", () => {
  it("round-trips values with backslashes and quotes", () => {
    const steps = [{ pass: "insert-observers", options: { include: "layers\\.0,1", name: 'a "b"' } }];
    expect(formatPipeline(steps)).toBe('insert-observers{include="layers\\\\.0,1",name="a \\"b\\""}');
    expect(parsePipeline(formatPipeline(steps))).toEqual(steps);
  });
});
