/**
 * Safetensors reading. `openSafetensors` reads and checks only the header, then `read(name)`
 * reads only that tensor's bytes (positional reads on one file handle) into an aligned array.
 */
import { open, type FileHandle } from "node:fs/promises";
import { readFully } from "../atomic.js";
import { ARRAY_CLASS, type RawTensor } from "../dtype.js";
import { asFormatError, fail, guardAsync } from "../errors.js";
import { setOwn, typedFromBytes } from "../raw.js";
import { checkHeaderLength, parseSafetensorsHeader, type SafetensorsEntry } from "./header.js";

export interface SafetensorsFile {
  path: string;
  /** Tensor name → dtype, shape and data-section byte offsets. */
  header: Record<string, SafetensorsEntry>;
  /** The `__metadata__` string map ({} when absent). */
  metadata: Record<string, string>;
  /** Tensor names in file (offset) order. */
  names: string[];
  /** Reads one tensor. */
  read(name: string): Promise<RawTensor>;
  close(): Promise<void>;
}

export interface SafetensorsContents {
  tensors: Record<string, RawTensor>;
  metadata: Record<string, string>;
}

/** Opens a safetensors file, validating its header. Close it when done. */
export async function openSafetensors(path: string): Promise<SafetensorsFile> {
  let fh: FileHandle;
  try {
    fh = await open(path, "r");
  } catch (e) {
    fail(`cannot open: ${(e as NodeJS.ErrnoException).code ?? String(e)}`, path);
  }
  try {
    const size = (await fh.stat()).size;
    if (size < 8) fail(`file is ${size} bytes, too short for a safetensors header`, path);
    const prefix = new Uint8Array(8);
    if (!(await readFully(fh, prefix, 0, 8, 0))) fail("file ended inside the header length", path);
    const n = checkHeaderLength(new DataView(prefix.buffer).getBigUint64(0, true), size, path);
    const json = new Uint8Array(n);
    if (!(await readFully(fh, json, 0, n, 8))) fail("file ended inside the header", path);
    const { entries, metadata } = parseSafetensorsHeader(json, size - 8 - n, path);
    return fileView(path, fh, 8 + n, entries, metadata);
  } catch (e) {
    await fh.close();
    throw asFormatError(e, path, "cannot read");
  }
}

function fileView(path: string, fh: FileHandle, dataStart: number, header: Record<string, SafetensorsEntry>, metadata: Record<string, string>): SafetensorsFile {
  let closed = false;
  return {
    path,
    header,
    metadata,
    names: orderByOffset(header),
    async read(name) {
      const e = Object.hasOwn(header, name) ? header[name] : fail(`no tensor '${name}'`, path);
      if (closed) fail(`read of '${name}' after close`, path);
      const [start, end] = e.offsets;
      const C = ARRAY_CLASS[e.dtype];
      const buf = new ArrayBuffer(end - start);
      const ok = await guardAsync(() => readFully(fh, new Uint8Array(buf), 0, end - start, dataStart + start), path, `cannot read '${name}'`);
      if (!ok) {
        fail(`file ended inside tensor '${name}' (changed since it was opened?)`, path);
      }
      return { dtype: e.dtype, dims: [...e.shape], data: new C(buf, 0, (end - start) / C.BYTES_PER_ELEMENT) };
    },
    async close() {
      if (!closed) {
        closed = true;
        await fh.close();
      }
    },
  };
}

function orderByOffset(header: Record<string, SafetensorsEntry>): string[] {
  return Object.keys(header).sort((a, b) => header[a].offsets[0] - header[b].offsets[0] || header[a].offsets[1] - header[b].offsets[1] || (a < b ? -1 : 1));
}

/** Reads every tensor of a safetensors file. */
export async function readSafetensors(path: string): Promise<SafetensorsContents> {
  const f = await openSafetensors(path);
  try {
    const tensors: Record<string, RawTensor> = {};
    for (const name of f.names) setOwn(tensors, name, await f.read(name));
    return { tensors, metadata: f.metadata };
  } finally {
    await f.close();
  }
}

/** Decodes a whole safetensors file held in memory (data copied into aligned arrays). */
export function decodeSafetensors(bytes: Uint8Array, file?: string): SafetensorsContents {
  if (!(bytes instanceof Uint8Array)) fail("safetensors input is not a byte array", file);
  if (bytes.length < 8) fail(`file is ${bytes.length} bytes, too short for a safetensors header`, file);
  const n = checkHeaderLength(new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true), bytes.length, file);
  const { entries, metadata } = parseSafetensorsHeader(bytes.subarray(8, 8 + n), bytes.length - 8 - n, file);
  const data = bytes.subarray(8 + n);
  const tensors: Record<string, RawTensor> = {};
  for (const name of orderByOffset(entries)) {
    const e = entries[name];
    setOwn(tensors, name, { dtype: e.dtype, dims: [...e.shape], data: typedFromBytes(e.dtype, data.subarray(e.offsets[0], e.offsets[1])) });
  }
  return { tensors, metadata };
}
