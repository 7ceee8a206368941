/** `quantpass quantize <model> --preset <name> --out <file>`: post-training quantization. */
import { Option, type Command } from "commander";
import type { Io } from "../io.js";
import { collect, fallbackSensitivity, fallbackSpec, positiveInt } from "../options.js";
import { DEFAULT_CALIB_BATCH, DEFAULT_EVAL_SAMPLES, DEFAULT_FMNIST_CALIB, OUTPUT_FORMATS } from "../quantize/defaults.js";
import type { QuantizeOptions } from "../quantize/run.js";

/** A non-negative integer option value (`--eval-samples 0` turns evaluation off). */
function naturalInt(value: string): number {
  return value.trim() === "0" ? 0 : positiveInt(value);
}

export function registerQuantize(program: Command, io: Io): void {
  program
    .command("quantize")
    .description("quantize a model with a PTQ preset/config or a pass pipeline, and write ONNX or a quantized checkpoint")
    .argument("<model>", "float model (.onnx or .qir)")
    .option("--preset <name>", "PTQ preset: a16w8 | a16w4 | a8w8 | a8w8-dynamic (combine with '+')")
    .option("--config <file.json>", "PTQ config fields (JSON), merged over the preset")
    .option("--calib <dir|fashion-mnist:N>", `calibration data: a folder of <input name>.npy files (samples along the first axis), or the first N Fashion-MNIST training images (default N ${DEFAULT_FMNIST_CALIB})`)
    .option("--calib-batch <n>", `samples per calibration batch (default ${DEFAULT_CALIB_BATCH}; a fixed batch dim in the model wins)`, positiveInt)
    .requiredOption("-o, --out <file>", "output file (.onnx, .safetensors or .qir); written atomically")
    .addOption(new Option("--format <format>", "output format (default from the extension: .onnx → onnx-qdq, .safetensors → safetensors, .qir → qir)").choices(OUTPUT_FORMATS))
    .option("--opset <n>", "ONNX opset to write (default 13, or 21 when int4 or per-group parameters remain)", positiveInt)
    .option("--report <file.html>", "write a self-contained HTML report (per-layer SQNR chart, sizes, accuracy, pipeline, time per pass)")
    .option("--json", "print one JSON object on stdout: { output, bytesBefore, bytesAfter, layers: [{ name, sqnrDb }], ... }")
    .option("--passes <pipeline>", "run this pipeline instead of a preset's, e.g. 'rtn{weight_dtype=int4},fold-to-int'")
    .option("--plugin <file.js|file.ts>", "import a module whose definePass(...) calls register passes (repeatable; relative to the working directory)", collect)
    .option("--executor <name>", "executor for calibration and evaluation: cpu (the interpreter) or ort (onnxruntime-node, faster)", "cpu")
    .option("--fallback <metric:target>", "accuracy-driven mixed precision: keep the most sensitive layers in float until the metric reaches the target: top1:<fraction> (argmax agreement with float) or sqnr:<dB> (of the outputs), on the calibration data; overrides the config's fallback", fallbackSpec)
    .option("--fallback-max-layers <n>", "keep at most n layers in float (not reaching the target is an error)", positiveInt)
    .option(
      "--fallback-sensitivity <measure>",
      "how --fallback ranks layers: leave-one-out (default; one model evaluation per layer) or local (two runs: the noise-to-signal ratio each layer adds, input to output)",
      fallbackSensitivity,
    )
    .option("--eval-samples <n>", `Fashion-MNIST test images for the accuracy figures (default ${DEFAULT_EVAL_SAMPLES} when --calib is fashion-mnist; 0: no accuracy)`, naturalInt)
    .option("--verify-each", "run the IR verifier after every pass")
    .option("--print-ir-after-all", "print the IR after every pass on stderr")
    .addHelpText("after", `
The preset (or --config file, whose fields win over the preset) compiles to a pipeline of
passes; --passes gives the pipeline directly. Static int8 activations (a8w8) need --calib.
Presets: a16w8 (int8 weights per channel), a16w4 (int4 weights, groups of 128), a8w8 (static
int8 activations + weights, calibrated), a8w8-dynamic (per-token int8 activations at run time).

--fallback top1:0.99 (or sqnr:30) searches the layers to keep in float: after the one
calibration it scores the int8 model, each layer alone in float, then falls back layers in
order of gain until the target holds; the chosen layers are written to the config's skip list
(checkpoints and deploy mode reproduce them) and listed in the report and in --json.
--fallback-sensitivity local ranks the layers from two runs (float and all-int8) by each
layer's added noise (dB of noise-to-signal), input to output, instead of scoring every layer alone in float.

Per-layer SQNR = 10·log10(Σ y² / Σ (y − y_quant)²) of each quantized layer's output (layers
matched by node name) on the first calibration batches, or on random inputs without --calib.
With --calib fashion-mnist:N the float and quantized models are also evaluated on the
Fashion-MNIST test set (--eval-samples). A progress bar is drawn on stderr when it is a
terminal (never with --json). Output and report are written only when everything succeeded.

Examples:
  $ quantpass quantize testdata/models/fmnist-cnn/model.onnx --preset a16w8 --out fmnist-w8.onnx
  $ quantpass quantize model.onnx --preset a8w8 --calib fashion-mnist:512 --out q.onnx --report q.html
  $ quantpass quantize model.onnx --preset a16w4 --out q.onnx --format onnx-nbits --json
  $ quantpass quantize model.onnx --preset a8w8 --config ptq.json --calib calib/ --out q.safetensors
  $ quantpass quantize model.onnx --preset a8w8 --calib fashion-mnist:512 --fallback top1:0.995 --out q.onnx
  $ quantpass quantize model.onnx --passes 'zero-small-weights{threshold=0.01},rtn,fold-to-int' --plugin ./examples/my-pass/my-pass.ts --out small.onnx`)
    .action(async (model: string, opts: QuantizeOptions) => {
      // Loaded on use: the passes, formats and backends stay out of other commands and --help.
      const { runQuantize } = await import("../quantize/run.js");
      await runQuantize(model, opts, io);
    });
}
