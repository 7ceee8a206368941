import { describe, expect, it } from "vitest";
import { CpuInterpreter } from "@quantpass/backends";
import { GraphBuilder, Tensor, UserError, type Executor, type Graph } from "@quantpass/ir";
import { apply, appliedConfig, convert, deployGraph, fallbackCandidates, parsePtqConfig, withFallbackLayers, type FallbackReport } from "../index.js";
import { listData } from "../testing/data.js";
import { uniform } from "../testing/random.js";
import { sameBits } from "../testing/run.js";
import { mlp } from "./testing.js";

const cpu = new CpuInterpreter();

/**
 * x[b,16] → fc1 → Relu → fc2 → fc3 (output [b,8]). fc1's output channel 0 is 1000× larger
 * and fc2 ignores it (row 0 is zero), so the float model is ordinary, but fc2's input
 * activation has a huge range: per-tensor int8 flushes its other channels to zero. fc2 is the
 * layer that must fall back (its int8 weights are harmless: a16w8 fixes it too).
 */
function sensitive(): Graph {
  const b = new GraphBuilder("sensitive");
  const x = b.input("x", "f32", ["b", 16]);
  const w1 = uniform(16 * 8, -1, 1, 3);
  for (let i = 0; i < 16; i++) w1[i * 8] = Math.abs(w1[i * 8]!) * 1000;
  const w2 = uniform(8 * 8, -1, 1, 4);
  for (let j = 0; j < 8; j++) w2[j] = 0;
  const h = b.op1("MatMul", [x, b.constant("w1", Tensor.f32([16, 8], w1))], {}, { name: "fc1" });
  const r = b.op1("Relu", [h], {}, { name: "relu" });
  const h2 = b.op1("MatMul", [r, b.constant("w2", Tensor.f32([8, 8], w2))], {}, { name: "fc2" });
  const y = b.op1("MatMul", [h2, b.constant("w3", Tensor.f32([8, 8], uniform(64, -1, 1, 5)))], {}, { name: "fc3" });
  return b.output(y).build();
}

const feeds = (seed: number) => ({ x: new Tensor("f32", [8, 16], uniform(128, 0, 1, seed)) });
const data = listData([feeds(1), feeds(2), feeds(3)]);
const STATIC = { preset: "a8w8", activation: { observe_outputs: false } };

async function outputsEqual(a: Graph, b: Graph): Promise<boolean> {
  const [ya, yb] = [await cpu.run(a, feeds(9)), await cpu.run(b, feeds(9))];
  return a.outputs.every((o, k) => sameBits(ya[o]!, yb[b.outputs[k]!]!));
}

async function run(cfg: object, g = sensitive()): Promise<{ fq: Graph; report: FallbackReport }> {
  let report: FallbackReport | undefined;
  const fq = await apply(g, cfg, { executor: cpu, data, onFallback: (r) => (report = r) });
  return { fq, report: report! };
}

describe("fallback (accuracy-driven mixed precision)", () => {
  it("sqnr: keeps the outlier layer in float, records it in skip; apply/convert/deploy of the recorded config reproduce the graph", async () => {
    const g = sensitive();
    const { fq, report } = await run({ ...STATIC, fallback: { metric: "sqnr", target: 25 } }, g);
    expect(report.scoreBefore).toBeLessThan(25);
    expect(report.scoreAfter).toBeGreaterThanOrEqual(25);
    expect(report.layers).toEqual(["fc2"]);
    expect(report.sensitivity.map((s) => s.name)).toEqual(["fc1", "fc2", "fc3"]);
    const gain = (l: FallbackReport["sensitivity"][number]) => (l.measure === "leave-one-out" ? l.gain : NaN);
    const best = [...report.sensitivity].sort((a, b) => gain(b) - gain(a))[0]!;
    expect(best).toMatchObject({ measure: "leave-one-out", name: "fc2", op: "MatMul", chosen: true });
    expect(report).toMatchObject({ metric: "sqnr", target: 25, to: "float", measure: "leave-one-out", candidates: 3, evaluations: 4 });

    const cfg = appliedConfig(fq)!;
    expect(cfg.skip).toEqual(["fc2"]);
    expect(cfg.fallback).toBeUndefined();
    const fc2 = fq.nodes.find((n) => n.name === "fc2")!;
    expect(fc2.inputs).toEqual([g.nodes.find((n) => n.name === "relu")!.outputs[0], "w2"]); // float input and float weight
    const again = await apply(g, cfg, { executor: cpu, data });
    expect(again.nodes.map((n) => n.name)).toEqual(fq.nodes.map((n) => n.name));
    expect(await outputsEqual(fq, again)).toBe(true);
    const int = await convert(fq);
    expect(int.nodes.filter((n) => n.op === "quant_matmul").map((n) => n.name)).toEqual(["fc1", "fc3"]);
    const deployed = await deployGraph(g, cfg);
    expect(deployed.nodes.map((n) => `${n.op}:${n.name}`)).toEqual(int.nodes.map((n) => `${n.op}:${n.name}`));
  });

  it("sensitivity local: ranks the outlier layer first by the noise it adds; 2 runs over the batches instead of 3 leave-one-out evaluations", async () => {
    let runs = 0;
    const counting: Executor = { name: "counting", run: (g, f, o) => (runs++, cpu.run(g, f, o)) };
    const runWith = async (sensitivity: "leave-one-out" | "local") => {
      runs = 0;
      let report: FallbackReport | undefined;
      const fq = await apply(sensitive(), { ...STATIC, fallback: { metric: "sqnr", target: 25, sensitivity } }, { executor: counting, data, onFallback: (r) => (report = r) });
      return { fq, report: report!, runs };
    };
    const loo = await runWith("leave-one-out");
    const local = await runWith("local");
    expect(local.report.layers).toEqual(["fc2"]);
    expect(local.report).toMatchObject({ measure: "local", candidates: 3, evaluations: 2 }); // all-int8, then fc2 in float
    expect(loo.report.evaluations).toBe(4); // all-int8, then fc1, fc2, fc3 each in float
    // Per batch (3): calibration, the float reference, one run per scored graph; local adds one
    // float and one quantized run.
    expect(loo.runs).toBe(3 * (1 + 1 + 4));
    expect(local.runs).toBe(3 * (1 + 1 + 2 + 2));
    expect(await outputsEqual(local.fq, loo.fq)).toBe(true);

    const rows = local.report.sensitivity.map((l) => {
      if (l.measure !== "local") throw new Error("expected local entries");
      return l;
    });
    expect(rows.map((l) => [l.name, l.chosen])).toEqual([["fc1", false], ["fc2", true], ["fc3", false]]);
    const [fc1, fc2, fc3] = rows;
    expect(fc1!.sqnrIn).toBe(Infinity); // reads the graph input: exact, drop = −SQNR_out
    expect(fc1!.drop).toBe(-fc1!.sqnrOut);
    for (const l of [fc2!, fc3!]) expect(l.drop).toBeCloseTo(10 * Math.log10(10 ** (-l.sqnrOut / 10) - 10 ** (-l.sqnrIn / 10)), 9);
    expect(fc2!.drop).toBeGreaterThan(Math.max(fc1!.drop, fc3!.drop));
  });

  it("sensitivity local needs the executor and data, also with metric custom", async () => {
    const cfg = { ...STATIC, fallback: { metric: "custom" as const, target: 1, sensitivity: "local" as const } };
    await expect(apply(sensitive(), { preset: "a16w8", fallback: cfg.fallback }, { fallbackScore: () => 1 })).rejects.toThrow(/^apply: fallback\.sensitivity 'local' runs the float and the quantized graph on the calibration data: pass \{ executor, data \}/);
    // With them, the custom score drives the greedy steps in the local order (fc2 first).
    const seen: string[][] = [];
    const fq = await apply(sensitive(), cfg, {
      executor: cpu,
      data,
      fallbackScore: (g) => {
        const fc2 = g.nodes.find((n) => n.name === "fc2")!;
        seen.push(g.nodes.filter((n) => n.op === "fake_quant" && fc2.inputs.includes(n.outputs[0]!)).map((n) => n.name));
        return seen.length === 1 ? 0 : 1;
      },
    });
    expect(appliedConfig(fq)!.skip).toEqual(["fc2"]);
    expect(seen).toHaveLength(2);
    expect(seen[1]).toEqual([]); // the second graph scored has fc2 in float
  });

  it("stops without a search when the all-int8 graph already reaches the target", async () => {
    const { fq, report } = await run({ ...STATIC, fallback: { metric: "sqnr", target: -10 } });
    expect(report).toMatchObject({ layers: [], sensitivity: [], evaluations: 1 });
    expect(appliedConfig(fq)!.skip).toEqual([]);
  });

  it("top1: agreement of the argmax over the last axis; target 0.95 needs fc2 in float", async () => {
    const { report } = await run({ ...STATIC, fallback: { metric: "top1", target: 0.95 } });
    expect(report.scoreBefore).toBe(0); // fc2 sees zeros: every argmax is the same
    expect(report.layers).toEqual(["fc2"]);
    expect(report.scoreAfter).toBe(23 / 24); // 3 batches of 8 rows
  });

  it("to=a16w8: the layer keeps int8 weights and loses its activation quantization (a policy)", async () => {
    const { fq, report } = await run({ ...STATIC, fallback: { metric: "sqnr", target: 25, to: "a16w8" } });
    expect(report.layers).toEqual(["fc2"]);
    const cfg = appliedConfig(fq)!;
    expect(cfg.policies).toEqual([{ match: "^fc2$", activation: { dtype: "none" } }]);
    const int = await convert(fq);
    expect(int.nodes.find((n) => n.name === "fc2")!.op).toBe("weight_quant_matmul");
  });

  it("a float reader of a shared observed value reads the float value; the other reader stays quantized", async () => {
    // mlp(): x is read by fc1 and side. A custom score that is 1 only when side reads x itself.
    let calls = 0;
    const fq = await apply(mlp(), { ...STATIC, fallback: { metric: "custom", target: 1 } }, {
      executor: cpu,
      data: listData([{ x: new Tensor("f32", [4, 16], uniform(64, -1, 1, 1)) }]),
      fallbackScore: (g) => {
        calls++;
        return g.nodes.find((n) => n.name === "side")!.inputs[0] === "x" ? 1 : 0;
      },
    });
    expect(appliedConfig(fq)!.skip).toEqual(["side"]);
    expect(fq.nodes.find((n) => n.name === "fc1")!.inputs[0]).not.toBe("x");
    expect(fq.nodes.find((n) => n.name === "side")!.inputs).toEqual(["x", "w3"]);
    expect(calls).toBe(4); // all-int8, then fc1, head, side left out
  });

  it("not reaching the target is a UserError naming the best score and the layers tried", async () => {
    const p = run({ ...STATIC, fallback: { metric: "sqnr", target: 200, max_layers: 1 } });
    await expect(p).rejects.toThrow(UserError);
    await expect(run({ ...STATIC, fallback: { metric: "sqnr", target: 200, max_layers: 1 } })).rejects.toThrow(
      /^fallback: sqnr target 200 not reached with max_layers=1: best [\d.]+ \(all-quantized [\d.]+\) keeping fc2 in float; tried fc2; raise fallback\.max_layers or lower the target$/,
    );
  });

  it("option and mode errors", async () => {
    await expect(run({ ...STATIC, fallback: { metric: "custom", target: 1 } })).rejects.toThrow(/fallback\.metric is 'custom': pass the option fallbackScore/);
    await expect(apply(sensitive(), { ...STATIC, fallback: { metric: "top1", target: 1 } }, { executor: cpu, data, fallbackScore: () => 1 })).rejects.toThrow(
      /set fallback\.metric to 'custom'/,
    );
    await expect(apply(sensitive(), { ...STATIC, mode: "deploy", fallback: { metric: "top1", target: 1 } })).rejects.toThrow(/^apply: fallback searches layers on calibration data/);
  });

  it("candidates: quantized layers in node order; skipped layers and policies' skip excluded; a16w8 needs static activations", () => {
    const cfg = parsePtqConfig({ preset: "a8w8", skip: ["fc1"], policies: [{ match: "^head$", activation: { dtype: "none" } }], fallback: { metric: "sqnr", target: 1 } });
    expect(fallbackCandidates(mlp(), cfg)).toEqual(["head", "side"]);
    expect(fallbackCandidates(mlp(), { ...cfg, fallback: { ...cfg.fallback!, to: "a16w8" } })).toEqual(["side"]);
    expect(withFallbackLayers(cfg, ["side"]).skip).toEqual(["fc1", "side"]);
    expect(withFallbackLayers({ ...cfg, fallback: { ...cfg.fallback!, to: "a16w8" } }, ["a.b"]).policies[0]).toEqual({ match: "^a\\.b$", activation: { dtype: "none" } });
  });

  it("weight-only configs search without calibration", async () => {
    const { fq, report } = await run({ preset: "a16w4", weight: { group_size: 32 }, fallback: { metric: "sqnr", target: 200 } });
    expect(report.layers.length).toBe(3); // every layer float: identical outputs, +Infinity dB
    expect(report.scoreAfter).toBe(Infinity);
    expect(appliedConfig(fq)!.skip.length).toBe(3);
  });
});
