/**
 * End to end on the real fmnist-cnn model: static int8 PTQ
 * (insert-observers{method=minmax},calibrate,fake-quant,fold-to-int,insert-dequant) with 512
 * Fashion-MNIST training images for calibration, evaluated on the first 2,000 test images
 * through the cpu interpreter. On all 10,000 test images (one-off run): fp32 0.8753, int 0.8747.
 */
import { describe, expect, it } from "vitest";
import { CpuInterpreter } from "@quantpass/backends";
import { loadOnnx } from "@quantpass/frontends";
import { verify, type Graph } from "@quantpass/ir";
import { runPipeline } from "../index.js";
import { imageBatch, loadFmnist } from "../testing/fmnist.js";
import { sameBits } from "../testing/run.js";

const MODEL = new URL("../../../../testdata/models/fmnist-cnn/model.onnx", import.meta.url).pathname;
const TEST_IMAGES = 2000;
const cpu = new CpuInterpreter();

async function accuracy(g: Graph, test: ReturnType<typeof loadFmnist>): Promise<number> {
  let right = 0;
  for (let s = 0; s < test.count; s += 500) {
    const e = Math.min(test.count, s + 500);
    const y = (await cpu.run(g, { x: imageBatch(test, s, e) }))[g.outputs[0]!]!.toF32();
    for (let i = 0; i < e - s; i++) {
      let best = 0;
      for (let c = 1; c < 10; c++) if (y[i * 10 + c]! > y[i * 10 + best]!) best = c;
      if (best === test.labels[s + i]) right++;
    }
  }
  return right / test.count;
}

describe("fmnist-cnn static int8 PTQ", () => {
  it("keeps the accuracy of the float model within 0.15 points on 2,000 test images", async () => {
    const g = loadOnnx(MODEL);
    const train = loadFmnist("train", 512);
    const batches = Array.from({ length: 8 }, (_, k) => ({ x: imageBatch(train, k * 64, (k + 1) * 64) }));
    const progress: number[] = [];
    const fq = await runPipeline(g, "insert-observers{method=minmax},calibrate,fake-quant", {
      executor: cpu,
      data: { size: batches.length, batches: () => batches },
      progress: (done) => progress.push(done),
    });
    expect(progress).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    const int = (await runPipeline(fq.graph, "fold-to-int,insert-dequant")).graph;
    verify(int);
    expect(int.stage).toBe("int");
    expect(int.nodes.filter((n) => n.op === "quant_matmul").length).toBe(2);
    expect(Object.values(int.constants).filter((t) => t.dtype === "i8").length).toBe(4);

    // QDQ form (fused matmuls unfused) is the fake-quant graph bit for bit.
    const qdq = (await runPipeline(int, "insert-dequant{unfuse=true}")).graph;
    const test = loadFmnist("t10k", TEST_IMAGES);
    const x = imageBatch(test, 0, 100);
    const [a, b] = [await cpu.run(fq.graph, { x }), await cpu.run(qdq, { x })];
    expect(sameBits(a[g.outputs[0]!]!, b[g.outputs[0]!]!)).toBe(true);

    const fp32 = await accuracy(g, test);
    const q = await accuracy(int, test);
    console.log(`fmnist-cnn on ${TEST_IMAGES} test images: fp32 ${fp32.toFixed(4)}, int8 ${q.toFixed(4)}`);
    expect(fp32).toBeGreaterThan(0.88);
    expect(q).toBeGreaterThanOrEqual(fp32 - 0.0015);
  }, 600_000);
});
