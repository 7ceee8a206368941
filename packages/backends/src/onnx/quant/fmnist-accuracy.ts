/**
 * One-off measurement (not a test, not part of the library): Fashion-MNIST test accuracy of
 * fmnist-cnn exported in each quantized format and run by onnxruntime-node (optimization
 * 'basic', 2 threads) over all 10,000 test images.
 *   a8w8   insert-observers{method=minmax},calibrate,fake-quant,fold-to-int,insert-dequant with
 *          512 training images (calibrated by the cpu interpreter) → qdq, qop
 *   a16w4  rtn{weight_dtype=int4,granularity=per-group,group_size=32},fold-to-int → qdq, nbits
 * Run: pnpm exec tsx packages/backends/src/onnx/quant/fmnist-accuracy.ts
 * Like the tests, it reaches the frontend and passes packages by relative path.
 */
import * as ort from "onnxruntime-node";
import type { Graph } from "@quantpass/ir";
import { loadOnnx } from "@quantpass/frontends";
import { runPipeline } from "@quantpass/passes";
import { imageBatch, loadFmnist } from "../../../../passes/src/testing/fmnist.js";
import { CpuInterpreter } from "../../cpu/interpreter.js";
import { exportOnnxBytes } from "../export.js";
import { toOrt } from "../ort-tensor.js";
import { exportQuantizedOnnxBytes, type QuantFormat } from "./export-quant.js";

const MODEL = new URL("../../../../../testdata/models/fmnist-cnn/model.onnx", import.meta.url).pathname;

async function accuracy(bytes: Uint8Array, test: ReturnType<typeof loadFmnist>): Promise<number> {
  const s = await ort.InferenceSession.create(bytes, { graphOptimizationLevel: "basic", intraOpNumThreads: 2, interOpNumThreads: 1, logSeverityLevel: 3 });
  let right = 0;
  for (let a = 0; a < test.count; a += 1000) {
    const b = Math.min(test.count, a + 1000);
    const out = await s.run({ x: toOrt(imageBatch(test, a, b), "x") });
    const y = Object.values(out)[0]!.data as Float32Array;
    for (let i = 0; i < b - a; i++) {
      let best = 0;
      for (let c = 1; c < 10; c++) if (y[i * 10 + c]! > y[i * 10 + best]!) best = c;
      if (best === test.labels[a + i]) right++;
    }
  }
  await s.release();
  return right / test.count;
}

const float = loadOnnx(MODEL);
const test = loadFmnist("t10k");
const train = loadFmnist("train", 512);
const batches = Array.from({ length: 8 }, (_, k) => ({ x: imageBatch(train, k * 64, (k + 1) * 64) }));
const a8w8 = (await runPipeline(float, "insert-observers{method=minmax},calibrate,fake-quant,fold-to-int,insert-dequant", {
  executor: new CpuInterpreter(), data: { size: batches.length, batches: () => batches },
})).graph;
const a16w4 = (await runPipeline(float, "rtn{weight_dtype=int4,granularity=per-group,group_size=32},fold-to-int")).graph;

const rows: [string, Graph, QuantFormat | undefined][] = [
  ["fp32", float, undefined], ["a8w8 qdq", a8w8, "qdq"], ["a8w8 qop", a8w8, "qop"], ["a16w4 g32 qdq", a16w4, "qdq"], ["a16w4 g32 nbits", a16w4, "nbits"],
];
for (const [label, g, format] of rows) {
  const bytes = format ? exportQuantizedOnnxBytes(g, { format }) : exportOnnxBytes(g, { opset: 13 });
  console.log(`${label.padEnd(16)} ${(await accuracy(bytes, test)).toFixed(4)}  (${test.count} test images, ${bytes.length} bytes)`);
}
