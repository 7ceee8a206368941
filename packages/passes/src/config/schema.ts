/**
 * The PTQ config (DESIGN.md "Passes"): what to quantize and how, compiled into a pipeline by
 * compile.ts. Every field has a documented default; `describeConfig()` prints them all.
 * Keys are snake_case, as pass options are. Unknown keys are errors (strict objects).
 *
 * Fields that are accepted and validated but not implemented yet (a later issue):
 * kv_cache.dtype=int8, outlier_suppression=smooth|awq, precision_recovery=gptq; compiling a
 * config that asks for one is a UserError saying so (never silently ignored).
 */
import { z } from "zod";
import { OBSERVER_METHODS } from "../observers/index.js";
import { DEFAULT_PERCENTILE } from "../observers/percentile.js";

const GROUP_SIZES = [32, 64, 128] as const;
const groupSize = z.union([z.literal(GROUP_SIZES[0]), z.literal(GROUP_SIZES[1]), z.literal(GROUP_SIZES[2])], { error: `must be ${GROUP_SIZES.join(", ")}` });

const WEIGHT_FIELDS = {
  dtype: z.enum(["int8", "int4"]).describe("weight storage: int8 (i8, u8 when asymmetric) or int4 (i4 / u4)"),
  granularity: z.enum(["per-channel", "per-group"]).describe("one scale per output channel, or per group of input channels"),
  group_size: groupSize.describe("input channels per group (per-group only): 32, 64 or 128"),
  symmetric: z.boolean().describe("symmetric weights (absmax / qmax, no zero point)"),
};

export const WeightConfig = z
  .strictObject({
    dtype: WEIGHT_FIELDS.dtype.default("int8"),
    granularity: WEIGHT_FIELDS.granularity.default("per-channel"),
    group_size: WEIGHT_FIELDS.group_size.default(128),
    symmetric: WEIGHT_FIELDS.symmetric.default(true),
  })
  .describe("weight quantization (every quantizable node's constant weight)");

export const ActivationConfig = z
  .strictObject({
    dtype: z.enum(["int8", "none"]).default("none").describe("activation quantization: int8, or none (weight-only, A16)"),
    granularity: z
      .enum(["per-tensor", "per-token"])
      .default("per-tensor")
      .describe("per-tensor: static scale from calibration; per-token: dynamic_quant at run time (one scale per row, no calibration)"),
    symmetric: z
      .boolean()
      .optional()
      .describe(
        "symmetric static activations (absmax / 127, no zero point); default false (asymmetric, with a zero point), or true when granularity is per-token (per-token activations are always symmetric, so false is an error there)",
      ),
    observer: z.enum(OBSERVER_METHODS).default("minmax").describe("calibration statistics for per-tensor activations"),
    percentile: z.number().gt(50).lte(100).default(DEFAULT_PERCENTILE).describe("percentile for observer=percentile, in (50, 100]"),
    observe_outputs: z
      .boolean()
      .default(false)
      .describe("also quantize each quantized node's output (after a fused Relu/Clip), so QOperator export has a y_scale"),
  })
  .describe("activation quantization (the non-constant inputs of quantizable nodes)");

export const KvCacheConfig = z
  .strictObject({
    dtype: z.enum(["int8", "none"]).default("none").describe("KV-cache storage (int8: not implemented yet)"),
  })
  .describe("KV-cache quantization");

export const CalibrationConfig = z
  .strictObject({
    batches: z.number().int().min(0).default(0).describe("use at most this many calibration batches (0: all)"),
  })
  .describe("calibration (static activations only)");

/**
 * Accuracy-driven mixed precision (fallback.ts): after calibration, keep the layers that cost
 * the most accuracy in float (or weight-only) until `metric` reaches `target`. Off when absent.
 */
export const FallbackConfig = z
  .strictObject({
    metric: z
      .enum(["sqnr", "top1", "custom"])
      .describe(
        "sqnr: the lowest per-output SQNR (dB) of the fake-quant graph against the float graph on the calibration batches; top1: the fraction of positions where the argmax over the last axis of the first output agrees with float; custom: the apply option fallbackScore (TypeScript API only)",
      ),
    target: z.number().describe("the score to reach (sqnr: minimum dB; top1: minimum fraction in [0, 1]; custom: minimum of fallbackScore)"),
    max_layers: z.number().int().min(1).optional().describe("keep at most this many layers in float (default: no limit); not reaching the target is an error"),
    to: z
      .enum(["float", "a16w8"])
      .default("float")
      .describe("what a fallen-back layer becomes: float (added to skip), or a16w8 (weights stay int8, its activations are not quantized; a policy)"),
    sensitivity: z
      .enum(["leave-one-out", "local"])
      .default("leave-one-out")
      .describe(
        "how layers are ranked before the greedy fallback: leave-one-out (score the model with each layer alone in float: one evaluation per candidate layer) or local (two runs over the calibration batches, float and all-quantized, measuring the noise-to-signal ratio each layer adds from its input to its output, in dB (−SQNR_out when the input is exact); largest first; needs the executor and data, also with metric custom)",
      ),
  })
  .describe("accuracy-driven mixed precision: find the layers to keep in float (default off)");

/** A regex layer policy: overrides the settings of the nodes whose name it matches. */
export const LayerPolicyConfig = z
  .strictObject({
    match: z.string().min(1).describe("regular expression searched in the node name"),
    weight: z
      .strictObject({
        dtype: WEIGHT_FIELDS.dtype.optional(),
        granularity: WEIGHT_FIELDS.granularity.optional(),
        group_size: WEIGHT_FIELDS.group_size.optional(),
        symmetric: WEIGHT_FIELDS.symmetric.optional(),
      })
      .optional()
      .describe("weight fields to override (dtype, granularity, group_size, symmetric)"),
    activation: z
      .strictObject({
        dtype: z.enum(["int8", "none"]).optional(),
        granularity: z.enum(["per-tensor", "per-token"]).optional(),
      })
      .optional()
      .describe("activation fields to override (dtype, granularity)"),
    skip: z.literal(true).optional().describe("leave the matching nodes in float"),
  })
  .describe("a layer policy");

export const PtqConfigSchema = z
  .strictObject({
    mode: z
      .enum(["quantize", "deploy"])
      .default("quantize")
      .describe("quantize: observe, calibrate and transform; deploy: build the structure only (parameters come from a quantized checkpoint)"),
    weight: WeightConfig.prefault({}),
    activation: ActivationConfig.prefault({}),
    kv_cache: KvCacheConfig.prefault({}),
    outlier_suppression: z.enum(["none", "smooth", "awq"]).default("none").describe("outlier suppression before quantization (smooth, awq: not implemented yet)"),
    precision_recovery: z.enum(["none", "gptq"]).default("none").describe("weight rounding that recovers precision (gptq: not implemented yet)"),
    bias_correction: z
      .enum(["none", "fast", "sequential"])
      .default("none")
      .describe(
        "empirical bias correction after fake-quant (Nagel et al. 2019): each quantized layer's mean output error per channel on the calibration data is subtracted from its bias; fast: each layer on its float input (one run), sequential: through the quantized graph with the corrections so far (one run per layer level); needs the executor and data, also for weight-only configs",
      ),
    calibration: CalibrationConfig.prefault({}),
    ops: z.array(z.string().min(1)).default(["Conv", "Gemm", "MatMul"]).describe("ops whose nodes are quantizable"),
    skip: z.array(z.string()).default([]).describe("names of nodes left in float"),
    policies: z
      .array(LayerPolicyConfig)
      .default([])
      .describe("regex layer policies [{ match, weight?, activation?, skip? }]; the first policy whose regex matches a node's name applies to it"),
    fallback: FallbackConfig.optional(),
  })
  .describe("PTQ config");

/** A config as written by a user (every field optional), plus `preset` (see presets.ts). */
export type PtqConfigInput = z.input<typeof PtqConfigSchema> & { readonly preset?: string };
type Parsed = z.output<typeof PtqConfigSchema>;
/** A validated config with every default filled in (activation.symmetric resolved). */
export type PtqConfig = Omit<Parsed, "activation"> & { readonly activation: Parsed["activation"] & { readonly symmetric: boolean } };
export type PtqLayerPolicy = z.output<typeof LayerPolicyConfig>;
export type PtqFallback = z.output<typeof FallbackConfig>;
export type WeightSettings = PtqConfig["weight"];
