/** Lexical conventions of the text IR shared by the printer and the parser. */

/** Value and node names print bare when they match this, JSON-quoted otherwise. */
export const BARE_NAME = /^[A-Za-z0-9_.]+$/;
/** Symbolic dims print bare when they match this (cannot start with a digit). */
export const BARE_SYMBOL = /^[A-Za-z_][A-Za-z0-9_.]*$/;

export function quoteName(n: string): string {
  return BARE_NAME.test(n) ? n : JSON.stringify(n);
}

export function quoteSymbol(s: string): string {
  return s === "?" || BARE_SYMBOL.test(s) ? s : JSON.stringify(s);
}

/** Exact, round-trippable float text: shortest decimal, with nan/inf/-0 spelled out. */
export function formatFloat(x: number, forceDot = false): string {
  if (Number.isNaN(x)) return "nan";
  if (x === Infinity) return "inf";
  if (x === -Infinity) return "-inf";
  if (Object.is(x, -0)) return forceDot ? "-0.0" : "-0";
  const s = String(x);
  return forceDot && /^-?\d+$/.test(s) ? `${s}.0` : s;
}

/** Shortest decimal text that reads back as the same float32 (x must be float32-exact). */
export function formatF32(x: number, forceDot = false): string {
  if (!Number.isFinite(x) || Object.is(x, -0)) return formatFloat(x, forceDot);
  let s = String(x);
  for (let p = 1; p <= 9; p++) {
    const c = x.toPrecision(p);
    if (Math.fround(Number(c)) === x) { s = String(Number(c)); break; }
  }
  return forceDot && /^-?\d+$/.test(s) ? `${s}.0` : s;
}

export function parseFloatToken(s: string): number {
  if (s === "nan") return NaN;
  if (s === "inf") return Infinity;
  if (s === "-inf") return -Infinity;
  return Number(s);
}

/** Tensors with more elements than this (or with NaN, f16/bf16, i4/u4 data) print as hex bytes. */
export const INLINE_LIMIT = 16;
