import { describe, expect, it } from "vitest";
import { Tensor, UserError, type Executor, type Graph } from "@quantpass/ir";
import { argmaxRow, evaluateImages, imageBatch, planImageEval } from "./classify.js";

function graph(inShape: (number | string)[], outShape: (number | string)[] = ["b", 10], dtype = "f32"): Graph {
  return {
    name: "g", stage: "float", inputs: ["x"], outputs: ["y"], constants: {}, nodes: [], meta: {},
    values: { x: { dtype: dtype as "f32", shape: inShape }, y: { dtype: "f32", shape: outShape } },
  };
}

describe("planImageEval", () => {
  it("uses the default or requested batch for a symbolic batch dim", () => {
    expect(planImageEval(graph(["b", 1, 28, 28]))).toEqual({ input: "x", output: "y", batch: 1000, fixedBatch: false });
    expect(planImageEval(graph(["b", 1, 28, 28]), 64).batch).toBe(64);
  });
  it("follows a fixed batch dim and rejects a different --batch", () => {
    expect(planImageEval(graph([1, 1, 28, 28]))).toMatchObject({ batch: 1, fixedBatch: true });
    expect(() => planImageEval(graph([1, 1, 28, 28]), 8)).toThrow("--batch 8: input 'x' has a fixed batch dim of 1");
  });
  it("rejects inputs that are not [b,1,28,28] f32 and outputs that are not [b,10]", () => {
    expect(() => planImageEval(graph(["b", 784]))).toThrow(UserError);
    expect(() => planImageEval(graph(["b", 3, 28, 28]))).toThrow("input 'x' is f32 [b,3,28,28]; fashion-mnist images are f32 [batch,1,28,28]");
    expect(() => planImageEval(graph(["b", 1, 28, 28], ["b", 10], "f16"))).toThrow(/input 'x' is f16/);
    expect(() => planImageEval(graph(["b", 1, 28, 28], ["b", 7]))).toThrow("output 'y' is f32 [b,7]; expected logits [batch,10]");
  });
});

describe("evaluateImages", () => {
  const data = { count: 5, labels: Uint8Array.from([0, 1, 2, 3, 4]), pixels: Uint8Array.from({ length: 5 * 784 }, (_, i) => Math.floor(i / 784)) };
  // A fake classifier: predicts class = round(pixel[0] * 255), i.e. the image index; wrong on image 4.
  const fake = (fixed: number | null): Executor => ({
    name: "fake",
    async run(_g, feeds) {
      const x = feeds.x!;
      if (fixed !== null) expect(x.shape[0]).toBe(fixed);
      const b = x.shape[0]!;
      const out = new Float32Array(b * 10);
      for (let r = 0; r < b; r++) { const c = Math.round(x.get(r * 784) * 255); out[r * 10 + (c === 4 ? 9 : c)] = 1; }
      return { y: new Tensor("f32", [b, 10], out) };
    },
  });
  it("counts argmax == label over batches, including a partial last one", async () => {
    const seen: number[] = [];
    const r = await evaluateImages(fake(null), graph(["b", 1, 28, 28]), data, { input: "x", output: "y", batch: 2, fixedBatch: false }, (d) => seen.push(d));
    expect(r).toEqual({ correct: 4, samples: 5, accuracy: 0.8 });
    expect(seen).toEqual([2, 4, 5]);
  });
  it("pads the last batch for a fixed batch dim and ignores the padding", async () => {
    const r = await evaluateImages(fake(3), graph([3, 1, 28, 28]), data, { input: "x", output: "y", batch: 3, fixedBatch: true });
    expect(r.correct).toBe(4);
  });
  it("scales pixels to [0,1] and takes the first max", () => {
    expect(imageBatch({ count: 1, labels: Uint8Array.of(0), pixels: Uint8Array.from({ length: 784 }, () => 255) }, 0, 1).get(0)).toBe(1);
    expect(argmaxRow(Tensor.f32([1, 4], [1, 3, 3, 2]), 0, 4)).toBe(1);
  });
});
