/**
 * Validating a PTQ config: presets are resolved and merged (presets.ts), the schema checks
 * every field (schema.ts), then the cross-field rules below. Every failure is a one-line
 * UserError naming the field: `PTQ config: 'weight.group_size': must be 32, 64, 128`.
 *
 * Cross-field rules: per-token activations are symmetric (`activation.symmetric` defaults to
 * true with them and cannot be false) and need int8 per-channel weights
 * (quant_matmul takes an 8-bit weight with one scale per output channel), for the whole
 * config and for every policy's effective settings; a policy's `match` is a valid regex
 * without backreferences or named groups (compile.ts combines policies into one regex); a
 * policy sets something, and `skip: true` sets nothing else. `fallback`: a top1 target is a
 * fraction in [0, 1], any target is finite, and `to: "a16w8"` needs int8 activations
 * somewhere (it drops a layer's activation quantization).
 */
import { UserError } from "@quantpass/ir";
import type { z } from "zod";
import { mergeConfigs, presetConfig } from "./presets.js";
import { PtqConfigSchema, type PtqLayerPolicy, type PtqConfig, type PtqConfigInput } from "./schema.js";

function fail(field: string, msg: string): never {
  throw new UserError(`PTQ config: ${field ? `'${field}': ` : ""}${msg}`, field || "config");
}

function fieldPath(path: readonly PropertyKey[]): string {
  return path.map((p, k) => (typeof p === "number" ? `[${p}]` : k ? `.${String(p)}` : String(p))).join("");
}

function issueMessage(issue: z.core.$ZodIssue): [string, string] {
  const at = fieldPath(issue.path);
  if (issue.code === "unrecognized_keys") {
    const keys = issue.keys.map((k) => `${at ? `${at}.` : ""}${k}`);
    return ["", `unknown field${keys.length > 1 ? "s" : ""} ${keys.map((k) => `'${k}'`).join(", ")}`];
  }
  return [at, issue.message];
}

/** Throws the first issue of a failed parse as a UserError (with a count of the others). */
function throwIssues(issues: readonly z.core.$ZodIssue[]): never {
  const [field, msg] = issueMessage(issues[0]!);
  return fail(field, issues.length > 1 ? `${msg} (and ${issues.length - 1} more problem${issues.length > 2 ? "s" : ""})` : msg);
}

function checkRegex(src: string, field: string): void {
  if (/\\[1-9]|\\k<|\(\?<(?![=!])/.test(src)) fail(field, `'${src}': backreferences and named groups are not supported (policies are combined into one regex)`);
  try {
    new RegExp(src);
  } catch (e) {
    fail(field, `invalid regular expression '${src}': ${(e as Error).message}`);
  }
}

interface Effective {
  readonly weight: PtqConfig["weight"];
  readonly act: { readonly dtype: "int8" | "none"; readonly granularity: "per-tensor" | "per-token" };
}

function checkPerToken(e: Effective, where: string): void {
  if (e.act.dtype !== "int8" || e.act.granularity !== "per-token") return;
  if (e.weight.dtype !== "int8" || e.weight.granularity !== "per-channel")
    fail(where, `per-token activations need int8 per-channel weights (quant_matmul), but the weights are ${e.weight.dtype} ${e.weight.granularity}`);
}

function checkPolicy(p: PtqLayerPolicy, k: number, cfg: PtqConfig): void {
  const at = `policies[${k}]`;
  checkRegex(p.match, `${at}.match`);
  if (p.skip && (p.weight || p.activation)) fail(at, "'skip: true' leaves the nodes in float; it cannot be combined with weight or activation");
  if (!p.skip && !p.weight && !p.activation) fail(at, "the policy changes nothing (give weight, activation or skip: true)");
  const act = { dtype: p.activation?.dtype ?? cfg.activation.dtype, granularity: p.activation?.granularity ?? cfg.activation.granularity };
  checkPerToken({ weight: { ...cfg.weight, ...p.weight }, act }, at);
}

function checkFallback(cfg: PtqConfig): void {
  const f = cfg.fallback!;
  if (!Number.isFinite(f.target)) fail("fallback.target", `must be a finite number, got ${f.target}`);
  if (f.metric === "top1" && (f.target < 0 || f.target > 1)) fail("fallback.target", `a top1 target is a fraction of agreeing positions in [0, 1], got ${f.target}`);
  const int8Acts = cfg.activation.dtype === "int8" || cfg.policies.some((p) => p.activation?.dtype === "int8");
  if (f.to === "a16w8" && !int8Acts) fail("fallback.to", "a16w8 drops a layer's activation quantization, but no layer quantizes activations (activation.dtype is none); use to=float");
}

/**
 * Validates a config (a preset spec string, a user config, or an already parsed config)
 * and fills in every default.
 */
export function parsePtqConfig(input: PtqConfigInput | PtqConfig | string): PtqConfig {
  let raw: unknown = typeof input === "string" ? { preset: input } : input;
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) fail("", `expected an object or a preset name, got ${Array.isArray(raw) ? "an array" : typeof raw}`);
  const { preset, ...rest } = raw as Record<string, unknown>;
  if (preset !== undefined) {
    if (typeof preset !== "string") fail("preset", `expected a string like 'a16w8+c8', got ${typeof preset}`);
    raw = mergeConfigs(presetConfig(preset), rest);
  }
  const r = PtqConfigSchema.safeParse(raw);
  if (!r.success) throwIssues(r.error.issues);
  const parsed = r.data!;
  const perToken = parsed.activation.dtype === "int8" && parsed.activation.granularity === "per-token";
  const symmetric = parsed.activation.symmetric ?? perToken;
  if (perToken && !symmetric) fail("activation.symmetric", "per-token activations are symmetric (dynamic_quant has no zero point); remove it or set it to true");
  const cfg: PtqConfig = { ...parsed, activation: { ...parsed.activation, symmetric } };
  checkPerToken({ weight: cfg.weight, act: cfg.activation }, "activation.granularity");
  cfg.policies.forEach((p, k) => checkPolicy(p, k, cfg));
  if (cfg.fallback) checkFallback(cfg);
  return cfg;
}

/** JSON with object keys sorted: the canonical text of a config (graph meta, checkpoints). */
export function canonicalJson(v: unknown): string {
  const sort = (x: unknown): unknown =>
    Array.isArray(x) ? x.map(sort) : x && typeof x === "object" ? Object.fromEntries(Object.keys(x as object).sort().map((k) => [k, sort((x as Record<string, unknown>)[k])])) : x;
  return JSON.stringify(sort(v));
}
