/**
 * Accuracy of the float and the quantized model on the Fashion-MNIST test set (when the
 * calibration data has labels, or --eval-samples asks for it). Executors: the cpu interpreter
 * runs both graphs; with `--executor ort` onnxruntime-node runs the float graph and, for the
 * quantized one, the ONNX-ops graph the output file holds (the QDQ form for .safetensors and
 * .qir output), so the figure is that of the deployable file.
 */
import type { Executor, Graph } from "@quantpass/ir";
import { UserError } from "@quantpass/ir";
import { loadFashionMnistTest } from "../data/fashion-mnist.js";
import { evaluateImages, planImageEval } from "../eval/classify.js";
import type { Io } from "../io.js";
import { startProgress } from "../progress.js";
import type { ExecutorName } from "./executors.js";

export interface Accuracy {
  readonly dataset: string;
  readonly samples: number;
  readonly float: number;
  readonly quantized: number;
  readonly executor: string;
  readonly seconds: number;
}

export interface AccuracyInput {
  readonly float: Graph;
  readonly quant: Graph;
  /** ONNX-ops form of the quantized graph (what onnxruntime runs), with its opset. */
  readonly quantOnnx?: { graph: Graph; opset: number };
  readonly executor: ExecutorName;
  readonly floatExecutor: Executor;
  readonly samples: number;
  readonly io: Io;
  readonly progress: boolean;
}

/** Why accuracy cannot be measured for this model, or undefined when it can. */
export function accuracyUnavailable(g: Graph): string | undefined {
  try {
    planImageEval(g);
    return undefined;
  } catch (e) {
    if (e instanceof UserError) return e.message;
    throw e;
  }
}

export async function measureAccuracy(a: AccuracyInput): Promise<Accuracy> {
  const data = loadFashionMnistTest(a.samples, "--eval-samples");
  const t0 = performance.now();
  const run = async (label: string, ex: Executor, g: Graph) => {
    const progress = startProgress(a.io, data.count, label, a.progress);
    try {
      return (await evaluateImages(ex, g, data, planImageEval(g), (d) => progress.update(d))).accuracy;
    } finally {
      progress.stop();
    }
  };
  const float = await run("eval float    ", a.floatExecutor, a.float);
  let quantized: number;
  if (a.executor === "ort") {
    const backends = await import("@quantpass/backends");
    const onnx = a.quantOnnx ?? (() => {
      const l = backends.lowerQuantized(a.quant, { format: "qdq" });
      return { graph: l.graph, opset: l.opset };
    })();
    const ort = new backends.OrtExecutor({ optimization: "basic", export: { opset: onnx.opset } });
    try {
      quantized = await run("eval quantized", ort, onnx.graph);
    } finally {
      await ort.dispose();
    }
  } else {
    quantized = await run("eval quantized", a.floatExecutor, a.quant);
  }
  return {
    dataset: `fashion-mnist test set (first ${data.count})`,
    samples: data.count,
    float,
    quantized,
    executor: a.executor === "ort" ? "onnxruntime" : "cpu",
    seconds: (performance.now() - t0) / 1000,
  };
}
