/**
 * compilePtq: a PTQ config → a pipeline (a plain array; order matters where commented).
 *
 *   a16w8          rtn{weight_dtype=int8,weight_symmetric=true,granularity=per-channel},fold-to-int,dce
 *   a8w8           insert-observers{method=minmax,outputs=true},calibrate,fake-quant{activation_dtype=i8,
 *                  symmetric=false,weight_dtype=int8,...},fold-to-int,insert-dequant,dce
 *   a8w8-dynamic   rtn{...},fold-to-int,dynamic-quant,insert-dequant,dce
 *
 * The `apply` phase ends at stage fake-quant, `convert` lowers to int. Layer policies
 * (layers.ts) become include/exclude options: static activations go through one
 * insert-observers; the weights of the first weight-settings group (the default class's)
 * go through fake-quant or rtn, every other group through its own `rtn-layers` step;
 * per-token classes are rewritten by dynamic-quant after fold-to-int. `bias_correction`
 * adds `bias-correct{mode=...}` after the weight steps, selecting every quantized class.
 * Deploy mode replaces `calibrate` by `deploy-ranges` (placeholder ranges; a quantized
 * checkpoint supplies the real parameters) and bias-correct by its `deploy=true` variant
 * (zero corrections: the same bias constants, filled from the checkpoint). Options that follow from the config are always written out, policy
 * options only when they differ from the passes' defaults.
 */
import { UserError } from "@quantpass/ir";
import type { PipelineStep } from "../pipeline-text.js";
import { layerClasses, selection, type LayerClass, type Selection } from "./layers.js";
import { parsePtqConfig } from "./parse.js";
import type { PtqConfig, PtqConfigInput } from "./schema.js";
import "../ptq/bias-correct.js";
import "../ptq/dynamic-quant.js";
import "./deploy-ranges.js";
import "./rtn-layers.js";

export interface PtqPhases {
  /** float → fake-quant (observe, calibrate, transform; or structure only in deploy mode). */
  readonly apply: PipelineStep[];
  /** fake-quant → int. */
  readonly convert: PipelineStep[];
}

const DEFAULT_OPS = ["Conv", "Gemm", "MatMul"];

/** Throws a UserError for a field whose requested feature is not implemented yet. */
export function checkImplemented(cfg: PtqConfig): void {
  const later = (field: string, what: string, instead: string): never => {
    throw new UserError(`PTQ config: '${field}': ${what} is not implemented yet (a later issue); use ${instead}`, field);
  };
  if (cfg.kv_cache.dtype !== "none") later("kv_cache.dtype", "KV-cache int8 quantization (preset c8)", "kv_cache.dtype=none");
  if (cfg.outlier_suppression !== "none")
    later("outlier_suppression", cfg.outlier_suppression === "smooth" ? "SmoothQuant outlier suppression" : "AWQ outlier suppression", "outlier_suppression=none");
  if (cfg.precision_recovery !== "none") later("precision_recovery", "GPTQ precision recovery", "precision_recovery=none");
}

function weightKey(w: PtqConfig["weight"]): string {
  return `${w.dtype}/${w.granularity}/${w.granularity === "per-group" ? w.group_size : "-"}/${w.symmetric}`;
}

function weightOptions(w: PtqConfig["weight"]): Record<string, string | number | boolean> {
  const o: Record<string, string | number | boolean> = { weight_dtype: w.dtype, weight_symmetric: w.symmetric, granularity: w.granularity };
  if (w.granularity === "per-group") o.group_size = w.group_size;
  return o;
}

export function compilePtqPhases(config: PtqConfigInput | PtqConfig | string): PtqPhases {
  const cfg = parsePtqConfig(config);
  checkImplemented(cfg);
  const policy = (sel: Selection, ops = true): Record<string, string | string[]> => ({
    ...(ops && cfg.ops.join() !== DEFAULT_OPS.join() ? { ops: [...cfg.ops] } : {}),
    ...(cfg.skip.length ? { skip: [...cfg.skip] } : {}),
    ...sel,
  });
  const classes = layerClasses(cfg).filter((c) => !c.skip);
  const isStatic = (c: LayerClass) => !c.skip && c.activation.dtype === "int8" && c.activation.granularity === "per-tensor";
  const isToken = (c: LayerClass) => !c.skip && c.activation.dtype === "int8" && c.activation.granularity === "per-token";
  // Weight-settings groups, the default class's group first (it always exists).
  const groups = new Map<string, PtqConfig["weight"]>();
  for (const c of [classes[classes.length - 1]!, ...classes]) if (!groups.has(weightKey(c.weight))) groups.set(weightKey(c.weight), c.weight);
  const groupSel = (key: string) => selection(cfg, (c) => !c.skip && weightKey(c.weight) === key)!;
  const [first, ...rest] = [...groups.keys()];

  const apply: PipelineStep[] = [];
  const staticSel = selection(cfg, isStatic);
  if (staticSel) {
    const a = cfg.activation;
    apply.push({
      pass: "insert-observers",
      options: { method: a.observer, ...(a.observer === "percentile" ? { percentile: a.percentile } : {}), ...(a.observe_outputs ? { outputs: true } : {}), ...policy(staticSel) },
    });
    const batches: PipelineStep["options"] = cfg.calibration.batches ? { batches: cfg.calibration.batches } : {};
    apply.push(cfg.mode === "quantize" ? { pass: "calibrate", options: batches } : { pass: "deploy-ranges", options: {} });
    // fake-quant converts every observer and quantizes the first group's weights.
    apply.push({ pass: "fake-quant", options: { activation_dtype: "i8", symmetric: a.symmetric, ...weightOptions(groups.get(first!)!), ...policy(groupSel(first!)) } });
  } else {
    apply.push({ pass: "rtn", options: { ...weightOptions(groups.get(first!)!), ...policy(groupSel(first!)) } });
  }
  // Weights already fake-quantized are not read as float constants any more, so each
  // later group touches only its own nodes even where selections would overlap.
  for (const key of rest) apply.push({ pass: "rtn-layers", options: { ...weightOptions(groups.get(key)!), ...policy(groupSel(key)) } });
  // Bias correction of every quantized layer (all weight groups; not skipped layers that
  // merely read a quantized value). Deploy mode builds the same bias constants with zeros.
  if (cfg.bias_correction !== "none") {
    const bcSel = selection(cfg, (c) => !c.skip)!;
    apply.push({ pass: "bias-correct", options: { mode: cfg.bias_correction, ...(cfg.mode === "deploy" ? { deploy: true } : {}), ...policy(bcSel) } });
  }

  const convert: PipelineStep[] = [{ pass: "fold-to-int", options: {} }];
  const tokenSel = selection(cfg, isToken);
  if (tokenSel) convert.push({ pass: "dynamic-quant", options: policy(tokenSel, false) });
  if (staticSel || tokenSel) convert.push({ pass: "insert-dequant", options: {} });
  convert.push({ pass: "dce", options: {} });
  return { apply, convert };
}

/** The whole pipeline (apply then convert); `formatPipeline` gives its text form. */
export function compilePtq(config: PtqConfigInput | PtqConfig | string): PipelineStep[] {
  const p = compilePtqPhases(config);
  return [...p.apply, ...p.convert];
}
