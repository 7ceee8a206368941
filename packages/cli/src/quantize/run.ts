/**
 * `quantpass quantize`, as a function (the command file only parses flags): load plugins,
 * plan the pipeline (preset/config or --passes), load the model and the calibration data,
 * run the pipeline, encode the output, measure per-layer SQNR and accuracy, then write the
 * output and the report. Everything that can fail on bad input fails before the first file
 * is written; both files are written atomically.
 */
import { statSync } from "node:fs";
import { Tensor, UserError, type Executor, type Graph } from "@quantpass/ir";
import { apply, appliedConfig, compilePtq, convert, formatPipeline, runPipeline, type FallbackReport, type PassRecord, type PipelineOptions, type PipelineResult, type PtqConfig } from "@quantpass/passes";
import { atomicWrite } from "@quantpass/formats";
import { checkWritableTarget, writing } from "../files.js";
import type { Io } from "../io.js";
import { printJson } from "../io.js";
import { loadModel, modelDisplayName } from "../model-io.js";
import { startProgress, type Progress } from "../progress.js";
import { formatQuantize, quantizeHtml, quantizeJson, type QuantizeSummary } from "../report/quantize-report.js";
import { accuracyUnavailable, measureAccuracy, type Accuracy } from "./accuracy.js";
import { fashionMnistCalibration, npyCalibration, type Calibration } from "./calib.js";
import { planQuantize } from "./config.js";
import { createExecutor, parseExecutorName } from "./executors.js";
import { encodeOutput, outputFormat, writeOutput } from "./output.js";
import { loadPlugins } from "./plugins.js";
import { layerSqnr } from "./sqnr.js";
import { fallbackSummary } from "./fallback.js";
import { isDataSpec } from "../data/fashion-mnist.js";
import { DEFAULT_EVAL_SAMPLES } from "./defaults.js";

export interface QuantizeOptions {
  readonly preset?: string;
  readonly config?: string;
  readonly calib?: string;
  readonly calibBatch?: number;
  readonly out: string;
  readonly format?: string;
  readonly opset?: number;
  readonly report?: string;
  readonly json?: boolean;
  readonly passes?: string;
  readonly plugin?: readonly string[];
  readonly verifyEach?: boolean;
  readonly printIrAfterAll?: boolean;
  readonly executor?: string;
  readonly evalSamples?: number;
  /** Batches of the calibration data the SQNR is measured on (default 4). */
  readonly sqnrBatches?: number;
  /** --fallback <metric>:<target> (parsed). */
  readonly fallback?: { readonly metric: "sqnr" | "top1"; readonly target: number };
  readonly fallbackMaxLayers?: number;
}

export { DEFAULT_EVAL_SAMPLES };
const SQNR_BATCHES = 4;
const RANDOM_DIM = 4;

/** Feeds of standard-normal values (seeded) for SQNR when there is no calibration data. */
function randomBatches(g: Graph, n: number): Record<string, Tensor>[] | string {
  const bad = g.inputs.find((i) => g.values[i]!.dtype !== "f32");
  if (bad) return `input '${bad}' is ${g.values[bad]!.dtype}, and random inputs are only made for f32 inputs`;
  let seed = 12345;
  const rand = () => {
    seed = (seed * 1103515245 + 12345) >>> 0;
    return (seed + 0.5) / 2 ** 32;
  };
  const normal = () => Math.sqrt(-2 * Math.log(rand())) * Math.cos(2 * Math.PI * rand());
  return Array.from({ length: n }, () => {
    const feeds: Record<string, Tensor> = {};
    for (const i of g.inputs) {
      const shape = g.values[i]!.shape.map((d) => (typeof d === "number" ? d : RANDOM_DIM));
      const size = shape.reduce((a, b) => a * b, 1);
      feeds[i] = new Tensor("f32", shape, Float32Array.from({ length: size }, normal));
    }
    return feeds;
  });
}

/** A progress hook for the pass context: one bar per label, started on first report. */
function progressHook(io: Io, enabled: boolean): { hook: (done: number, total: number, label: string) => void; stop: () => void } {
  let bar: Progress | undefined;
  let current = "";
  return {
    hook(done, total, label) {
      if (!enabled) return;
      if (!bar || label !== current) {
        bar?.stop();
        bar = startProgress(io, total, label, true);
        current = label;
      }
      bar.update(done);
    },
    stop: () => bar?.stop(),
  };
}

/**
 * A config with `fallback`: apply (calibrate once, search, fake-quant) then convert, instead
 * of the plain pipeline; the graph's recorded config (the chosen layers in `skip`) is what the
 * output and its checkpoint config describe.
 */
async function runFallback(graph: Graph, config: PtqConfig, opts: PipelineOptions): Promise<{ result: PipelineResult; config: PtqConfig; report: FallbackReport }> {
  let report: FallbackReport | undefined;
  const fq = await apply(graph, config, { ...opts, onFallback: (r) => (report = r) });
  const effective = appliedConfig(fq)!;
  return { result: { graph: await convert(fq, opts), records: [] }, config: effective, report: report! };
}

function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

export async function runQuantize(model: string, o: QuantizeOptions, io: Io): Promise<QuantizeSummary> {
  const t0 = performance.now();
  const executorName = parseExecutorName(o.executor ?? "cpu");
  const format = outputFormat(o.out, o.format);
  checkWritableTarget(o.out);
  if (o.report !== undefined) {
    if (!/\.html?$/i.test(o.report)) throw new UserError(`--report '${o.report}': the report is an HTML file (.html)`, "--report");
    checkWritableTarget(o.report);
  }
  if (o.evalSamples !== undefined && o.evalSamples > 10000) throw new UserError(`--eval-samples ${o.evalSamples}: the Fashion-MNIST test set has 10000 images`, "--eval-samples");
  const plugins = o.plugin ?? [];
  const pluginPasses = new Map<string, string>();
  for (const file of plugins) for (const p of await loadPlugins([file])) pluginPasses.set(p, file);
  const plan = planQuantize(o);
  if (format === "safetensors" && !plan.config)
    throw new UserError(`--format safetensors: a quantized checkpoint records the PTQ config it was made with, and a --passes pipeline has none; use --preset/--config, or write .onnx or .qir`, "--format");

  const graph = await loadModel(model);
  let calib: Calibration | undefined;
  if (o.calib !== undefined)
    calib = isDataSpec(o.calib) ? fashionMnistCalibration(graph, o.calib, o.calibBatch) : await npyCalibration(graph, o.calib, o.calibBatch);
  if (!calib && plan.steps.some((s) => s.pass === "calibrate"))
    throw new UserError(
      `${plan.source === "--passes" ? "--passes" : `--preset/--config (${plan.source})`}: the pipeline calibrates activations (pass 'calibrate'); give --calib <dir of <input>.npy files> or --calib fashion-mnist:N`,
      "--calib",
    );

  const executor = await createExecutor(executorName);
  const cpu: Executor = executorName === "cpu" ? executor : new (await import("@quantpass/backends")).CpuInterpreter();
  const showProgress = !o.json && io.errIsTTY;
  const progress = progressHook(io, showProgress);
  const records: PassRecord[] = [];
  let result;
  let config = plan.config;
  let pipelineText = plan.text;
  let fallback: FallbackReport | undefined;
  if (config?.fallback && !calib)
    throw new UserError(`--fallback scores the quantized model against the float model on the calibration data: give --calib <dir> or --calib fashion-mnist:N`, "--calib");
  try {
    const pipelineOpts: PipelineOptions = {
      executor,
      ...(calib ? { data: calib } : {}),
      progress: progress.hook,
      ...(o.verifyEach ? { verifyEach: true } : {}),
      ...(o.printIrAfterAll ? { printIrAfter: (pass: string, ir: string) => io.err(`// ----- IR after ${pass} -----\n${ir}${ir.endsWith("\n") ? "" : "\n"}`) } : {}),
      onPassDone: (r) => records.push(r),
    };
    if (config?.fallback) {
      const r = await runFallback(graph, config, pipelineOpts);
      result = r.result;
      config = r.config;
      fallback = r.report;
      pipelineText = formatPipeline(compilePtq(config));
    } else result = await runPipeline(graph, plan.steps, pipelineOpts);
  } catch (e) {
    // A plugin pass that throws is the plugin's fault, not quantpass's: name the plugin file.
    if (!(e instanceof UserError) && e instanceof Error) {
      const m = /^pass '([^']+)'/.exec(e.message);
      const file = m ? pluginPasses.get(m[1]!) : undefined;
      if (file) throw new UserError(`--plugin ${file}: ${e.message}`, file);
    }
    throw e;
  } finally {
    progress.stop();
  }
  const quant = result.graph;
  const enc = await encodeOutput(quant, format, o.opset);

  const notes: string[] = [];
  const nBatches = o.sqnrBatches ?? SQNR_BATCHES;
  let sqnrData: string;
  let batches: Iterable<Readonly<Record<string, Tensor>>> | AsyncIterable<Readonly<Record<string, Tensor>>> | undefined;
  if (calib) {
    batches = calib.batches();
    sqnrData = `the first ${Math.min(nBatches, calib.size)} calibration batch${Math.min(nBatches, calib.size) === 1 ? "" : "es"} of ${calib.label}`;
  } else {
    const r = randomBatches(graph, 2);
    if (typeof r === "string") {
      sqnrData = "nothing";
      notes.push(`per-layer SQNR not measured: no --calib data, and ${r}`);
    } else {
      batches = r;
      sqnrData = `2 batches of seeded standard-normal random inputs (no --calib data; symbolic dims = ${RANDOM_DIM})`;
      notes.push("per-layer SQNR was measured on random inputs (no --calib): give --calib for figures on real data");
    }
  }
  const layers = batches ? await layerSqnr(cpu, graph, quant, batches, nBatches) : [];

  let accuracy: Accuracy | undefined;
  const wantAccuracy = o.evalSamples !== 0 && (calib?.labeled || o.evalSamples !== undefined);
  if (wantAccuracy) {
    const why = accuracyUnavailable(graph);
    if (why) notes.push(`accuracy not measured: ${why}`);
    else
      accuracy = await measureAccuracy({
        float: graph,
        quant,
        ...(enc.onnxGraph ? { quantOnnx: { graph: enc.onnxGraph, opset: enc.opset! } } : {}),
        executor: executorName,
        floatExecutor: executor,
        samples: o.evalSamples ?? DEFAULT_EVAL_SAMPLES,
        io,
        progress: showProgress,
      });
  }
  await executor.dispose?.();

  const summaryBase = {
    model,
    name: modelDisplayName(model),
    output: o.out,
    format,
    bytesBefore: fileSize(model),
    layers: layers.map((l) => ({ name: l.name, op: l.op, quantOp: l.quantOp, sqnrDb: l.sqnrDb })),
    sqnrData,
    pipeline: pipelineText,
    source: plan.source,
    passes: records.map((r) => ({ pass: r.pass, ms: r.ms, changed: r.changed, counts: r.counts })),
    ...(calib ? { calibration: calib.label } : {}),
    executor: executorName === "ort" ? "onnxruntime" : "cpu interpreter",
    ...(accuracy ? { accuracy } : {}),
    exportCounts: enc.counts,
    ...(fallback ? { fallback: fallbackSummary(fallback) } : {}),
    notes,
  };
  // Sizes are known only after writing (checkpoints are written by their own writer); the
  // report is rendered afterwards and written last.
  const bytesAfter = await writeOutput(quant, enc, o.out, config);
  const summary: QuantizeSummary = { ...summaryBase, bytesAfter, seconds: (performance.now() - t0) / 1000 };
  if (o.report !== undefined) {
    const html = quantizeHtml(summary);
    await writing(o.report, () => atomicWrite(o.report!, new TextEncoder().encode(html)));
  }
  if (o.json) printJson(io, quantizeJson(summary));
  else io.out(formatQuantize(summary));
  return summary;
}
