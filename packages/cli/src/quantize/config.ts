/**
 * What `quantize` runs: a PTQ config (from `--preset` and `--config <file.json>`, merged
 * file over preset and validated by the passes' PTQ config schema) compiled to a pipeline,
 * or a user pipeline in text form (`--passes`). `--fallback <metric>:<target>` and
 * `--fallback-max-layers <n>` and `--fallback-sensitivity <measure>` set the config's `fallback` fields over the file's (the other
 * fallback fields of the file stay). Every failure is a one-line UserError naming
 * the flag or the file and the field.
 */
import { readFileSync } from "node:fs";
import { UserError } from "@quantpass/ir";
import {
  compilePtq, formatPipeline, getPass, allPasses, parsePipeline, parsePtqConfig, presetConfig, resolveOptions,
  type PipelineStep, type PtqConfig, type PtqConfigInput,
} from "@quantpass/passes";
import { checkReadableFile, fsReason } from "../files.js";

export interface Plan {
  readonly steps: readonly PipelineStep[];
  /** The pipeline in text form (what --passes would take). */
  readonly text: string;
  /** The validated PTQ config (undefined for a --passes pipeline). */
  readonly config?: PtqConfig;
  /** `preset a8w8`, `preset a8w8 + cfg.json`, `--passes`. */
  readonly source: string;
}

/** Reads and parses a --config file (JSON object). */
export function readConfigFile(file: string): Record<string, unknown> {
  checkReadableFile(file);
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new UserError(`--config: cannot read '${file}': ${fsReason(e)}`, file);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new UserError(`--config ${file}: not valid JSON: ${(e as Error).message}`, file);
  }
  if (typeof json !== "object" || json === null || Array.isArray(json))
    throw new UserError(`--config ${file}: expected a JSON object of PTQ config fields, got ${Array.isArray(json) ? "an array" : json === null ? "null" : typeof json}`, file);
  return json as Record<string, unknown>;
}

/** Rethrows a UserError from the PTQ config code with `prefix` (the flag or file) in front. */
function naming<T>(prefix: string, subject: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof UserError) throw new UserError(`${prefix}: ${e.message}`, subject);
    throw e;
  }
}

/** Validates every step (known pass, valid options); errors name --passes. */
export function checkPipeline(steps: readonly PipelineStep[], flag = "--passes"): void {
  for (const s of steps) {
    if (!getPass(s.pass))
      throw new UserError(`${flag}: unknown pass '${s.pass}' (passes: ${allPasses().map((p) => p.name).join(", ")}; --plugin <file> registers more)`, flag);
    naming(flag, flag, () => resolveOptions(s));
  }
}

export interface PlanOptions {
  readonly preset?: string;
  readonly config?: string;
  readonly passes?: string;
  /** --fallback (parsed by options.ts fallbackSpec). */
  readonly fallback?: { readonly metric: "sqnr" | "top1"; readonly target: number };
  readonly fallbackMaxLayers?: number;
  /** --fallback-sensitivity (parsed by options.ts fallbackSensitivity). */
  readonly fallbackSensitivity?: "leave-one-out" | "local";
}

/** The --fallback-* flag given without --fallback, if any. */
const modifier = (o: PlanOptions) => (o.fallbackMaxLayers !== undefined ? "--fallback-max-layers" : o.fallbackSensitivity !== undefined ? "--fallback-sensitivity" : undefined);

/** The config's fallback with the --fallback flags over the file's fields. */
function fallbackInput(o: PlanOptions, file: Record<string, unknown>): Record<string, unknown> | undefined {
  const inFile = file.fallback;
  const flag = modifier(o);
  if (o.fallback === undefined && flag === undefined) return undefined;
  if (o.fallback === undefined && (typeof inFile !== "object" || inFile === null))
    throw new UserError(`${flag} needs --fallback <metric>:<target> (or a 'fallback' object in the --config file)`, flag);
  return {
    ...(typeof inFile === "object" && inFile !== null ? (inFile as Record<string, unknown>) : {}),
    ...(o.fallback ?? {}),
    ...(o.fallbackMaxLayers !== undefined ? { max_layers: o.fallbackMaxLayers } : {}),
    ...(o.fallbackSensitivity !== undefined ? { sensitivity: o.fallbackSensitivity } : {}),
  };
}

export function planQuantize(o: PlanOptions): Plan {
  if (o.passes !== undefined) {
    if (o.preset !== undefined || o.config !== undefined)
      throw new UserError(`--passes replaces the pipeline a preset compiles to: give either --passes or --preset/--config, not both`, "--passes");
    const flag = o.fallback !== undefined ? "--fallback" : modifier(o);
    if (flag !== undefined) throw new UserError(`${flag} chooses layers of a PTQ config: use --preset/--config instead of --passes`, flag);
    const steps = parsePipeline(o.passes, "--passes");
    if (!steps.length) throw new UserError(`--passes: the pipeline is empty`, "--passes");
    checkPipeline(steps);
    return { steps, text: formatPipeline(steps), source: "--passes" };
  }
  if (o.preset === undefined && o.config === undefined)
    throw new UserError(`give --preset <name> (a16w8, a16w4, a8w8, a8w8-dynamic), --config <file.json> or --passes <pipeline>`, "--preset");
  if (o.preset !== undefined) naming(`--preset '${o.preset}'`, "--preset", () => presetConfig(o.preset!));
  const file = o.config === undefined ? {} : readConfigFile(o.config);
  let input: PtqConfigInput = file as PtqConfigInput;
  if (o.preset !== undefined) {
    // The file's fields merge over the preset; a preset named in the file too combines (`cli+file`).
    const inFile = typeof file.preset === "string" ? `+${file.preset}` : "";
    input = { ...(file as PtqConfigInput), preset: `${o.preset}${inFile}` };
  }
  const fallback = fallbackInput(o, file);
  if (fallback) input = { ...input, fallback } as PtqConfigInput;
  const where = o.config === undefined ? `--preset '${o.preset}'` : `--config ${o.config}`;
  const subject = o.config ?? "--preset";
  const config = naming(where, subject, () => parsePtqConfig(input));
  const steps = naming(where, subject, () => compilePtq(config));
  const flag = o.fallback ? `--fallback ${o.fallback.metric}:${o.fallback.target}${o.fallbackSensitivity === "local" ? " (local sensitivity)" : ""}` : "";
  const source = [o.preset !== undefined ? `preset ${o.preset}` : "", o.config ?? "", flag].filter(Boolean).join(" + ");
  return { steps, text: formatPipeline(steps), config, source };
}
