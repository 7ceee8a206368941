/**
 * Accuracy-driven mixed precision for PTQ (`fallback` in the config): find the layers to keep
 * in float (or weight-only, `to: "a16w8"`) so that a score of the fake-quant graph reaches a
 * target, as Intel Neural Compressor's accuracy-aware tuning does.
 *
 *   1. Observe and calibrate ONCE (the config's insert-observers and calibrate steps).
 *   2. A candidate skip set S gives the config C_S: S appended to `skip` (to=float), or one
 *      policy `{ match: "^<name>$", activation: { dtype: "none" } }` per layer put before the
 *      others (to=a16w8; it keeps the weight settings of the layer's own class). Its graph is
 *      built by C_S's own insert-observers (fewer observers: a value read only by float
 *      layers is not observed, and float readers of an observed value read the float value),
 *      the ranges copied from the calibrated graph by observed value (observer statistics
 *      depend only on the float value and the batches), then C_S's steps after calibrate.
 *      The result is exactly apply(float, C_S), which is what convert, checkpoints and
 *      deploy mode reproduce. Weight-only configs (no calibrate step) run C_S's steps.
 *   3. mixed/search.ts chooses S: all-quantized score, sensitivity, greedy, then backward
 *      elimination of layers the target does not need. Sensitivity (`fallback.sensitivity`):
 *      leave-one-out (one evaluation per candidate) or local (mixed/local.ts: two runs over
 *      the batches, float and all-quantized, the noise-to-signal ratio each layer adds, input to output).
 *
 * Candidates: the nodes a class of the config quantizes (ops, not skipped), in node order,
 * that have something quantized: a constant weight, or (static int8 classes) an activation
 * input; for to=a16w8 only nodes of a static int8 class with an activation input.
 * Scores: metric sqnr / top1 (mixed/score.ts) on the calibration batches (at most
 * calibration.batches), float reference outputs computed once, on the pipeline's Executor;
 * metric custom calls the apply option `fallbackScore(fakeQuantGraph)` (sensitivity local still
 * runs the graphs on the pipeline's Executor and data).
 * Not reaching the target (max_layers, or a custom score) is a UserError naming the best
 * score reached and the layers it kept in float.
 */
import { edit, UserError, type Graph, type Stage } from "@quantpass/ir";
import { localSensitivity, rankByDrop, type LocalSensitivity } from "../mixed/local.js";
import { builtinScorer, collectFeeds, type Feeds, type Scorer } from "../mixed/score.js";
import { greedyFallback, type SearchResult } from "../mixed/search.js";
import { runPipeline, type PipelineOptions } from "../pass-manager.js";
import { quantSites } from "../ptq/sites.js";
import { compilePtqPhases } from "./compile.js";
import { layerClasses, type LayerClass } from "./layers.js";
import { parsePtqConfig } from "./parse.js";
import type { PtqConfig, PtqFallback } from "./schema.js";

/** A caller's task metric: the fake-quant graph → a score, higher is better (metric custom). */
export type FallbackScorer = (fakeQuant: Graph) => number | Promise<number>;

interface FallbackLayerBase {
  readonly name: string;
  readonly op: string;
  /** Whether it was chosen. */
  readonly chosen: boolean;
}

/** fallback.sensitivity "leave-one-out": the model scored with only this layer in float. */
export interface LeaveOneOutLayer extends FallbackLayerBase {
  readonly measure: "leave-one-out";
  /** Score with only this layer in float. */
  readonly score: number;
  /** score − scoreBefore. */
  readonly gain: number;
}

/** fallback.sensitivity "local": the noise-to-signal ratio the layer adds in the all-quantized graph (mixed/local.ts). */
export interface LocalLayer extends FallbackLayerBase {
  readonly measure: "local";
  /** SQNR (dB) of its float input in the all-quantized graph; +∞ when exact. */
  readonly sqnrIn: number;
  /** SQNR (dB) of its output. */
  readonly sqnrOut: number;
  /** sqnrIn − sqnrOut (−sqnrOut when the input is exact; −∞ for identical outputs): the order key. */
  readonly drop: number;
}

export type FallbackLayer = LeaveOneOutLayer | LocalLayer;

/** What the search found (apply's `onFallback`). Scores may be ±Infinity (sqnr of identical outputs). */
export interface FallbackReport {
  readonly metric: PtqFallback["metric"];
  readonly target: number;
  readonly to: PtqFallback["to"];
  /** How the layers were ranked (`fallback.sensitivity`); every `sensitivity` entry has this `measure`. */
  readonly measure: PtqFallback["sensitivity"];
  /** Score of the all-quantized graph. */
  readonly scoreBefore: number;
  /** Score of the returned graph. */
  readonly scoreAfter: number;
  /** Layers kept in float (or a16w8), in the order chosen. */
  readonly layers: readonly string[];
  /** Sensitivity of every candidate in node order; empty when no layer was needed. */
  readonly sensitivity: readonly FallbackLayer[];
  /** Score after each greedy step. */
  readonly steps: readonly number[];
  /** Layers the greedy steps took that the backward elimination put back in int8. */
  readonly requantized: readonly string[];
  readonly candidates: number;
  readonly evaluations: number;
  readonly ms: number;
}

export interface FallbackOptions extends PipelineOptions {
  readonly fallbackScore?: FallbackScorer;
}

function classOf(cfg: PtqConfig, name: string): { cls: LayerClass; index: number } {
  const classes = layerClasses(cfg);
  const index = cfg.policies.findIndex((p) => new RegExp(p.match).test(name));
  return { cls: classes[index < 0 ? classes.length - 1 : index]!, index };
}

const isStatic = (c: LayerClass) => c.activation.dtype === "int8" && c.activation.granularity === "per-tensor";

/** The layers the search may fall back, in node order. */
export function fallbackCandidates(g: Graph, cfg: PtqConfig): string[] {
  const skip = new Set(cfg.skip);
  const to = cfg.fallback?.to ?? "float";
  return g.nodes
    .filter((n) => {
      if (!cfg.ops.includes(n.op) || skip.has(n.name)) return false;
      const { cls } = classOf(cfg, n.name);
      if (cls.skip) return false;
      const sites = quantSites(g, n);
      const acts = isStatic(cls) && sites.activations.length > 0;
      return to === "a16w8" ? acts : acts || sites.weight !== undefined;
    })
    .map((n) => n.name);
}

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** The config with `layers` fallen back as `cfg.fallback.to` says, and no `fallback` field. */
export function withFallbackLayers(cfg: PtqConfig, layers: readonly string[]): PtqConfig {
  const { fallback, ...rest } = cfg;
  if (!layers.length) return rest;
  if ((fallback?.to ?? "float") === "float") return { ...rest, skip: [...cfg.skip, ...layers.filter((l) => !cfg.skip.includes(l))] };
  const own = layers.map((name) => {
    const { index } = classOf(cfg, name);
    const w = index >= 0 ? cfg.policies[index]!.weight : undefined;
    return { match: `^${escapeRegex(name)}$`, ...(w ? { weight: w } : {}), activation: { dtype: "none" as const } };
  });
  return parsePtqConfig({ ...rest, policies: [...own, ...cfg.policies] });
}

/** Observers of a graph keyed by the value they observe. */
function observerRanges(g: Graph): Map<string, { min: unknown; max: unknown }> {
  const m = new Map<string, { min: unknown; max: unknown }>();
  for (const n of g.nodes) if (n.op === "observe") m.set(n.inputs[0]!, { min: n.attrs.min, max: n.attrs.max });
  return m;
}

/** Builds fake-quant graphs for skip sets from one calibration. */
async function builder(float: Graph, cfg: PtqConfig, opts: PipelineOptions) {
  const inner: PipelineOptions = {
    ...(opts.executor ? { executor: opts.executor } : {}),
    ...(opts.data ? { data: opts.data } : {}),
    ...(opts.verifyEach !== undefined ? { verifyEach: opts.verifyEach } : {}),
  };
  const steps = compilePtqPhases(cfg).apply;
  const cal = steps.findIndex((s) => s.pass === "calibrate");
  // The one calibration, with the caller's progress, records and IR printing.
  const ranges = cal < 0 ? undefined : observerRanges((await runPipeline(float, steps.slice(0, cal + 1), opts)).graph);
  /** apply(float, withFallbackLayers(cfg, skip)); `final` forwards the caller's records and IR printing. */
  return async (skip: readonly string[], final = false): Promise<Graph> => {
    const o = final ? { ...inner, ...(opts.onPassDone ? { onPassDone: opts.onPassDone } : {}), ...(opts.printIrAfter ? { printIrAfter: opts.printIrAfter } : {}) } : inner;
    const s = compilePtqPhases(withFallbackLayers(cfg, skip)).apply;
    if (!ranges) return (await runPipeline(float, s, o)).graph;
    const k = s.findIndex((x) => x.pass === "calibrate");
    const observed = (await runPipeline(float, s.slice(0, k), inner)).graph;
    const calibrated = edit(observed, (e) => {
      for (const n of observed.nodes) {
        if (n.op !== "observe") continue;
        const r = ranges.get(n.inputs[0]!);
        if (!r) throw new Error(`fallback: observer '${n.name}' of '%${n.inputs[0]}' has no counterpart in the calibrated graph`);
        e.setAttrs(n.name, { ...n.attrs, min: r.min as number[], max: r.max as number[] });
      }
      (e.draft as { stage: Stage }).stage = "calibrated";
    });
    return (await runPipeline(calibrated, s.slice(k + 1), o)).graph;
  };
}

const fmt = (v: number) => (Number.isFinite(v) ? String(Number(v.toFixed(4))) : String(v));

/**
 * Runs the search for a config with `fallback` (quantize mode) and returns the fake-quant
 * graph (meta not yet written), the effective config and the report.
 */
export async function applyWithFallback(float: Graph, cfg: PtqConfig, opts: FallbackOptions): Promise<{ graph: Graph; config: PtqConfig; report: FallbackReport }> {
  const f = cfg.fallback!;
  const t0 = performance.now();
  if (f.metric === "custom" && !opts.fallbackScore) throw new UserError(`apply: fallback.metric is 'custom': pass the option fallbackScore(fakeQuantGraph) => number`, "fallback.metric");
  if (f.metric !== "custom" && opts.fallbackScore)
    throw new UserError(`apply: the option fallbackScore is given but fallback.metric is '${f.metric}'; set fallback.metric to 'custom' to use it`, "fallback.metric");
  const local = f.sensitivity === "local";
  if (local && (!opts.executor || !opts.data))
    throw new UserError(`apply: fallback.sensitivity 'local' runs the float and the quantized graph on the calibration data: pass { executor, data } (or use fallback.sensitivity 'leave-one-out')`, "fallback.sensitivity");
  let scorer: Scorer;
  let feeds: Feeds[] | undefined;
  if (f.metric === "custom") {
    const fn = opts.fallbackScore!;
    scorer = { score: async (g) => fn(g) };
  } else {
    if (!opts.executor || !opts.data) throw new UserError(`apply: fallback.metric '${f.metric}' runs the graphs on the calibration data: pass { executor, data }`, "fallback");
    feeds = await collectFeeds(opts.data, cfg.calibration.batches);
    scorer = await builtinScorer(f.metric, opts.executor, float, feeds);
  }
  const built = await builder(float, cfg, opts);
  let allQuantized: Promise<Graph> | undefined; // built once: scored first, then measured by local
  const build = (skip: readonly string[]) => (skip.length ? built(skip) : (allQuantized ??= built([])));
  const candidates = fallbackCandidates(float, cfg);
  let measured: LocalSensitivity[] = [];
  const rank = async () => {
    feeds ??= await collectFeeds(opts.data!, cfg.calibration.batches);
    measured = await localSensitivity(opts.executor!, float, await build([]), candidates, feeds);
    return rankByDrop(measured);
  };
  const result: SearchResult = await greedyFallback({
    candidates,
    target: f.target,
    ...(f.max_layers !== undefined ? { maxLayers: f.max_layers } : {}),
    score: async (skip) => scorer.score(await build(skip)),
    ...(local ? { rank } : {}),
    ...(opts.progress ? { progress: (d: number, t: number) => opts.progress!(d, t, "fallback search") } : {}),
  });
  if (!result.met) {
    const why = !candidates.length ? "(no layer can fall back)" : result.layers.length >= candidates.length ? `with all ${candidates.length} candidate layers in float` : `with max_layers=${f.max_layers ?? candidates.length}`;
    throw new UserError(
      `fallback: ${f.metric} target ${fmt(f.target)} not reached ${why}: best ${fmt(result.best.score)} (all-quantized ${fmt(result.scoreBefore)}) keeping ${result.best.layers.length ? result.best.layers.join(", ") : "no layer"} in float; tried ${result.layers.join(", ") || "no layer"}; raise fallback.max_layers or lower the target`,
      "fallback",
    );
  }
  const graph = await built(result.layers, true);
  const chosen = new Set(result.layers);
  const ops = new Map(float.nodes.map((n) => [n.name, n.op]));
  const report: FallbackReport = {
    metric: f.metric,
    target: f.target,
    to: f.to,
    measure: f.sensitivity,
    scoreBefore: result.scoreBefore,
    scoreAfter: result.scoreAfter,
    layers: result.layers,
    sensitivity: local
      ? measured.map((s): FallbackLayer => ({ measure: "local", name: s.layer, op: ops.get(s.layer) ?? "", sqnrIn: s.sqnrIn, sqnrOut: s.sqnrOut, drop: s.drop, chosen: chosen.has(s.layer) }))
      : result.sensitivity.map((s): FallbackLayer => ({ measure: "leave-one-out", name: s.layer, op: ops.get(s.layer) ?? "", score: s.score, gain: s.gain, chosen: chosen.has(s.layer) })),
    steps: result.steps,
    requantized: result.requantized,
    candidates: candidates.length,
    evaluations: result.evaluations,
    ms: performance.now() - t0,
  };
  return { graph, config: withFallbackLayers(cfg, result.layers), report };
}
