/**
 * Text form of pipelines: `insert-observers{method=minmax},calibrate,smoothquant{alpha=0.5}`.
 * Option values are numbers, booleans, bare or "quoted" strings, or [lists] of those.
 */
import { UserError } from "@quantpass/ir";

export type OptionValue = number | boolean | string | OptionValue[];
export interface PipelineStep {
  readonly pass: string;
  readonly options: Readonly<Record<string, OptionValue>>;
}

export function parsePipeline(text: string, flag = "--passes"): PipelineStep[] {
  let i = 0;
  const fail = (msg: string): never => {
    throw new UserError(`${flag}: ${msg} at column ${i + 1} of '${text}'`, flag);
  };
  const ws = () => { while (/\s/.test(text[i] ?? "")) i++; };
  const word = (): string => {
    ws();
    if (text[i] === '"') {
      // A JSON string: formatPipeline writes quoted values with JSON.stringify.
      let end = i + 1;
      while (end < text.length && text[end] !== '"') end += text[end] === "\\" ? 2 : 1;
      if (end >= text.length) fail("unterminated string");
      let s = "";
      try {
        s = JSON.parse(text.slice(i, end + 1)) as string;
      } catch {
        fail("bad escape in quoted string");
      }
      i = end + 1;
      return s;
    }
    const m = /^[^\s{}=,[\]"]+/.exec(text.slice(i));
    if (!m) fail("expected a name or value");
    i += m![0].length;
    return m![0];
  };
  const scalar = (): OptionValue => {
    ws();
    const quoted = text[i] === '"';
    const w = word();
    if (quoted) return w;
    if (w === "true" || w === "false") return w === "true";
    return /^-?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(w) ? Number(w) : w;
  };
  const value = (): OptionValue => {
    ws();
    if (text[i] !== "[") return scalar();
    i++;
    const out: OptionValue[] = [];
    ws();
    if (text[i] === "]") { i++; return out; }
    for (;;) {
      out.push(value());
      ws();
      if (text[i] === "]") { i++; return out; }
      if (text[i] !== ",") fail("expected ',' or ']'");
      i++;
    }
  };
  const steps: PipelineStep[] = [];
  ws();
  if (i >= text.length) return steps;
  for (;;) {
    const pass = word();
    const options: Record<string, OptionValue> = {};
    ws();
    if (text[i] === "{") {
      i++;
      ws();
      while (text[i] !== "}") {
        const k = word();
        ws();
        if (text[i] !== "=") fail(`expected '=' after option '${k}'`);
        i++;
        options[k] = value();
        ws();
        if (text[i] === ",") { i++; ws(); } else if (text[i] !== "}") fail("expected ',' or '}'");
      }
      i++;
    }
    steps.push({ pass, options });
    ws();
    if (i >= text.length) return steps;
    if (text[i] !== ",") fail("expected ','");
    i++;
  }
}

function formatValue(v: OptionValue): string {
  if (Array.isArray(v)) return `[${v.map(formatValue).join(",")}]`;
  if (typeof v === "string") return /^[^\s{}=,[\]"]+$/.test(v) && !/^(true|false|-?[\d.].*)$/.test(v) ? v : JSON.stringify(v);
  return String(v);
}

export function formatPipeline(steps: readonly PipelineStep[]): string {
  return steps
    .map((s) => {
      const keys = Object.keys(s.options);
      return keys.length ? `${s.pass}{${keys.map((k) => `${k}=${formatValue(s.options[k]!)}`).join(",")}}` : s.pass;
    })
    .join(",");
}
