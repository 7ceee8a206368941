// dce through the public testing kit (@quantpass/passes/testing): verifier, no mutation,
// idempotence and bit-exact outputs on random float graphs with dead code added.
import { describe, expect, it } from "vitest";
import { CpuInterpreter } from "@quantpass/backends";
import { Tensor, type Graph } from "@quantpass/ir";
import { arbFloatGraph, checkPass, defaultInputs } from "../testing/index.js";
import { dce } from "./dce.js";

const withDeadCode = arbFloatGraph().map((g): Graph => {
  const x = g.inputs[0]!;
  const dead = { name: "__dead", op: "Neg", inputs: [x], outputs: ["__dead_out"], attrs: {} };
  return { ...g, nodes: [...g.nodes, dead], values: { ...g.values, __dead_out: g.values[x]!, __unused: { dtype: "f32", shape: [1] } }, constants: { ...g.constants, __unused: Tensor.f32([1], [0]) } };
});

/** arbFloatGraph broadcasts its input against an f32 constant: the symbolic dim takes that constant's leading size. */
function inputs(g: Graph) {
  const rank = g.values[g.inputs[0]!]!.shape.length;
  const w = Object.values(g.constants).find((t) => t.dtype === "f32" && t.shape.length === rank && rank > 0);
  return defaultInputs(g, w?.shape[0] ?? 1);
}

describe("dce (checkPass)", () => {
  it("keeps the graph valid, never mutates it, is idempotent and keeps outputs bit for bit", async () => {
    const report = await checkPass(dce, { graphs: withDeadCode, executor: new CpuInterpreter(), inputs, bound: { abs: 0 }, numRuns: 40 });
    expect(report.checked).toEqual(["verifier", "no-mutation", "idempotent", "numeric"]);
    expect(report.skipped).toEqual([]);
    expect(report.unchanged).toBe(0); // there is always dead code to remove
    expect(report.maxAbsError).toBe(0);
  });

  it("says so when no bound is given (the numeric check is skipped, never silently)", async () => {
    const report = await checkPass("dce", { graphs: withDeadCode, executor: new CpuInterpreter(), numRuns: 5 });
    expect(report.checked).not.toContain("numeric");
    expect(report.skipped).toEqual([expect.stringMatching(/^numeric equivalence: no bound given/)]);
  });
});
