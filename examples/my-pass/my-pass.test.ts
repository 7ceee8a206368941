// Property tests of the example pass with the public testing kit.
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { CpuInterpreter } from "@quantpass/backends";
import { GraphBuilder, Tensor } from "@quantpass/ir";
import { runPipeline } from "@quantpass/passes";
import { arbSingleLayer, arbQuantGraphs, checkPass, defaultInputs } from "@quantpass/passes/testing";
import { zeroSmallWeights } from "./my-pass.js";
import { pruneAndQuantize } from "./run.js";

const executor = new CpuInterpreter();
const THRESHOLD = 0.05;

describe("zero-small-weights", () => {
  it("on one layer moves each output by at most threshold · Σ|x| (inputs in [-1, 1], K <= 8)", async () => {
    const report = await checkPass(zeroSmallWeights, {
      graphs: arbSingleLayer,
      executor,
      options: { threshold: THRESHOLD },
      inputs: (g) => defaultInputs(g, 3),
      // |x_k| <= 1 and at most 8 inputs per output: |Δy| < 8 · threshold.
      bound: { abs: 8 * THRESHOLD },
      numRuns: 60,
    });
    expect(report.checked).toEqual(["verifier", "no-mutation", "idempotent", "numeric"]);
  });

  it("is exact with threshold 0 and keeps every network valid and idempotent", async () => {
    await checkPass(zeroSmallWeights, { graphs: arbQuantGraphs, executor, options: { threshold: 0 }, bound: { abs: 0 }, numRuns: 30 });
    const r = await checkPass(zeroSmallWeights, { graphs: arbQuantGraphs, executor, options: { threshold: 0.3 }, numRuns: 30 });
    expect(r.skipped).toEqual([expect.stringContaining("no bound given")]);
  });

  it("zeroes exactly the small weights and leaves biases alone", async () => {
    const b = new GraphBuilder("g");
    const x = b.input("x", "f32", ["n", 2]);
    const w = b.constant("w", Tensor.f32([2, 2], [0.5, 0.004, -0.3, -0.009]));
    const bias = b.constant("bias", Tensor.f32([2], [0.001, 0.002]));
    b.output(b.op1("Gemm", [x, w, bias], {}, { name: "fc" }));
    const g0 = b.build();
    const r = await runPipeline(g0, "zero-small-weights{threshold=0.01}");
    const g = r.graph;
    expect(g.constants["w.pruned"]!.data).toEqual(Float32Array.from([0.5, 0, -0.3, 0]));
    expect(g.constants.bias).toBe(g0.constants.bias); // untouched, not even copied
    expect("w" in g.constants).toBe(false);
    expect(r.records[0]!.counts).toEqual({ "weights zeroed": 2, "weights seen": 4 });
    // Nothing under the threshold: the very same graph comes back.
    const none = (await runPipeline(g, "zero-small-weights{threshold=0.01}")).graph;
    expect(none).toBe(g);
  });

  it("composes with quantization in a pipeline: pruned weights stay zero in the int graph", async () => {
    const b = new GraphBuilder("g");
    const x = b.input("x", "f32", ["n", 4]);
    const w = b.constant("w", Tensor.f32([4, 2], fc.sample(fc.float({ min: -1, max: 1, noNaN: true }), { numRuns: 8, seed: 3 })));
    b.output(b.op1("MatMul", [x, w], {}, { name: "mm" }));
    const g0 = b.build();
    const int = (await runPipeline(g0, "zero-small-weights{threshold=0.2},rtn,fold-to-int")).graph;
    const q = Object.values(int.constants).find((t) => t.dtype === "i8")!;
    const before = g0.constants.w!.data as Float32Array;
    expect(before.some((v) => Math.abs(v) < 0.2)).toBe(true);
    before.forEach((v, i) => {
      if (Math.abs(v) < 0.2) expect(q.get(i)).toBe(0);
    });
  });

  it("runs from TypeScript on the fmnist-cnn model (run.ts)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "my-pass-"));
    try {
      const model = new URL("../../testdata/models/fmnist-cnn/model.onnx", import.meta.url).pathname;
      const records = await pruneAndQuantize(model, join(dir, "small.onnx"));
      expect(records.map((r) => r.pass)).toEqual(["zero-small-weights", "rtn", "fold-to-int"]);
      expect(records[0]!.counts["weights zeroed"]).toBeGreaterThan(1000);
      expect(statSync(join(dir, "small.onnx")).size).toBeLessThan(statSync(model).size / 3);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
