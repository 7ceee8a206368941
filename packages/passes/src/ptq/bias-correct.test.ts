import { describe, expect, it } from "vitest";
import { CpuInterpreter } from "@quantpass/backends";
import { GraphBuilder, Tensor, UserError, verify, type Graph } from "@quantpass/ir";
import { runPipeline } from "../index.js";
import { arbQuantGraphs, checkPass, listData, randomData } from "../testing/index.js";
import { floatModel } from "./bias-correct.js";

const cpu = new CpuInterpreter();

/** Deterministic inputs in [0, 1) (all positive, so a weight rounding bias shows in the mean). */
function positive(shape: number[], seed: number): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  let s = seed >>> 0;
  return Tensor.f32(shape, Array.from({ length: n }, () => ((s = (s * 1103515245 + 12345) >>> 0) % 1000) / 1000));
}

/** fake_quant with per-tensor scale 0.1: 0.26 → 0.3, -0.14 → -0.1, so every weight moves up by 0.04. */
const W_Q = { storage: "i8", scale: [0.1], zero_point: [0] };
const X_Q = { storage: "u8", scale: [1 / 255], zero_point: [0] };

/** Conv without a bias on [b,2,4,4], its weights all rounded up by 0.04. */
function conv(): Graph {
  const b = new GraphBuilder("conv", "fake-quant");
  const x = b.input("x", "f32", ["b", 2, 4, 4]);
  const xq = b.op1("fake_quant", [x], X_Q, { name: "x.q" });
  const w = b.constant("w", Tensor.f32([3, 2, 3, 3], Array.from({ length: 54 }, (_, i) => (i % 2 ? 0.26 : -0.14))));
  const wq = b.op1("fake_quant", [w], W_Q, { name: "w.q" });
  b.output(b.op1("Conv", [xq, wq], { pads: [1, 1, 1, 1] }, { name: "conv" }));
  return b.build();
}

/** x → MatMul+Add → Relu → Gemm(C) → y, weights rounded up by 0.04, activations u8/i8. */
function mlp(): Graph {
  const b = new GraphBuilder("mlp", "fake-quant");
  const x = b.input("x", "f32", ["b", 4]);
  const xq = b.op1("fake_quant", [x], X_Q, { name: "x.q" });
  const w1 = b.op1("fake_quant", [b.constant("w1", Tensor.f32([4, 3], [0.26, -0.14, 0.26, 0.26, 0.26, -0.14, -0.14, 0.26, 0.26, 0.26, 0.26, -0.14]))], W_Q, { name: "w1.q" });
  const h = b.op1("MatMul", [xq, w1], {}, { name: "mm" });
  const a = b.op1("Relu", [b.op1("Add", [h, b.constant("b1", Tensor.f32([3], [0.1, -0.2, 0.3]))], {}, { name: "add" })]);
  const aq = b.op1("fake_quant", [a], { storage: "i8", scale: [0.02], zero_point: [-128] }, { name: "a.q" });
  const w2 = b.op1("fake_quant", [b.constant("w2", Tensor.f32([2, 3], [0.26, -0.14, 0.26, -0.14, 0.26, 0.26]))], { ...W_Q }, { name: "w2.q" });
  b.output(b.op1("Gemm", [aq, w2, b.constant("c", Tensor.f32([2], [0.5, -0.5]))], { transB: 1, beta: 2 }, { name: "gemm" }));
  return b.build();
}

const data = (g: Graph, n = 4) => listData(Array.from({ length: n }, (_, k) => ({ x: positive([5, ...g.values.x!.shape.slice(1).map(Number)], k + 1) })));

/** Mean of (y_q − y_float) per channel of value `v` (channel axis `axis`) over the data, g quantized, f float. */
async function meanError(q: Graph, f: Graph, v: string, axis: number, d: ReturnType<typeof data>): Promise<number[]> {
  let sums: number[] = [];
  let count = 0;
  for (const feeds of d.batches() as Iterable<Record<string, Tensor>>) {
    const a = (await cpu.run(q, feeds, { fetch: [v] }))[v]!;
    const r = (await cpu.run(f, feeds, { fetch: [v] }))[v]!.toF32();
    const x = a.toF32();
    const c = a.shape[axis]!;
    const inner = a.shape.slice(axis + 1).reduce((s, k) => s * k, 1);
    if (!sums.length) sums = new Array(c).fill(0);
    for (let i = 0; i < x.length; i++) sums[Math.floor(i / inner) % c]! += x[i]! - r[i]!;
    count += x.length / c;
  }
  return sums.map((s) => s / count);
}

describe("bias-correct", () => {
  for (const mode of ["fast", "sequential"] as const)
    it(`${mode}: a Conv without bias gets one that cancels its weights' systematic error on the calibration data`, async () => {
      const g = conv();
      const d = data(g);
      const before = await meanError(g, floatModel(g), "conv_out", 1, d);
      expect(Math.min(...before.map(Math.abs))).toBeGreaterThan(0.1);
      const r = await runPipeline(g, `bias-correct{mode=${mode}}`, { executor: cpu, data: d });
      verify(r.graph);
      expect(r.graph.nodes.find((n) => n.name === "conv")!.inputs).toEqual(["x.q_out", "w.q_out", "conv.bias"]);
      expect(r.records[0]!.counts).toMatchObject({ corrected: 1, runs: 2 });
      for (const e of await meanError(r.graph, floatModel(g), "conv_out", 1, d)) expect(Math.abs(e)).toBeLessThan(1e-5);
      expect(g.nodes.find((n) => n.name === "conv")!.inputs.length).toBe(2); // input untouched
    });

  it("sequential: MatMul+Add and Gemm(C, beta=2) in a chain; the last layer's mean error includes what the first carries in", async () => {
    const g = mlp();
    const d = data(g);
    const f = floatModel(g);
    const r = await runPipeline(g, "bias-correct{mode=sequential}", { executor: cpu, data: d });
    verify(r.graph);
    expect(r.records[0]!.counts).toMatchObject({ corrected: 2, runs: 3 });
    for (const e of await meanError(r.graph, f, "add_out", 1, d)) expect(Math.abs(e)).toBeLessThan(1e-5);
    for (const e of await meanError(r.graph, f, "gemm_out", 1, d)) expect(Math.abs(e)).toBeLessThan(1e-5);
    // The biases moved in place (constants used once), not through new nodes.
    expect(r.graph.nodes.map((n) => n.op)).toEqual(g.nodes.map((n) => n.op));
    expect(r.graph.constants.b1!.toF32()).not.toEqual(g.constants.b1!.toF32());
  });

  it("fast: each layer is corrected for its own error on its float input", async () => {
    const g = mlp();
    const d = data(g);
    const r = await runPipeline(g, "bias-correct{mode=fast}", { executor: cpu, data: d });
    expect(r.records[0]!.counts).toMatchObject({ corrected: 2, runs: 2 });
    // The first layer sees the float input either way; its error is gone.
    for (const e of await meanError(r.graph, floatModel(g), "add_out", 1, d)) expect(Math.abs(e)).toBeLessThan(1e-5);
  });

  it("leaves a MatMul without a following constant Add and layer-policy exclusions alone", async () => {
    const b = new GraphBuilder("g", "fake-quant");
    const x = b.input("x", "f32", ["b", 2]);
    const w = b.op1("fake_quant", [b.constant("w", Tensor.f32([2, 2], [0.26, 0.26, -0.14, 0.26]))], W_Q);
    b.output(b.op1("MatMul", [x, w], {}, { name: "mm" }));
    const g = b.build();
    const r = await runPipeline(g, "bias-correct", { executor: cpu, data: randomData(g) });
    expect(r.graph).toBe(g);
    expect(r.records[0]!.counts).toMatchObject({ "no-bias": 1 });
    const m = mlp();
    const s = await runPipeline(m, "bias-correct{skip=[gemm]}", { executor: cpu, data: data(m) });
    expect(s.graph.constants.c).toBe(m.constants.c);
  });

  it("is a clear UserError without an executor or data", async () => {
    const g = conv();
    await expect(runPipeline(g, "bias-correct", { data: data(g) })).rejects.toThrow(/bias-correct needs an executor/);
    await expect(runPipeline(g, "bias-correct", { executor: cpu })).rejects.toThrow(UserError);
    await expect(runPipeline(g, "bias-correct", { executor: cpu, data: listData([]) })).rejects.toThrow(/no batches/);
  });

  it("holds the verifier and does not mutate on random MLPs and conv nets (checkPass), and fold-to-int follows", async () => {
    for (const mode of ["fast", "sequential"]) {
      const report = await checkPass("bias-correct", {
        graphs: arbQuantGraphs,
        executor: cpu,
        before: "insert-observers{outputs=true},calibrate,fake-quant",
        data: (g) => randomData(g, 2, 3),
        options: { mode },
        numRuns: 15,
      });
      expect(report.checked).toContain("verifier");
    }
    const m = mlp();
    const r = await runPipeline(m, "bias-correct,fold-to-int,insert-dequant", { executor: cpu, data: data(m) });
    verify(r.graph);
    expect(r.graph.stage).toBe("int");
  });
});
