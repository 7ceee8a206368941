/**
 * The npy header: a Python dict literal such as
 * `{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }`, read with a small parser
 * for the literal subset numpy writes (strings, ints, True/False/None, tuples, lists, dicts)
 * and written exactly as numpy's `_write_array_header` does.
 */
import { fail } from "./errors.js";

export interface NpyHeader {
  descr: string;
  fortranOrder: boolean;
  shape: number[];
}

type PyValue = string | number | boolean | null | PyValue[] | Map<string, PyValue>;

const MAX_DEPTH = 32;

/** Parses the header text; FormatError naming what is wrong. */
export function parseNpyHeader(text: string, file?: string): NpyHeader {
  let pos = 0;
  const bad = (what: string): never => fail(`invalid npy header at character ${pos}: ${what}`, file);
  const ws = () => {
    while (pos < text.length && " \t\r\n".includes(text[pos])) pos++;
  };
  const eat = (c: string) => {
    ws();
    if (text[pos] !== c) bad(`expected '${c}'`);
    pos++;
  };
  const value = (depth: number): PyValue => {
    if (depth > MAX_DEPTH) bad("nested too deeply");
    ws();
    const c = text[pos];
    if (c === "'" || c === '"') return str(c);
    if (c === "{") return seq("{", "}", depth, true) as Map<string, PyValue>;
    if (c === "(" || c === "[") return seq(c, c === "(" ? ")" : "]", depth, false) as PyValue[];
    const m = /^(-?\d+)L?|^(True|False|None)\b/.exec(text.slice(pos, pos + 40));
    if (!m) return bad("expected a value");
    pos += m[0].length;
    if (m[2]) return m[2] === "True" ? true : m[2] === "False" ? false : null;
    const n = Number(m[1]);
    return Number.isSafeInteger(n) ? n : bad(`integer ${m[1]} is too large`);
  };
  const str = (q: string): string => {
    let out = "";
    for (pos++; pos < text.length && text[pos] !== q; pos++) {
      if (text[pos] === "\\") pos++;
      out += text[pos] ?? "";
    }
    if (pos >= text.length) bad("unterminated string");
    pos++;
    return out;
  };
  const seq = (open: string, close: string, depth: number, isDict: boolean): PyValue[] | Map<string, PyValue> => {
    eat(open);
    const items: PyValue[] = [];
    const dict = new Map<string, PyValue>();
    for (ws(); text[pos] !== close; ws()) {
      if (isDict) {
        const k = value(depth + 1);
        if (typeof k !== "string") bad("dict key is not a string");
        eat(":");
        dict.set(k as string, value(depth + 1));
      } else items.push(value(depth + 1));
      ws();
      if (text[pos] === ",") pos++;
      else if (text[pos] !== close) bad(`expected ',' or '${close}'`);
    }
    pos++;
    return isDict ? dict : items;
  };

  const d = value(0);
  ws();
  if (pos !== text.length) bad("trailing characters");
  if (!(d instanceof Map)) return fail("npy header is not a dict", file);
  const keys = [...d.keys()].sort().join(",");
  if (keys !== "descr,fortran_order,shape") fail(`npy header keys are {${keys}}, expected {descr,fortran_order,shape}`, file);
  const descr = d.get("descr");
  if (typeof descr !== "string") fail("npy descr is not a simple dtype string (structured arrays are not supported)", file);
  const fortranOrder = d.get("fortran_order");
  if (typeof fortranOrder !== "boolean") fail("npy fortran_order is not True or False", file);
  const shape = d.get("shape");
  if (!Array.isArray(shape) || !shape.every((x) => typeof x === "number" && x >= 0)) fail("npy shape is not a tuple of non-negative integers", file);
  return { descr, fortranOrder, shape: shape as number[] };
}

const GROWTH_AXIS_MAX_DIGITS = 21;
const ALIGN = 64;

/** Magic, version 1.0, length and header padded to 64 bytes, byte-identical to np.save. */
export function formatNpyHeader(h: NpyHeader): Uint8Array {
  const shape = h.shape.length === 1 ? `(${h.shape[0]},)` : `(${h.shape.join(", ")})`;
  let text = `{'descr': '${h.descr}', 'fortran_order': ${h.fortranOrder ? "True" : "False"}, 'shape': ${shape}, }`;
  if (h.shape.length > 0) text += " ".repeat(GROWTH_AXIS_MAX_DIGITS - String(h.shape[h.fortranOrder ? h.shape.length - 1 : 0]).length);
  const v1 = text.length + 1 + 10 <= 65535 + 10;
  const prefix = v1 ? 10 : 12;
  const pad = ALIGN - ((prefix + text.length + 1) % ALIGN);
  const full = `${text}${" ".repeat(pad)}\n`;
  const out = new Uint8Array(prefix + full.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, v1 ? 1 : 2, 0]);
  const dv = new DataView(out.buffer);
  if (v1) dv.setUint16(8, full.length, true);
  else dv.setUint32(8, full.length, true);
  for (let i = 0; i < full.length; i++) out[prefix + i] = full.charCodeAt(i);
  return out;
}
