/**
 * PTQ presets, as Golden Stick names its algorithms. A preset is a partial config that sets
 * exactly the fields listed in its row; presets combine with `+` (`a16w8+c8`).
 *
 * Merge rule: configs merge left to right, later ones winning: nested objects (weight,
 * activation, kv_cache, calibration) merge key by key; scalars and arrays (ops, skip,
 * policies) are replaced whole. The explicit fields of a config with `preset` are merged
 * last, so `{ preset: "a16w4", weight: { group_size: 64 } }` is a16w4 with groups of 64.
 */
import { UserError } from "@quantpass/ir";
import type { PtqConfigInput } from "./schema.js";

export interface Preset {
  readonly summary: string;
  readonly config: PtqConfigInput;
}

export const PRESETS: Readonly<Record<string, Preset>> = {
  a16w8: {
    summary: "weight-only int8, one scale per output channel; activations stay float",
    config: { weight: { dtype: "int8", granularity: "per-channel" }, activation: { dtype: "none" } },
  },
  a16w4: {
    summary: "weight-only int4, one scale per group of 128 input channels (override weight.group_size: 32 | 64 | 128)",
    config: { weight: { dtype: "int4", granularity: "per-group", group_size: 128 }, activation: { dtype: "none" } },
  },
  a8w8: {
    summary:
      "static int8: per-channel weights, asymmetric per-tensor activations from calibration, outputs observed (SmoothQuant is a later issue: plain static A8W8 for now)",
    config: {
      weight: { dtype: "int8", granularity: "per-channel" },
      activation: { dtype: "int8", granularity: "per-tensor", symmetric: false, observe_outputs: true },
    },
  },
  "a8w8-dynamic": {
    summary: "int8 weights per channel, activations quantized per token at run time (dynamic_quant → quant_matmul); no calibration",
    config: { weight: { dtype: "int8", granularity: "per-channel" }, activation: { dtype: "int8", granularity: "per-token", symmetric: true } },
  },
  c8: {
    summary: "int8 KV cache (not implemented yet: compiling it is an error)",
    config: { kv_cache: { dtype: "int8" } },
  },
};

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** Merges b over a: plain objects key by key (recursively), everything else replaced. */
export function mergeConfigs<T>(a: T, b: unknown): T {
  if (!isPlainObject(a) || !isPlainObject(b)) return (b === undefined ? a : b) as T;
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b))
    Object.defineProperty(out, k, { value: Object.hasOwn(out, k) ? mergeConfigs(out[k], v) : v, enumerable: true, writable: true, configurable: true });
  return out as T;
}

/** The config a preset spec (`a16w8+c8`) stands for, merged left to right. */
export function presetConfig(spec: string): PtqConfigInput {
  const names = spec.split("+").map((s) => s.trim());
  let out: PtqConfigInput = {};
  for (const name of names) {
    const p = Object.hasOwn(PRESETS, name) ? PRESETS[name] : undefined;
    if (!p) throw new UserError(`PTQ config: unknown preset '${name}' in '${spec}' (presets: ${Object.keys(PRESETS).join(", ")}; combine with '+')`, "preset");
    out = mergeConfigs(out, p.config);
  }
  return out;
}
