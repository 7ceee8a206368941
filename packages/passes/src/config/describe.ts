/**
 * Documentation of the PTQ config generated from its schema: `ptqConfigJsonSchema()` (JSON
 * Schema, draft 2020-12, input form with defaults and descriptions) and `describeConfig()`,
 * a plain-text table of every field with its values, default and meaning, followed by the
 * presets (for the README and the CLI help).
 */
import { z } from "zod";
import { PRESETS } from "./presets.js";
import { PtqConfigSchema } from "./schema.js";

type Json = Record<string, unknown>;

export function ptqConfigJsonSchema(): Json {
  return z.toJSONSchema(PtqConfigSchema, { io: "input" }) as Json;
}

function valuesOf(s: Json): string {
  if ("const" in s) return JSON.stringify(s.const);
  if (Array.isArray(s.enum)) return (s.enum as unknown[]).join(" | ");
  if (Array.isArray(s.anyOf)) return (s.anyOf as Json[]).map((a) => ("const" in a ? String(a.const) : valuesOf(a))).join(" | ");
  if (s.type === "array") {
    const items = s.items as Json;
    return items.type === "object" ? "list of objects" : `list of ${valuesOf(items)}s`;
  }
  if (s.type === "number" || s.type === "integer") {
    const lo = s.exclusiveMinimum !== undefined ? `> ${String(s.exclusiveMinimum)}` : s.minimum !== undefined ? `>= ${String(s.minimum)}` : "";
    const hi = s.maximum !== undefined && s.maximum !== Number.MAX_SAFE_INTEGER ? `<= ${String(s.maximum)}` : "";
    return [s.type === "integer" ? "integer" : "number", lo, hi].filter(Boolean).join(" ").replace(/(\d) (<=)/, "$1, $2");
  }
  return String(s.type ?? "value");
}

interface Row {
  readonly field: string;
  readonly values: string;
  readonly default: string;
  readonly doc: string;
}

function rows(s: Json, prefix: string, inPolicy: boolean, out: Row[]): void {
  const props = (s.properties ?? {}) as Record<string, Json>;
  const required = new Set((s.required ?? []) as string[]);
  for (const [k, p] of Object.entries(props)) {
    const field = prefix ? `${prefix}.${k}` : k;
    const isGroup = p.type === "object" && p.properties;
    const def = "default" in p && !isGroup ? JSON.stringify(p.default) : required.has(k) ? "(required)" : inPolicy ? "(inherited)" : isGroup ? "" : "(see below)";
    if (!isGroup || p.description) out.push({ field, values: isGroup ? "object" : valuesOf(p), default: def, doc: String(p.description ?? "") });
    if (isGroup) rows(p, field, inPolicy, out);
    const items = p.items as Json | undefined;
    if (p.type === "array" && items?.type === "object") rows(items, `${field}[]`, true, out);
  }
}

/** Every config field with its values, default and meaning, then the presets. */
export function describeConfig(): string {
  const out: Row[] = [];
  rows(ptqConfigJsonSchema(), "", false, out);
  const w = Math.max(...out.map((r) => r.field.length)) + 2;
  const lines = ["PTQ config fields (values; default):", ""];
  for (const r of out) {
    lines.push(`  ${r.field.padEnd(w)}${r.values}${r.default ? `; default ${r.default}` : ""}`);
    if (r.doc) lines.push(`  ${"".padEnd(w)}${r.doc}`);
  }
  lines.push("", "Presets (`preset: \"a16w8+c8\"`; later presets and then the explicit fields override earlier fields; objects merge key by key):", "");
  const pw = Math.max(...Object.keys(PRESETS).map((k) => k.length)) + 2;
  for (const [name, p] of Object.entries(PRESETS)) lines.push(`  ${name.padEnd(pw)}${p.summary}`, `  ${"".padEnd(pw)}${JSON.stringify(p.config)}`);
  return lines.join("\n");
}
