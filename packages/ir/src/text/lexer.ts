/** Tokenizer for the text IR; `//` comments run to the end of the line. */
import { UserError } from "../errors.js";

export type TokKind = "ident" | "number" | "string" | "hex" | "value" | "node" | "graph" | "punct" | "eof";
export interface Token {
  readonly kind: TokKind;
  readonly text: string;
  readonly line: number;
  readonly col: number;
}

const PUNCT = new Set(["{", "}", "(", ")", "[", "]", "<", ">", ",", "=", ":", "!", "?", "_"]);
const NAME_CHARS = /[A-Za-z0-9_.]/;
const IDENT_START = /[A-Za-z_]/;
const IDENT_CHARS = /[A-Za-z0-9_.\-]/;

export function tokenize(src: string, file = "<text>"): Token[] {
  const toks: Token[] = [];
  let i = 0, line = 1, lineStart = 0;
  const err = (msg: string): never => {
    throw new UserError(`${file}:${line}:${i - lineStart + 1}: ${msg}`, file);
  };
  const readString = (): string => {
    const start = i;
    i++;
    while (i < src.length && src[i] !== '"') {
      if (src[i] === "\\") i++;
      if (src[i] === "\n") err("unterminated string");
      i++;
    }
    if (i >= src.length) err("unterminated string");
    i++;
    try {
      return JSON.parse(src.slice(start, i)) as string;
    } catch {
      return err("bad string escape");
    }
  };
  while (i < src.length) {
    const c = src[i]!;
    const col = i - lineStart + 1;
    const push = (kind: TokKind, text: string) => toks.push({ kind, text, line, col });
    if (c === "\n") { line++; lineStart = ++i; continue; }
    if (c === " " || c === "\t" || c === "\r") { i++; continue; }
    if (c === "/" && src[i + 1] === "/") { while (i < src.length && src[i] !== "\n") i++; continue; }
    if (c === "%" || c === "#" || c === "@") {
      const kind: TokKind = c === "%" ? "value" : c === "#" ? "node" : "graph";
      i++;
      if (src[i] === '"') { push(kind, readString()); continue; }
      const s = i;
      while (i < src.length && NAME_CHARS.test(src[i]!)) i++;
      if (s === i) err(`expected a name after '${c}'`);
      push(kind, src.slice(s, i));
      continue;
    }
    if (c === '"') { push("string", readString()); continue; }
    if (c === "0" && src[i + 1] === "x") {
      const s = i + 2;
      i = s;
      while (i < src.length && /[0-9a-f]/.test(src[i]!)) i++;
      push("hex", src.slice(s, i));
      continue;
    }
    if (/[0-9]/.test(c) || (c === "-" && /[0-9.ni]/.test(src[i + 1] ?? ""))) {
      const m = /^-?(?:nan|inf|(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?)/.exec(src.slice(i, i + 64));
      if (!m) err("bad number");
      push("number", m![0]);
      i += m![0].length;
      continue;
    }
    if (c === "_" && !IDENT_CHARS.test(src[i + 1] ?? " ")) { push("punct", "_"); i++; continue; }
    if (IDENT_START.test(c)) {
      const s = i;
      while (i < src.length && IDENT_CHARS.test(src[i]!)) i++;
      const w = src.slice(s, i);
      push(w === "nan" || w === "inf" ? "number" : "ident", w);
      continue;
    }
    if (PUNCT.has(c)) { push("punct", c); i++; continue; }
    err(`unexpected character '${c}'`);
  }
  toks.push({ kind: "eof", text: "", line, col: i - lineStart + 1 });
  return toks;
}
