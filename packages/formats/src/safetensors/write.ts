/**
 * Safetensors writing: names sorted (deterministic bytes), data packed back to back in that
 * order, header padded with spaces to 8-byte alignment. Files are streamed tensor by tensor
 * into a temp file in the target directory, then renamed: a failure leaves no partial file.
 */
import { writeAtomically, writeFully } from "../atomic.js";
import type { RawTensor } from "../dtype.js";
import { fail } from "../errors.js";
import { byteLengthOf, checkRaw, rawBytes, setOwn } from "../raw.js";
import { encodeSafetensorsHeader, safetensorsDtype, type SafetensorsEntry } from "./header.js";

interface Plan {
  header: Uint8Array;
  order: [string, RawTensor][];
}

function plan(tensors: Record<string, RawTensor>, metadata: Record<string, string>, file?: string): Plan {
  if (!tensors || typeof tensors !== "object") fail("tensors must be an object of name → RawTensor", file);
  const meta: Record<string, string> = {};
  for (const [k, v] of Object.entries(metadata)) {
    if (typeof v !== "string") fail(`metadata value of '${k}' is not a string`, file);
    setOwn(meta, k, v);
  }
  const names = Object.keys(tensors).sort();
  const entries: Record<string, SafetensorsEntry> = {};
  let offset = 0;
  for (const name of names) {
    if (name === "__metadata__") fail("'__metadata__' cannot be a tensor name", file);
    const raw = tensors[name];
    const n = checkRaw(raw, `tensor '${name}'`, file);
    if (raw.dtype === "string") fail(`tensor '${name}': string tensors cannot be stored in safetensors`, file);
    safetensorsDtype(raw.dtype);
    const size = byteLengthOf(raw.dtype, n);
    setOwn(entries, name, { dtype: raw.dtype, shape: [...raw.dims], offsets: [offset, offset + size] });
    offset += size;
  }
  return { header: encodeSafetensorsHeader({ entries, metadata: meta }), order: names.map((n) => [n, tensors[n]]) };
}

/** Writes tensors (and string metadata) to `path` as safetensors, atomically. */
export async function writeSafetensors(path: string, tensors: Record<string, RawTensor>, metadata: Record<string, string> = {}): Promise<void> {
  const p = plan(tensors, metadata, path);
  await writeAtomically(path, async (fh) => {
    await writeFully(fh, p.header);
    for (const [, raw] of p.order) await writeFully(fh, rawBytes(raw));
  });
}

/** Encodes tensors as safetensors bytes in memory (same bytes writeSafetensors writes). */
export function encodeSafetensors(tensors: Record<string, RawTensor>, metadata: Record<string, string> = {}): Uint8Array {
  const p = plan(tensors, metadata);
  const chunks = [p.header, ...p.order.map(([, raw]) => rawBytes(raw))];
  const out = new Uint8Array(chunks.reduce((s, c) => s + c.byteLength, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}
