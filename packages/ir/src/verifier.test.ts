import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { GraphBuilder, Tensor, verify, verifyAll, type Graph, type Node } from "./index.js";
import { arbFloatGraph } from "./testing/index.js";

type Mutation = { kind: string; apply(g: Graph, k: number): Graph };

const withNode = (g: Graph, k: number, f: (n: Node) => Node): Graph => ({ ...g, nodes: g.nodes.map((n, j) => (j === k ? f(n) : n)) });

/** Each kind of breakage, applied at node k; the diagnostic must name that node. */
const MUTATIONS: Mutation[] = [
  { kind: "dangling use", apply: (g, k) => withNode(g, k, (n) => ({ ...n, inputs: ["__undefined__", ...n.inputs.slice(1)] })) },
  { kind: "unknown op", apply: (g, k) => withNode(g, k, (n) => ({ ...n, op: "NoSuchOp" })) },
  { kind: "wrong arity", apply: (g, k) => withNode(g, k, (n) => ({ ...n, inputs: [...n.inputs, n.inputs[0]!, n.inputs[0]!] })) },
  { kind: "unknown attribute", apply: (g, k) => withNode(g, k, (n) => ({ ...n, attrs: { ...n.attrs, bogus: 1 } })) },
  { kind: "illegal at stage", apply: (g, k) => withNode(g, k, (n) => ({ ...n, op: "dequantize", inputs: n.inputs.slice(0, 1) })) },
  {
    kind: "wrong declared dtype",
    apply: (g, k) => ({ ...g, values: { ...g.values, [g.nodes[k]!.outputs[0]!]: { dtype: "i8", shape: g.values[g.nodes[k]!.outputs[0]!]!.shape } } }),
  },
  {
    kind: "defined twice",
    apply: (g, k) => withNode(g, k, (n) => ({ ...n, outputs: [g.inputs[0]!] })),
  },
  {
    kind: "duplicate node name",
    apply: (g, k) => (k === 0 ? g : withNode(g, k, (n) => ({ ...n, name: g.nodes[0]!.name }))),
  },
];

describe("verifier", () => {
  it("accepts builder-made graphs", () => {
    fc.assert(fc.property(arbFloatGraph(), (g) => { expect(verifyAll(g)).toEqual([]); }), { numRuns: 200 });
  });

  for (const m of MUTATIONS)
    it(`rejects ${m.kind} with a message naming the node`, () => {
      fc.assert(
        fc.property(arbFloatGraph(), fc.nat(), (g, r) => {
          const k = m.kind === "duplicate node name" ? 1 + (r % Math.max(1, g.nodes.length - 1)) : r % g.nodes.length;
          if (k >= g.nodes.length) return;
          const bad = m.apply(g, k);
          const diags = verifyAll(bad);
          expect(diags.length).toBeGreaterThan(0);
          expect(diags.some((d) => d.node === bad.nodes[k]!.name && d.message.includes(`node '${bad.nodes[k]!.name}'`))).toBe(true);
          expect(() => verify(bad)).toThrow(/node '/);
        }),
        { numRuns: 100 },
      );
    });

  it("rejects nodes out of topological order", () => {
    const b = new GraphBuilder("g");
    const x = b.input("x", "f32", [2]);
    const y = b.op1("Add", [x, x], {}, { name: "first" });
    b.output(b.op1("Mul", [y, y], {}, { name: "second" }));
    const g = b.build();
    const swapped = { ...g, nodes: [g.nodes[1]!, g.nodes[0]!] };
    expect(() => verify(swapped)).toThrow(/node 'second'.*not defined before use/);
  });

  it("rejects a constant whose tensor disagrees with its type, and an undefined output", () => {
    const b = new GraphBuilder("g");
    const x = b.input("x", "f32", [2]);
    const w = b.constant("w", Tensor.f32([2], [1, 2]));
    b.output(b.op1("Add", [x, w]));
    const g = b.build();
    expect(() => verify({ ...g, values: { ...g.values, w: { dtype: "f32", shape: [3] } } })).toThrow(/constant '%w' has type f32\[3\] but holds f32\[2\]/);
    expect(() => verify({ ...g, outputs: ["nope"] })).toThrow(/graph output '%nope' is never defined/);
  });
});
