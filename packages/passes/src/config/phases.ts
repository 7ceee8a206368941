/**
 * The two phases Golden Stick users know:
 *
 *   const fq = await apply(float, "a8w8", { executor, data });   // float → fake-quant
 *   const int = await convert(fq);                                // fake-quant → int
 *
 * `apply` in quantize mode observes, calibrates and transforms; in deploy mode
 * (`mode: "deploy"`) it builds the same structure without data, with placeholder
 * parameters that a quantized checkpoint replaces (backends' loadQuantizedCheckpoint, into
 * the converted graph). `apply` records the validated config in the graph's meta under
 * `quantpass.ptq`, and `convert` reads it back (per-token activations are introduced at
 * convert time); a fake-quant graph without it converts as a static one.
 *
 * In quantize mode the fake-quant graph of a per-token config simulates only the weights:
 * per-token activation quantization exists only as dynamic_quant in the int graph.
 *
 * With `fallback` in the config (quantize mode only), apply runs the accuracy-driven search of
 * fallback.ts and records the EFFECTIVE config: the chosen layers appended to `skip` (or as
 * a16w8 policies) and no `fallback` field, so convert, checkpoints and deployGraph rebuild the
 * same structure without searching again. `onFallback` receives the search report;
 * `fallbackScore` is the scorer of `fallback.metric: "custom"`.
 */
import { edit, UserError, type Graph } from "@quantpass/ir";
import { runPipeline, type PipelineOptions } from "../pass-manager.js";
import type { PipelineStep } from "../pipeline-text.js";
import { compilePtqPhases } from "./compile.js";
import { applyWithFallback, type FallbackReport, type FallbackScorer } from "./fallback.js";
import { canonicalJson, parsePtqConfig } from "./parse.js";
import type { PtqConfig, PtqConfigInput } from "./schema.js";

/** Graph meta key holding the canonical JSON of the config apply used. */
export const PTQ_META = "quantpass.ptq";

const STATIC_CONVERT: PipelineStep[] = [
  { pass: "fold-to-int", options: {} },
  { pass: "insert-dequant", options: {} },
  { pass: "dce", options: {} },
];

export interface ApplyOptions extends PipelineOptions {
  /** The task metric of `fallback.metric: "custom"`: fake-quant graph → score (higher is better). */
  readonly fallbackScore?: FallbackScorer;
  /** Called with the fallback search's report (configs with `fallback`). */
  readonly onFallback?: (report: FallbackReport) => void;
}

export async function apply(graph: Graph, config: PtqConfigInput | PtqConfig | string, opts: ApplyOptions = {}): Promise<Graph> {
  const cfg = parsePtqConfig(config);
  if (graph.stage !== "float") throw new UserError(`apply: the graph is at stage '${graph.stage}'; apply takes a float graph (convert lowers a fake-quant graph)`);
  const { apply: steps } = compilePtqPhases(cfg);
  if (steps.some((s) => s.pass === "calibrate") && (!opts.executor || !opts.data))
    throw new UserError(`apply: static int8 activations (activation.dtype=int8, per-tensor) need calibration: pass { executor, data } (or use mode "deploy" with a quantized checkpoint)`);
  if (steps.some((s) => s.pass === "bias-correct" && !s.options.deploy) && (!opts.executor || !opts.data))
    throw new UserError(`apply: bias_correction=${cfg.bias_correction} measures each layer's output error on calibration data: pass { executor, data } (or use bias_correction "none")`, "bias_correction");
  let out: Graph;
  let recorded = cfg;
  if (cfg.fallback) {
    if (cfg.mode !== "quantize")
      throw new UserError(`apply: fallback searches layers on calibration data (mode "quantize"); in deploy mode give the layers it chose as 'skip' (a checkpoint's config has them)`, "fallback");
    const r = await applyWithFallback(graph, cfg, opts);
    opts.onFallback?.(r.report);
    out = r.graph;
    recorded = r.config;
  } else out = (await runPipeline(graph, steps, opts)).graph;
  return edit(out, (e) => {
    (e.draft.meta as Record<string, string>)[PTQ_META] = canonicalJson(recorded);
  });
}

/** The config a graph was applied with (undefined when it has none). */
export function appliedConfig(graph: Graph): PtqConfig | undefined {
  const text = graph.meta[PTQ_META];
  if (text === undefined) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new UserError(`graph meta '${PTQ_META}' is not JSON: ${(e as Error).message}`, PTQ_META);
  }
  return parsePtqConfig(json as PtqConfigInput);
}

export async function convert(graph: Graph, opts: PipelineOptions = {}): Promise<Graph> {
  if (graph.stage !== "fake-quant") throw new UserError(`convert: the graph is at stage '${graph.stage}'; convert takes the fake-quant graph apply returns`);
  const cfg = appliedConfig(graph);
  const steps = cfg ? compilePtqPhases(cfg).convert : STATIC_CONVERT;
  return (await runPipeline(graph, steps, opts)).graph;
}

/**
 * The deploy-mode int graph for a float graph and the config a checkpoint was saved with:
 * convert(apply(float, { ...config, mode: "deploy" })). Pass it as `build` to backends'
 * loadQuantizedCheckpoint to load a checkpoint straight into a float graph.
 */
export async function deployGraph(float: Graph, config: unknown, opts: PipelineOptions = {}): Promise<Graph> {
  const cfg = parsePtqConfig(config as PtqConfigInput);
  return convert(await apply(float, { ...cfg, mode: "deploy" }, opts), opts);
}
