import { describe, expect, it } from "vitest";
import { GraphBuilder, Tensor, verify, verifyAll, edit, topoSort } from "./index.js";

describe("GraphBuilder", () => {
  it("infers broadcast types and builds a graph the verifier accepts", () => {
    const b = new GraphBuilder("g");
    const x = b.input("x", "f32", ["batch", 4]);
    const w = b.constant("w", Tensor.f32([4], [1, 2, 3, 4]));
    const y = b.op1("Add", [x, w]);
    b.output(y);
    const g = b.build();
    expect(g.values[y]).toEqual({ dtype: "f32", shape: ["batch", 4] });
    expect(() => verify(g)).not.toThrow();
    expect(topoSort(g).map((n) => n.name)).toEqual(["add_0"]);
  });

  it("edit returns the same object when nothing changes and never mutates", () => {
    const b = new GraphBuilder("g");
    const x = b.input("x", "f32", [2]);
    b.output(b.op1("Mul", [x, x]));
    const g = b.build();
    expect(edit(g, () => {})).toBe(g);
    const g2 = edit(g, (e) => e.replaceAllUses(x, x));
    expect(g.nodes[0]!.inputs).toEqual([x, x]);
    expect(verifyAll(g2)).toEqual([]);
  });

  it("rejects a dangling use naming the node", () => {
    const b = new GraphBuilder("g");
    const x = b.input("x", "f32", [2]);
    b.output(b.op1("Mul", [x, x], {}, { name: "m" }));
    const g = b.build();
    const broken = { ...g, nodes: [{ ...g.nodes[0]!, inputs: ["nope", x] }] };
    expect(() => verify(broken)).toThrow(/node 'm'.*'%nope' is not defined/);
  });
});
