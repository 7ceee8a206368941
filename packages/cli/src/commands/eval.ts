/** `quantpass eval <model> --data fashion-mnist[:N]`: classification accuracy on a test set. */
import type { Command } from "commander";
import { loadFashionMnistTest, parseDataSpec } from "../data/fashion-mnist.js";
import { evaluateImages, planImageEval } from "../eval/classify.js";
import type { Io } from "../io.js";
import { printJson } from "../io.js";
import { loadModel, modelDisplayName } from "../model-io.js";
import { positiveInt } from "../options.js";
import { startProgress } from "../progress.js";

interface EvalOpts {
  data: string;
  batch?: number;
  json?: boolean;
}

/** Display names of executors (the JSON `executor` field holds Executor.name). */
const EXECUTOR_LABEL: Record<string, string> = { cpu: "cpu interpreter" };

export function registerEval(program: Command, io: Io): void {
  program
    .command("eval")
    .description("measure a classifier's accuracy on a test set with the cpu interpreter")
    .argument("<model>", "model file (.onnx or .qir) with one f32 [batch,1,28,28] input and [batch,10] logits")
    .requiredOption("--data <set>", "fashion-mnist[:N]: the Fashion-MNIST test set, or its first N images")
    .option("--batch <n>", "images per run (default 1000; a model with a fixed batch dim uses its own)", positiveInt)
    .option("--json", "print one JSON object on stdout: { accuracy, samples, model, executor, seconds }")
    .addHelpText("after", `
Images are the Fashion-MNIST TEST set (10,000) from the Debian package dataset-fashion-mnist
(/usr/share/datasets/fashion-mnist; override with QUANTPASS_FASHION_MNIST_DIR), scaled to
[0,1] (pixel / 255). accuracy = share of images where argmax(logits) equals the label.
seconds = wall time of inference (model and data loading excluded). A progress bar is drawn
on stderr when it is a terminal (never with --json).

Examples:
  $ quantpass eval testdata/models/fmnist-cnn/model.onnx --data fashion-mnist
  $ quantpass eval model.qir --data fashion-mnist:1000 --batch 250 --json`)
    .action(async (model: string, opts: EvalOpts) => {
      const spec = parseDataSpec(opts.data);
      const graph = await loadModel(model);
      const plan = planImageEval(graph, opts.batch);
      const data = loadFashionMnistTest(spec.limit);
      const executor = new (await import("@quantpass/backends")).CpuInterpreter();
      const progress = startProgress(io, data.count, "eval", !opts.json);
      const t0 = performance.now();
      let result;
      try {
        result = await evaluateImages(executor, graph, data, plan, (done) => progress.update(done));
      } finally {
        progress.stop();
      }
      const seconds = (performance.now() - t0) / 1000;
      const name = modelDisplayName(model);
      if (opts.json) {
        printJson(io, { accuracy: result.accuracy, samples: result.samples, model: name, executor: executor.name, seconds: Number(seconds.toFixed(3)) });
        return;
      }
      const label = EXECUTOR_LABEL[executor.name] ?? executor.name;
      io.out(`accuracy ${result.accuracy.toFixed(4)} on ${result.samples} images (${name}, ${label}, ${seconds.toFixed(1)} s)\n`);
    });
}
