import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CpuInterpreter } from "@quantpass/backends";
import { parseGraph, Tensor, verify, type Graph, type Node } from "@quantpass/ir";
import { arbFloatGraph } from "@quantpass/ir/testing";
import { runPipeline } from "../index.js";
import { randomFeeds } from "../testing/data.js";
import { sameBits } from "../testing/run.js";

const cpu = new CpuInterpreter();

/** g's nodes, constants and outputs as an If branch (no inputs: it reads the outer %x). */
function branch(g: Graph, name: string): Graph {
  return { ...g, name, inputs: [], values: Object.fromEntries(Object.entries(g.values).filter(([v]) => !g.inputs.includes(v))) };
}

/**
 * g computed twice: once at the top level and once inside the taken branch of
 * If(const cond), the other branch being g with its outputs negated. Every branch value,
 * constant and node name clashes with the outer copy's.
 */
function wrap(g: Graph, cond: boolean): Graph {
  const outs = g.outputs.map((o, k) => `if_out${k}`);
  const taken = branch(g, "taken");
  const neg: Node[] = g.outputs.map((o, k) => ({ name: `neg${k}`, op: g.values[o]!.dtype === "f32" ? "Neg" : "Identity", inputs: [o], outputs: [`n${k}`], attrs: {} }));
  const other: Graph = { ...branch(g, "other"), nodes: [...g.nodes, ...neg], outputs: neg.map((n) => n.outputs[0]!), values: { ...branch(g, "other").values, ...Object.fromEntries(neg.map((n, k) => [`n${k}`, g.values[g.outputs[k]!]!])) } };
  const iff: Node = { name: "if", op: "If", inputs: ["cond"], outputs: outs, attrs: cond ? { then_branch: taken, else_branch: other } : { then_branch: other, else_branch: taken } };
  const values = { ...g.values, cond: { dtype: "bool" as const, shape: [] }, ...Object.fromEntries(outs.map((o, k) => [o, g.values[g.outputs[k]!]!])) };
  return { ...g, values, constants: { ...g.constants, cond: Tensor.fromNumbers("bool", [], [cond ? 1 : 0]) }, nodes: [...g.nodes, iff], outputs: [...g.outputs, ...outs] };
}

function feedsFor(g: Graph, seed: number) {
  const x = g.inputs[0]!;
  const rank = g.values[x]!.shape.length;
  const w = Object.values(g.constants).find((t) => t.dtype === "f32" && t.shape.length === rank);
  return randomFeeds(g, seed, -1, 1, w?.shape[0] ?? 1);
}

describe("inline-if", () => {
  it("replaces an If with a constant condition by the taken branch, renaming clashes", async () => {
    await fc.assert(
      fc.asyncProperty(arbFloatGraph(), fc.boolean(), async (g, cond) => {
        const w = wrap(g, cond);
        verify(w);
        const r = (await runPipeline(w, "inline-if")).graph;
        verify(r);
        expect(r.nodes.some((n) => n.op === "If")).toBe(false);
        expect(r.nodes.some((n) => n.op === "Neg" && n.name.startsWith("neg"))).toBe(false);
        expect(r.outputs).toEqual(w.outputs);
        expect(new Set(r.nodes.map((n) => n.name)).size).toBe(r.nodes.length);
        expect((await runPipeline(r, "inline-if")).graph).toBe(r);
        const feeds = feedsFor(g, 3);
        const [a, b] = [await cpu.run(w, feeds), await cpu.run(r, feeds)];
        for (const o of w.outputs) expect(sameBits(a[o]!, b[o]!)).toBe(true);
        const ref = await cpu.run(g, feeds);
        g.outputs.forEach((o, k) => expect(sameBits(ref[o]!, b[`if_out${k}`]!)).toBe(true));
      }),
      { numRuns: 60 },
    );
  });

  it("leaves an If on a computed condition alone (the same graph comes back)", async () => {
    const g = parseGraph(`graph @g stage=float {
  input %x : f32[2]
  input %c : bool[]
  %y : f32[2] = If(%c) {else_branch=graph @e stage=float {
    output %x
  }, then_branch=graph @t stage=float {
    %n : f32[2] = Neg(%x) #neg
    output %n
  }} #if
  output %y
}
`);
    expect((await runPipeline(g, "inline-if")).graph).toBe(g);
  });

  it("inlines nested Ifs whose conditions are constants, renaming reads inside subgraphs", async () => {
    const g = parseGraph(`graph @g stage=float {
  input %x : f32[2]
  input %c : bool[]
  const %on : bool[] = dense<[1]>
  %k : f32[2] = Abs(%x) #k
  %y : f32[2] = If(%on) {else_branch=graph @e stage=float {
    output %x
  }, then_branch=graph @t stage=float {
    const %off : bool[] = dense<[0]>
    %k : f32[2] = Neg(%x) #inner.k
    %m : f32[2] = If(%off) {else_branch=graph @e2 stage=float {
      %s : f32[2] = Add(%k, %k) #add
      output %s
    }, then_branch=graph @t2 stage=float {
      output %x
    }} #inner.if
    %z : f32[2] = If(%c) {else_branch=graph @e3 stage=float {
      output %m
    }, then_branch=graph @t3 stage=float {
      %q : f32[2] = Mul(%k, %m) #mul
      output %q
    }} #dyn
    output %z
  }} #if
  %o : f32[2] = Add(%y, %k) #out
  output %o
}
`);
    const r = (await runPipeline(g, "inline-if")).graph;
    verify(r);
    expect(r.nodes.map((n) => `${n.op}:${n.name}`)).toEqual(["Abs:k", "Neg:inner.k", "Add:add", "If:dyn", "Add:out"]);
    const dyn = r.nodes.find((n) => n.name === "dyn")!;
    // The branch's %k became %k_1; the nested subgraph's read of it follows.
    expect(r.nodes[1]!.outputs).toEqual(["k_1"]);
    expect((dyn.attrs.then_branch as Graph).nodes[0]!.inputs).toEqual(["k_1", "m"]);
    for (const c of [true, false]) {
      const feeds = { x: Tensor.f32([2], [1.5, -2]), c: Tensor.fromNumbers("bool", [], [c ? 1 : 0]) };
      const [a, b] = [await cpu.run(g, feeds), await cpu.run(r, feeds)];
      expect(sameBits(a.o!, b.o!)).toBe(true);
    }
  });
});
