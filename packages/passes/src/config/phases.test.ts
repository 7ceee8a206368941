import { describe, expect, it } from "vitest";
import { CpuInterpreter } from "@quantpass/backends";
import { edit, Tensor, UserError, verify, type Graph } from "@quantpass/ir";
import { apply, appliedConfig, convert, PTQ_META, runPipeline } from "../index.js";
import { listData } from "../testing/data.js";
import { uniform } from "../testing/random.js";
import { sameBits } from "../testing/run.js";
import { mlp } from "./testing.js";

const cpu = new CpuInterpreter();

const feeds = (seed: number) => ({ x: new Tensor("f32", [4, 16], uniform(64, -1, 1, seed)) });
const data = listData([feeds(11), feeds(12)]);
const ops = (g: Graph) => g.nodes.map((n) => `${n.op}:${n.name}`);
const byName = (g: Graph, name: string) => g.nodes.find((n) => n.name === name)!;

async function sameOutputs(a: Graph, b: Graph): Promise<boolean> {
  const [ya, yb] = [await cpu.run(a, feeds(7)), await cpu.run(b, feeds(7))];
  return a.outputs.every((o, k) => sameBits(ya[o]!, yb[b.outputs[k]!]!));
}

describe("apply / convert", () => {
  it("a16w8: weight-only, the int graph equals the fake-quant graph bit for bit", async () => {
    const g = mlp();
    const fq = await apply(g, "a16w8");
    expect(fq.stage).toBe("fake-quant");
    expect(appliedConfig(fq)?.weight.dtype).toBe("int8");
    const int = await convert(fq);
    verify(int);
    expect(int.stage).toBe("int");
    expect(int.nodes.filter((n) => n.op === "weight_quant_matmul")).toHaveLength(3);
    expect(await sameOutputs(fq, int)).toBe(true);
    expect(g.stage).toBe("float"); // the input is never mutated
  });

  it("a8w8: calibrates, converts to quant_matmul; the unfused QDQ form equals the fake-quant graph", async () => {
    const g = mlp();
    await expect(apply(g, "a8w8")).rejects.toThrow(/^apply: static int8 activations .* need calibration: pass \{ executor, data \}/);
    const fq = await apply(g, "a8w8", { executor: cpu, data });
    expect(fq.nodes.filter((n) => n.op === "fake_quant").length).toBe(3 + 4); // weights; x, relu, head and side outputs
    const int = await convert(fq);
    expect(int.nodes.filter((n) => n.op === "quant_matmul").map((n) => n.name)).toEqual(["fc1", "head", "side"]);
    const qdq = (await runPipeline(int, "insert-dequant{unfuse=true}")).graph;
    expect(await sameOutputs(fq, qdq)).toBe(true);
  });

  it("a8w8-dynamic: per-token activations appear at convert, from the config apply recorded", async () => {
    const fq = await apply(mlp(), "a8w8-dynamic");
    expect(fq.nodes.some((n) => n.op === "observe" || (n.op === "fake_quant" && !(n.inputs[0]! in fq.constants)))).toBe(false);
    const int = await convert(fq);
    expect(int.nodes.filter((n) => n.op === "dynamic_quant")).toHaveLength(2);
    expect(int.nodes.filter((n) => n.op === "quant_matmul")).toHaveLength(3);
    // Without the recorded config convert lowers as a static config: weight-only here.
    const bare = edit(fq, (e) => { delete (e.draft.meta as Record<string, string>)[PTQ_META]; });
    expect((await convert(bare)).nodes.some((n) => n.op === "dynamic_quant")).toBe(false);
  });

  it("layer policies: a per-layer int4 weight, a skipped layer, the skip list", async () => {
    const cfg = {
      preset: "a8w8",
      activation: { observe_outputs: false },
      policies: [{ match: "^head$", weight: { dtype: "int4" as const, granularity: "per-group" as const, group_size: 32 as const }, activation: { dtype: "none" as const } }, { match: "sid", skip: true as const }],
    };
    const int = await convert(await apply(mlp(), cfg, { executor: cpu, data }));
    verify(int);
    expect(byName(int, "fc1").op).toBe("quant_matmul");
    expect(byName(int, "head").op).toBe("weight_quant_matmul");
    expect(int.values[byName(int, "head").inputs[1]!]!.dtype).toBe("i4");
    expect(byName(int, "side").op).toBe("MatMul");
    expect(byName(int, "side").inputs).toEqual(["x", "w3"]);
    const skipList = await convert(await apply(mlp(), { preset: "a16w8", skip: ["fc1", "side"] }));
    expect(ops(skipList)).toEqual(["MatMul:fc1", "Relu:relu", "weight_quant_matmul:head", "MatMul:side"]);
  });

  it("deploy mode builds the same int structure without data", async () => {
    const quantized = await convert(await apply(mlp(), "a8w8", { executor: cpu, data }));
    const deployed = await convert(await apply(mlp(), { preset: "a8w8", mode: "deploy" }));
    expect(ops(deployed)).toEqual(ops(quantized));
    expect(Object.keys(deployed.values).sort()).toEqual(Object.keys(quantized.values).sort());
    for (const [v, t] of Object.entries(quantized.values)) expect([v, deployed.values[v]!.dtype, deployed.values[v]!.quant?.granularity]).toEqual([v, t.dtype, t.quant?.granularity]);
    expect(appliedConfig(deployed)?.mode).toBe("deploy");
  });

  it("names the stage problem and unimplemented features", async () => {
    const fq = await apply(mlp(), "a16w8");
    await expect(apply(fq, "a16w8")).rejects.toThrow("apply: the graph is at stage 'fake-quant'; apply takes a float graph");
    await expect(convert(mlp())).rejects.toThrow("convert: the graph is at stage 'float'; convert takes the fake-quant graph apply returns");
    await expect(apply(mlp(), "a16w8+c8")).rejects.toThrow(UserError);
    await expect(apply(mlp(), "a16w8+c8")).rejects.toThrow(/KV-cache int8 quantization \(preset c8\) is not implemented yet/);
  });
});
