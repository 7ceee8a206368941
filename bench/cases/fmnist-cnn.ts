/** fmnist-cnn on the first 1,000 Fashion-MNIST test images, one batch of 1000. */
import { existsSync, readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { randomF32 } from "../../packages/backends/src/cpu/kernels/test-util.js";
import { runModelBench } from "../lib/models.js";
import type { BenchCase } from "../lib/types.js";

const IMAGES = "/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz";
const COUNT = 1000;

/** Pixels / 255 as [COUNT,1,28,28]; uniform noise with a note when the Debian data set is absent. */
function images(): { data: Float32Array; source: string } {
  if (!existsSync(IMAGES)) {
    const data = randomF32(COUNT * 784, 7);
    for (let i = 0; i < data.length; i++) data[i] = Math.abs(data[i]!);
    return { data, source: "random pixels (dataset-fashion-mnist not installed)" };
  }
  const raw = gunzipSync(readFileSync(IMAGES));
  const data = new Float32Array(COUNT * 784);
  for (let i = 0; i < data.length; i++) data[i] = raw[16 + i]! / 255;
  return { data, source: "t10k images 0..999" };
}

export const fmnistCase: BenchCase = {
  name: "fmnist-cnn",
  ours: "quantpass-interpreter",
  async run(ctx) {
    ctx.log(`fmnist-cnn (${ctx.threads} thread${ctx.threads > 1 ? "s" : ""})`);
    const { data, source } = images();
    const rows = await runModelBench(ctx, {
      caseName: "fmnist-cnn",
      name: `fmnist-cnn, ${COUNT} images`,
      model: "fmnist-cnn",
      inputs: { x: { type: "float32", data, dims: [COUNT, 1, 28, 28] } },
      output: "logits",
    });
    if (source.startsWith("random")) for (const r of rows) r.note = [r.note, source].filter(Boolean).join("; ");
    return rows;
  },
};
