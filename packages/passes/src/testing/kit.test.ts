// The testing kit catches each kind of broken pass, with the check and the IR in the message.
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { CpuInterpreter } from "@quantpass/backends";
import { edit, Tensor } from "@quantpass/ir";
import { definePass } from "../pass.js";
import { arbSingleLayer, checkPass, compareWithin } from "./index.js";

const executor = new CpuInterpreter();
const opts = { graphs: arbSingleLayer, executor, numRuns: 5 };

/** y → y * factor appended after the graph's first output. */
const scaleOutput = (factor: number) => (g: Parameters<typeof edit>[0]) =>
  edit(g, (e) => {
    const y = g.outputs[0]!;
    const raw = e.freshValue(`${y}.pre`);
    const k = e.addConstant("kit_factor", Tensor.f32([], [factor]));
    for (const n of e.draft.nodes) n.outputs = n.outputs.map((o) => (o === y ? raw : o));
    e.setType(raw, g.values[y]!);
    e.insertNode({ name: e.freshNodeName("kit_scale"), op: "Mul", inputs: [raw, k], outputs: [y], attrs: {} }, [g.values[y]!]);
  });

const scales = definePass({ name: "kit-test-scales", summary: "multiplies the output by 1.001", options: z.object({}), run: scaleOutput(1.001) });
const notIdempotent = definePass({ name: "kit-test-not-idempotent", summary: "scales by 1 again on every run", options: z.object({}), idempotent: true, run: scaleOutput(1) });
const mutates = definePass({
  name: "kit-test-mutates",
  summary: "writes into its input",
  options: z.object({}),
  run(g) {
    (g.meta as Record<string, string>).touched = "yes";
    return g;
  },
});
const invalid = definePass({
  name: "kit-test-invalid",
  summary: "reads a value nothing defines",
  options: z.object({}),
  run: (g) => edit(g, (e) => { e.draft.nodes[0]!.inputs = ["nowhere", ...e.draft.nodes[0]!.inputs.slice(1)]; }),
});

describe("checkPass", () => {
  it("catches numeric changes beyond the bound and accepts them within it", async () => {
    await expect(checkPass(scales, { ...opts, bound: { abs: 0 } })).rejects.toThrow(/checkPass\(kit-test-scales\): output '.*' differs beyond the bound: element \d+: .* before, .* after[\s\S]*--- input graph ---\ngraph @mlp/);
    const r = await checkPass(scales, { ...opts, bound: { abs: 1e-6, rel: 2e-3 } });
    expect(r.checked).toEqual(["verifier", "no-mutation", "numeric"]);
    expect(r.skipped).toEqual([expect.stringMatching(/^idempotence: pass 'kit-test-scales' does not declare idempotent/)]);
    expect(r.maxAbsError).toBeGreaterThan(0);
  });

  it("catches a pass declared idempotent that is not", async () => {
    await expect(checkPass(notIdempotent, opts)).rejects.toThrow(/declared idempotent, but a second run changed the graph/);
  });

  it("catches mutation of the input graph", async () => {
    await expect(checkPass(mutates, opts)).rejects.toThrow(/the pass mutated its input graph/);
  });

  it("catches an output the verifier rejects", async () => {
    await expect(checkPass(invalid, opts)).rejects.toThrow(/the verifier rejects the output/);
  });

  it("compares NaN positions and shapes", () => {
    expect(compareWithin(Tensor.f32([2], [NaN, 1]), Tensor.f32([2], [NaN, 1]), {}).error).toBeUndefined();
    expect(compareWithin(Tensor.f32([2], [NaN, 1]), Tensor.f32([2], [0, 1]), { abs: 1 }).error).toMatch(/element 0/);
    expect(compareWithin(Tensor.f32([2], [0, 1]), Tensor.f32([1, 2], [0, 1]), {}).error).toMatch(/shape/);
  });
});
