/**
 * fmnist-cnn static int8 in onnxruntime-node against the fp32 file, 1,000 test images in one
 * batch, 1 thread (this case runs in the 1-thread process only), at graph optimization
 * levels `basic` and `all`.
 *
 * int8: insert-observers{method=minmax},calibrate,fake-quant,fold-to-int,insert-dequant with
 * 512 Fashion-MNIST training images (calibrated by the cpu interpreter), exported as QDQ ONNX
 * by @quantpass/backends exportQuantizedOnnxBytes. The four sessions are timed round-robin;
 * `vs ours` of the fp32 row is fp32 ms / int8 ms (above 1: the int8 file is faster). The int8
 * row's note gives its top-1 agreement with fp32.
 */
import { existsSync, readFileSync } from "node:fs";
import type { Graph } from "@quantpass/ir";
import { imageBatch, loadFmnist, FMNIST_DIR } from "../../packages/passes/src/testing/fmnist.js";
import { firstLine } from "../lib/interpreter.js";
import { timeRoundRobin, type Contender } from "../lib/measure.js";
import { modelPath } from "../lib/models.js";
import { nodeTensor } from "../lib/ort.js";
import type { BenchCase, Measurement } from "../lib/types.js";
import * as ortNode from "onnxruntime-node";

const TEST = 1000;
const CALIB = 512;
const PIPELINE = "insert-observers{method=minmax},calibrate,fake-quant,fold-to-int,insert-dequant";
export const INT8 = "ort-node int8 qdq";
export const FP32 = "ort-node fp32";
const LEVELS = ["basic", "all"] as const;

type QuantizedExport = { bytes: Uint8Array } | { unavailable: string };

/** The int8 QDQ file, or why there is none (a missing exporter is "not available yet"). */
async function int8Qdq(fp32Path: string): Promise<QuantizedExport> {
  const backends = (await import("@quantpass/backends")) as Record<string, unknown>;
  const exportBytes = backends.exportQuantizedOnnxBytes as ((g: Graph, o: { format: "qdq" }) => Uint8Array) | undefined;
  if (!exportBytes) return { unavailable: "not available yet (@quantpass/backends exports no exportQuantizedOnnxBytes)" };
  const { loadOnnx } = await import("@quantpass/frontends");
  const { runPipeline } = await import("../../packages/passes/src/index.js");
  const Interp = backends.CpuInterpreter as new () => unknown;
  const train = loadFmnist("train", CALIB);
  const batches = Array.from({ length: CALIB / 64 }, (_, k) => ({ x: imageBatch(train, k * 64, (k + 1) * 64) }));
  const r = await runPipeline(loadOnnx(fp32Path), PIPELINE, {
    executor: new Interp() as never,
    data: { size: batches.length, batches: () => batches },
  });
  return { bytes: exportBytes(r.graph, { format: "qdq" }) };
}

function top1(y: Float32Array, i: number): number {
  let best = 0;
  for (let c = 1; c < 10; c++) if (y[i * 10 + c]! > y[i * 10 + best]!) best = c;
  return best;
}

export const fmnistInt8Case: BenchCase = {
  name: "fmnist-int8",
  ours: INT8,
  async run(ctx) {
    if (ctx.threads !== 1) return []; // the comparison is specified at 1 thread
    ctx.log("fmnist-cnn int8 QDQ vs fp32 in onnxruntime-node (1 thread)");
    const rows: Measurement[] = [];
    const names = Object.fromEntries(LEVELS.map((l) => [l, `fmnist-cnn int8 QDQ vs fp32, ${TEST} images, ORT ${l}`]));
    if (!existsSync(`${FMNIST_DIR}/t10k-images-idx3-ubyte.gz`) || !existsSync(`${FMNIST_DIR}/train-images-idx3-ubyte.gz`)) {
      for (const l of LEVELS) rows.push({ case: "fmnist-int8", name: names[l]!, impl: INT8, threads: 1, status: "unavailable", note: "dataset-fashion-mnist not installed (calibration and test images)" });
      return rows;
    }
    const fp32Path = modelPath("fmnist-cnn");
    let q: QuantizedExport;
    const t0 = performance.now();
    try {
      q = await int8Qdq(fp32Path);
    } catch (e) {
      q = { unavailable: `quantization or export failed: ${firstLine(e)}` };
    }
    const quantMs = performance.now() - t0;
    if ("unavailable" in q) {
      for (const l of LEVELS) rows.push({ case: "fmnist-int8", name: names[l]!, impl: INT8, threads: 1, status: "unavailable", note: q.unavailable });
      return rows;
    }
    ctx.log(`quantized and exported in ${(quantMs / 1000).toFixed(1)} s (${q.bytes.length} bytes)`);
    const test = imageBatch(loadFmnist("t10k", TEST), 0, TEST);
    const feeds = { x: nodeTensor("float32", test.data as Float32Array, [...test.shape]) };
    const files = { [FP32]: new Uint8Array(readFileSync(fp32Path)), [INT8]: q.bytes };

    const contenders: Contender[] = [];
    const outputs = new Map<string, Float32Array>();
    const sessions: ortNode.InferenceSession[] = [];
    for (const level of LEVELS)
      for (const [impl, bytes] of Object.entries(files)) {
        const s = await ortNode.InferenceSession.create(bytes, {
          executionProviders: ["cpu"], intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: "sequential", graphOptimizationLevel: level,
        });
        sessions.push(s);
        const start = performance.now();
        const out = await s.run(feeds);
        outputs.set(`${impl}|${level}`, out[s.outputNames[0]!]!.data as Float32Array);
        contenders.push({ impl: `${impl}|${level}`, run: () => s.run(feeds), firstRunMs: performance.now() - start });
      }
    const timings = await timeRoundRobin(contenders, { warmup: 2, iterations: ctx.quick ? 3 : 10, budgetMs: ctx.quick ? 500 : 2500 });
    for (const s of sessions) await s.release();

    for (const t of timings) {
      const [impl, level] = t.impl.split("|") as [string, (typeof LEVELS)[number]];
      let note: string | undefined;
      if (impl === INT8) {
        const a = outputs.get(t.impl)!;
        const b = outputs.get(`${FP32}|${level}`)!;
        let same = 0;
        for (let i = 0; i < TEST; i++) if (top1(a, i) === top1(b, i)) same++;
        note = `top-1 agrees with fp32 on ${same}/${TEST} images; ${PIPELINE} on ${CALIB} train images`;
      }
      rows.push({ case: "fmnist-int8", name: names[level]!, impl, threads: 1, status: "ok", medianMs: t.medianMs, minMs: t.minMs, iterations: t.iterations, ...(note ? { note } : {}) });
    }
    return rows;
  },
};
