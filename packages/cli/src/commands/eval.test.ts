import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as ort from "onnxruntime-node";
import { loadFashionMnistTest } from "../data/fashion-mnist.js";
import { errorLines, fmnistModel, quantpass, tempDir } from "../testing/harness.js";

const MODEL = fmnistModel();
const tmp = tempDir();
afterAll(tmp.cleanup);

/** Oracle: onnxruntime-node's accuracy on the first n test images. */
async function ortAccuracy(n: number): Promise<number> {
  const d = loadFashionMnistTest(n);
  const session = await ort.InferenceSession.create(MODEL, { graphOptimizationLevel: "basic" });
  const x = new ort.Tensor("float32", Float32Array.from(d.pixels, (p) => p / 255), [n, 1, 28, 28]);
  const logits = (await session.run({ x })).logits!.data as Float32Array;
  await session.release();
  let correct = 0;
  for (let r = 0; r < n; r++) {
    const row = Array.from(logits.subarray(r * 10, r * 10 + 10));
    if (row.indexOf(Math.max(...row)) === d.labels[r]) correct++;
  }
  return correct / n;
}

let oracle1000: number;
beforeAll(async () => { oracle1000 = await ortAccuracy(1000); });

describe("quantpass eval", () => {
  it("--json: accuracy on the first 1000 test images equals onnxruntime's", () => {
    const r = quantpass(["eval", MODEL, "--data", "fashion-mnist:1000", "--json"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(Object.keys(j).sort()).toEqual(["accuracy", "executor", "model", "samples", "seconds"]);
    expect(j).toMatchObject({ samples: 1000, model: "fmnist-cnn", executor: "cpu" });
    expect(j.accuracy).toBe(oracle1000);
    expect(j.accuracy).toBeGreaterThan(0.85);
    expect(j.seconds).toBeGreaterThan(0);
  });

  it("does not depend on the batch size (partial last batch)", () => {
    const r = quantpass(["eval", MODEL, "--data", "fashion-mnist:1000", "--batch", "300", "--json"]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).accuracy).toBe(oracle1000);
  });

  it("prints one human line, and no progress bar when stderr is not a terminal", () => {
    const r = quantpass(["eval", MODEL, "--data", "fashion-mnist:200"]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("");
    expect(r.stdout).toMatch(/^accuracy 0\.\d{4} on 200 images \(fmnist-cnn, cpu interpreter, \d+\.\d s\)\n$/);
  });

  it("tells how to install a missing data set", () => {
    const r = quantpass(["eval", MODEL, "--data", "fashion-mnist:10"], { env: { QUANTPASS_FASHION_MNIST_DIR: `${tmp.dir}/none` } });
    expect(r.code).toBe(2);
    expect(errorLines(r)).toHaveLength(1);
    expect(r.stderr).toContain("apt-get install dataset-fashion-mnist");
  });

  it("rejects unknown data sets and too many images", () => {
    const a = quantpass(["eval", MODEL, "--data", "imagenet"]);
    expect(a.code).toBe(2);
    expect(errorLines(a)).toEqual(["quantpass: error: --data 'imagenet': unknown data set (supported: fashion-mnist[:N])"]);
    const b = quantpass(["eval", MODEL, "--data", "fashion-mnist:10001"]);
    expect(b.code).toBe(2);
    expect(errorLines(b)).toEqual(["quantpass: error: --data fashion-mnist:10001: the test set has only 10000 images"]);
  });

  it("requires --data", () => {
    const r = quantpass(["eval", MODEL]);
    expect(r.code).toBe(2);
    expect(errorLines(r)).toEqual(["quantpass: error: required option '--data <set>' not specified"]);
  });
});
