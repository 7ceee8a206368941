import { describe, expect, it } from "vitest";
import { edit, GraphBuilder, Tensor, verify, type Graph } from "@quantpass/ir";
import { applyRules, fail, ok, type RewriteRule } from "./driver.js";

function graph(): Graph {
  const b = new GraphBuilder("g");
  const x = b.input("x", "f32", [2]);
  const c = b.constant("c", Tensor.f32([2], [1, 2]));
  const n = b.op1("Neg", [x], {}, { name: "neg" });
  const a = b.op1("Add", [n, n], {}, { name: "double" });
  const m = b.op1("Add", [x, c], {}, { name: "addc" });
  b.output(b.op1("Neg", [b.op1("Neg", [b.op1("Mul", [a, m], {}, { name: "mul" })], {}, { name: "n1" })], {}, { name: "n2" }));
  return b.build();
}

/** Neg(Neg(x)) → x: a nested pattern. */
const doubleNeg: RewriteRule = {
  name: "double-neg",
  pattern: { op: "Neg", inputs: [{ op: "Neg" }] },
  check: () => ok,
  rewrite(m, e) {
    const inner = m.producer(m.root.inputs[0]!)!;
    e.replaceAllUses(m.root.outputs[0]!, inner.inputs[0]!);
    e.removeNode(m.root.name);
  },
};

/** Add(x, c) with a constant is rejected with a reason; Add(a, a) → Mul(a, 2) otherwise. */
const addSelf: RewriteRule = {
  name: "add-self",
  pattern: { op: "Add", inputs: ["any", "any"] },
  check: (m) => (m.root.inputs[0] === m.root.inputs[1] ? ok : fail("operands differ")),
  rewrite(m, e) {
    const two = e.addConstant("two", Tensor.f32([], [2]));
    const n = e.draft.nodes[e.indexOf(m.root.name)]!;
    n.op = "Mul";
    n.inputs = [m.root.inputs[0]!, two];
  },
};

describe("rewrite driver", () => {
  it("applies rules greedily to a fixed point, counts matches and keeps rejection reasons", () => {
    const counts: Record<string, number> = {};
    let result: ReturnType<typeof applyRules> | undefined;
    const g = edit(graph(), (e) => {
      result = applyRules(e, [doubleNeg, addSelf], (k, n = 1) => { counts[k] = (counts[k] ?? 0) + n; });
      e.pruneValues();
    });
    expect(result!.applied).toEqual({ "add-self": 1, "double-neg": 1 });
    expect(result!.rejected).toEqual([{ rule: "add-self", node: "addc", reason: "operands differ" }]);
    expect(counts).toEqual({ "rule:add-self": 1, "rule:double-neg": 1, "rule:add-self:rejected": 1 });
    expect(g.nodes.map((n) => `${n.name}:${n.op}`)).toEqual(["neg:Neg", "double:Mul", "addc:Add", "mul:Mul", "n1:Neg"]); // n1 is dead now: dce removes it
    verify({ ...g, outputs: g.outputs });
  });

  it("value patterns distinguish constants, floats and quantized values", () => {
    const constRule: RewriteRule = { ...addSelf, name: "const-only", pattern: { op: "Add", inputs: ["float", "const"] }, check: () => fail("seen") };
    let rejected: readonly unknown[] = [];
    edit(graph(), (e) => { rejected = applyRules(e, [constRule]).rejected; });
    expect(rejected).toEqual([{ rule: "const-only", node: "addc", reason: "seen" }]);
  });

  it("stops a rule set that never reaches a fixed point", () => {
    const flip: RewriteRule = { name: "flip", pattern: { op: ["Neg"] }, check: () => ok, rewrite: (m, e) => { e.draft.nodes[e.indexOf(m.root.name)]!.attrs = {}; } };
    expect(() => edit(graph(), (e) => applyRules(e, [flip]))).toThrow(/did not reach a fixed point \(last: 'flip'/);
  });
});
