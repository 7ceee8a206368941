/**
 * The safetensors header: 8-byte little-endian length N, then N bytes of JSON mapping tensor
 * names to {dtype, shape, data_offsets} (offsets relative to the data section that follows)
 * plus an optional "__metadata__" string map. "I4"/"U4" are our extension for packed int4
 * (two elements a byte, element 2i in the low nibble).
 */
import type { ElemType } from "../dtype.js";
import { fail } from "../errors.js";
import { byteLengthOf, elemCount, setOwn } from "../raw.js";

export const MAX_HEADER_BYTES = 100_000_000;

const TO_ELEM: Record<string, Exclude<ElemType, "string">> = {
  F32: "f32", F16: "f16", BF16: "bf16", F64: "f64", I64: "i64", I32: "i32", I16: "i16", I8: "i8",
  U8: "u8", U16: "u16", U32: "u32", U64: "u64", BOOL: "bool", I4: "i4", U4: "u4",
};
const FROM_ELEM = Object.fromEntries(Object.entries(TO_ELEM).map(([k, v]) => [v, k])) as Record<Exclude<ElemType, "string">, string>;

export interface SafetensorsEntry {
  dtype: Exclude<ElemType, "string">;
  shape: number[];
  /** [start, end) byte offsets in the data section. */
  offsets: [number, number];
}

export interface SafetensorsHeader {
  entries: Record<string, SafetensorsEntry>;
  metadata: Record<string, string>;
}

/** The safetensors dtype string of an ElemType (FormatError for string). */
export function safetensorsDtype(dtype: ElemType): string {
  if (dtype === "string") fail("string tensors cannot be stored in safetensors");
  return FROM_ELEM[dtype];
}

/** Validates the 8-byte length prefix against the file size; returns N. */
export function checkHeaderLength(n: bigint, fileSize: number, file?: string): number {
  if (n > BigInt(MAX_HEADER_BYTES)) fail(`header length ${n} exceeds the ${MAX_HEADER_BYTES}-byte limit`, file);
  if (n > BigInt(fileSize - 8)) fail(`header length ${n} exceeds file size ${fileSize}`, file);
  if (n < 2n) fail(`header length ${n} is too small for a JSON object`, file);
  return Number(n);
}

const utf8 = new TextDecoder("utf-8", { fatal: true });
const isObj = (v: unknown): v is Record<string, unknown> => !!v && typeof v === "object" && !Array.isArray(v);
const isCount = (v: unknown): v is number => typeof v === "number" && Number.isSafeInteger(v) && v >= 0;

/** Parses and validates the JSON header; `dataSize` is the byte size of the data section. */
export function parseSafetensorsHeader(json: Uint8Array, dataSize: number, file?: string): SafetensorsHeader {
  let parsed: unknown;
  try {
    parsed = JSON.parse(utf8.decode(json));
  } catch (e) {
    fail(`invalid JSON header: ${e instanceof Error ? e.message : String(e)}`, file);
  }
  if (!isObj(parsed)) fail("header is not a JSON object", file);
  const entries: Record<string, SafetensorsEntry> = {};
  const metadata: Record<string, string> = {};
  for (const [name, v] of Object.entries(parsed)) {
    if (name === "__metadata__") {
      if (!isObj(v)) fail("__metadata__ is not an object", file);
      for (const [k, s] of Object.entries(v)) {
        if (typeof s !== "string") fail(`__metadata__ value of '${k}' is not a string`, file);
        setOwn(metadata, k, s);
      }
      continue;
    }
    setOwn(entries, name, checkEntry(name, v, dataSize, file));
  }
  checkOverlaps(entries, file);
  return { entries, metadata };
}

function checkEntry(name: string, v: unknown, dataSize: number, file?: string): SafetensorsEntry {
  const where = `tensor '${name}'`;
  if (!isObj(v)) fail(`${where}: entry is not an object`, file);
  const dtype = typeof v.dtype === "string" && Object.hasOwn(TO_ELEM, v.dtype) ? TO_ELEM[v.dtype] : undefined;
  if (!dtype) fail(`${where}: unknown dtype ${JSON.stringify(v.dtype)}`, file);
  if (!Array.isArray(v.shape) || !v.shape.every(isCount)) fail(`${where}: shape ${JSON.stringify(v.shape)} is not a list of non-negative integers`, file);
  const shape = v.shape as number[];
  const o = v.data_offsets;
  if (!Array.isArray(o) || o.length !== 2 || !isCount(o[0]) || !isCount(o[1])) fail(`${where}: data_offsets ${JSON.stringify(o)} is not [start, end]`, file);
  const [start, end] = o as [number, number];
  if (start > end || end > dataSize) fail(`${where}: data_offsets [${start}, ${end}] lie outside the ${dataSize}-byte data section`, file);
  const want = byteLengthOf(dtype, elemCount(shape, file, `${where}: shape`));
  if (end - start !== want) fail(`${where}: data_offsets span ${end - start} bytes, ${dtype} [${shape}] needs ${want}`, file);
  return { dtype, shape, offsets: [start, end] };
}

function checkOverlaps(entries: Record<string, SafetensorsEntry>, file?: string): void {
  const spans = Object.entries(entries).filter(([, e]) => e.offsets[1] > e.offsets[0]);
  spans.sort((a, b) => a[1].offsets[0] - b[1].offsets[0]);
  for (let i = 1; i < spans.length; i++) {
    const [pn, p] = spans[i - 1];
    const [cn, c] = spans[i];
    if (c.offsets[0] < p.offsets[1]) fail(`tensors '${pn}' and '${cn}' overlap`, file);
  }
}

/** Serialises a header: the 8-byte length prefix and the JSON padded with spaces to 8 bytes. */
export function encodeSafetensorsHeader(h: SafetensorsHeader): Uint8Array {
  const obj: Record<string, unknown> = {};
  if (Object.keys(h.metadata).length > 0) setOwn(obj, "__metadata__", h.metadata);
  for (const [name, e] of Object.entries(h.entries)) {
    setOwn(obj, name, { dtype: FROM_ELEM[e.dtype], shape: e.shape, data_offsets: e.offsets });
  }
  const json = new TextEncoder().encode(JSON.stringify(obj));
  const padded = Math.ceil(json.length / 8) * 8;
  const out = new Uint8Array(8 + padded).fill(0x20, 8);
  new DataView(out.buffer).setBigUint64(0, BigInt(padded), true);
  out.set(json, 8);
  return out;
}
