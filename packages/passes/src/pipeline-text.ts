/**
 * Text form of pipelines: `insert-observers{method=minmax},calibrate,smoothquant{alpha=0.5}`.
 * Option values are numbers, booleans, bare or "quoted" strings, or [lists] of those.
 *
 * Quoted strings use JSON escapes (`\"`, `\\`, `\/`, `\n`, `\r`, `\t`, `\f`, `\uXXXX`);
 * any other backslash pair is kept as written, so regexes need no doubling:
 * `include="^p2o\.Conv\b"` is the text `^p2o\.Conv\b` (`\b` stays a regex word boundary).
 * Bare values may hold regex characters: `\` takes the next character literally and
 * balanced (), [] and {} groups may contain ',' and '=' (`include=^p2o\.(Conv\.(33|34))$`,
 * `match=layer[0-9]{1,2}`); a value opening with `[` is a list, so quote such a regex.
 * Anything else a bare value cannot hold is a UserError that says to quote it.
 * formatPipeline prints strings bare when that reads back the same (no ',', '=', spaces,
 * brackets other than balanced (), or control characters), else JSON-quoted with a
 * backspace as \u0008; parsePipeline(formatPipeline(steps)) equals steps.
 */
import { UserError } from "@quantpass/ir";

export type OptionValue = number | boolean | string | OptionValue[];
export interface PipelineStep {
  readonly pass: string;
  readonly options: Readonly<Record<string, OptionValue>>;
}

/** JSON's escapes other than \b (a regex word boundary is far likelier than a backspace). */
const ESCAPES: Record<string, string> = { '"': '"', "\\": "\\", "/": "/", n: "\n", r: "\r", t: "\t", f: "\f" };
const CLOSE: Record<string, string> = { "(": ")", "[": "]", "{": "}" };
const QUOTE_HINT = "; quote values with spaces, quotes or unbalanced brackets: key=\"...\"";

/**
 * Scans a bare value from start: up to a ',', '}', ']' or space outside groups. `\x` is kept
 * as written; (), [] and {} groups must balance and may hold ',', '=' and spaces; inside []
 * (a regex character class) only ']' closes. Returns where it ends, or an error there.
 */
function scanBare(text: string, start: number): { end: number; error?: string } {
  const open: string[] = [];
  let i = start;
  const here = () => `value '${text.slice(start, i + 1)}'`;
  for (; i < text.length; i++) {
    const c = text[i]!;
    const top = open[open.length - 1];
    if (c === "\\") {
      if (i + 1 >= text.length) return { end: i, error: `${here()} ends with a lone '\\'` };
      i++;
    } else if (c === '"') {
      return { end: i, error: `'"' inside ${here()}` };
    } else if (top === "[") {
      if (c === "]") open.pop();
    } else if (c in CLOSE) {
      open.push(c);
    } else if (c === ")" || c === "]" || c === "}") {
      if (top && CLOSE[top] === c) open.pop();
      else if (top) return { end: i, error: `'${c}' closes '${top}' in ${here()}` };
      else if (c === ")") return { end: i, error: `unbalanced ')' in ${here()}` };
      else break;
    } else if (!top && (c === "," || /\s/.test(c))) {
      break;
    } else if (!top && c === "=") {
      return { end: i, error: `'=' in ${here()}` };
    }
  }
  if (open.length) return { end: i, error: `unbalanced '${open[open.length - 1]}' in value '${text.slice(start)}'` };
  return { end: i };
}

export function parsePipeline(text: string, flag = "--passes"): PipelineStep[] {
  let i = 0;
  const fail = (msg: string): never => {
    throw new UserError(`${flag}: ${msg} at column ${i + 1} of '${text}'`, flag);
  };
  const ws = () => { while (/\s/.test(text[i] ?? "")) i++; };
  /** A quoted string at i: JSON escapes, other backslash pairs kept as written. */
  const quotedString = (): string => {
    let out = "";
    let k = i + 1;
    for (;;) {
      const c = text[k];
      if (c === undefined) fail("unterminated string");
      if (c === '"') break;
      if (c !== "\\") { out += c; k++; continue; }
      const e = text[k + 1];
      if (e === undefined) fail("unterminated string");
      if (e === "u" && /^[0-9a-fA-F]{4}$/.test(text.slice(k + 2, k + 6))) { out += String.fromCharCode(parseInt(text.slice(k + 2, k + 6), 16)); k += 6; continue; }
      out += ESCAPES[e!] ?? `\\${e}`;
      k += 2;
    }
    i = k + 1;
    return out;
  };
  /** A pass or option name: bare (no regex syntax) or quoted. */
  const name = (): string => {
    ws();
    if (text[i] === '"') return quotedString();
    const m = /^[^\s{}=,[\]"()\\]+/.exec(text.slice(i));
    if (!m) fail("expected a name");
    i += m![0].length;
    return m![0];
  };
  const bareValue = (): string => {
    const start = i;
    const r = scanBare(text, start);
    i = r.end;
    if (r.error) fail(`${r.error}${QUOTE_HINT}`);
    if (i === start) fail("expected a value");
    return text.slice(start, i);
  };
  const scalar = (): OptionValue => {
    ws();
    if (text[i] === '"') return quotedString();
    const w = bareValue();
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
    const pass = name();
    const options: Record<string, OptionValue> = {};
    ws();
    if (text[i] === "{") {
      i++;
      ws();
      while (text[i] !== "}") {
        const k = name();
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

/** JSON.stringify, but a backspace as \u0008 (the parser keeps \b as written). */
function quote(s: string): string {
  return JSON.stringify(s).replace(/\\(u[0-9a-fA-F]{4}|[^u])/g, (m, e: string) => (e === "b" ? "\\u0008" : m));
}

/** Names printed without quotes: no delimiters, groups, escapes or control characters. */
const BARE_NAME = /^[^\s{}=,[\]"()\\\u0000-\u001f\u007f]+$/;
/** Values printed without quotes: as names, but balanced () groups and \x pairs may occur. */
const BARE_VALUE = /^[^\s{}=,[\]"\u0000-\u001f\u007f]+$/;

function formatName(s: string): string {
  return BARE_NAME.test(s) ? s : quote(s);
}

function formatValue(v: OptionValue): string {
  if (Array.isArray(v)) return `[${v.map(formatValue).join(",")}]`;
  if (typeof v === "string") {
    const bare = BARE_VALUE.test(v) && !/^(true|false|-?[\d.].*)$/.test(v) && !scanBare(v, 0).error;
    return bare ? v : quote(v);
  }
  return Object.is(v, -0) ? "-0" : String(v);
}

export function formatPipeline(steps: readonly PipelineStep[]): string {
  return steps
    .map((s) => {
      const keys = Object.keys(s.options);
      return keys.length ? `${formatName(s.pass)}{${keys.map((k) => `${formatName(k)}=${formatValue(s.options[k]!)}`).join(",")}}` : formatName(s.pass);
    })
    .join(",");
}
