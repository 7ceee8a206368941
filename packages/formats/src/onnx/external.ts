/**
 * ONNX external data: tensors with data_location EXTERNAL keep their bytes in side files
 * named by `location` (relative to the model's directory) at `offset`/`length`. Loading
 * copies them into raw_data; paths that escape the base directory are rejected.
 */
import * as fs from "node:fs";
import { asFormatError, fail } from "../errors.js";
import { resolveInside } from "../paths.js";
import type { onnx } from "./proto.js";
import { onnxTensorByteLength } from "./tensor.js";
import { mapModelTensors, TENSOR_EXTERNAL } from "./walk.js";

type Opened = { fd: number; size: number };

/** Loads every external tensor of `model` into raw_data, in place. */
export function loadExternalData(model: onnx.IModelProto, baseDir: string | undefined, file?: string): void {
  const opened = new Map<string, Opened>();
  try {
    mapModelTensors(model, (t) => {
      if (t.dataLocation === TENSOR_EXTERNAL) loadTensor(t, baseDir, opened, file);
      return t;
    }, file);
  } catch (e) {
    throw asFormatError(e, file, "external data");
  } finally {
    for (const o of opened.values()) fs.closeSync(o.fd);
  }
}

function loadTensor(t: onnx.ITensorProto, baseDir: string | undefined, opened: Map<string, Opened>, file?: string): void {
  const where = `tensor '${t.name ?? ""}'`;
  if (baseDir === undefined) fail(`${where} has external data but no baseDir was given`, file);
  const kv = new Map<string, string>();
  for (const e of t.externalData ?? []) kv.set(String(e.key ?? ""), String(e.value ?? ""));
  const location = kv.get("location");
  if (location === undefined) fail(`${where}: external data without a location`, file);
  const full = resolveInside(baseDir, location, where, file);
  const offset = parseCount(kv.get("offset"), `${where}: external data offset`, file) ?? 0;
  let f = opened.get(full);
  if (!f) {
    let fd: number;
    try {
      fd = fs.openSync(full, "r");
    } catch (e) {
      fail(`${where}: cannot open external data file ${full}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`, file);
    }
    f = { fd, size: fs.fstatSync(fd).size };
    opened.set(full, f);
  }
  if (offset > f.size) fail(`${where}: offset ${offset} is past the end of external data file ${full} (${f.size} bytes)`, file);
  const length = parseCount(kv.get("length"), `${where}: external data length`, file) ?? onnxTensorByteLength(t) ?? f.size - offset;
  if (offset + length > f.size) {
    fail(`${where}: external data file ${full} is ${f.size} bytes, tensor needs bytes ${offset}..${offset + length}`, file);
  }
  const bytes = new Uint8Array(length);
  for (let done = 0; done < length; ) {
    const n = fs.readSync(f.fd, bytes, done, Math.min(length - done, 1 << 30), offset + done);
    if (n === 0) fail(`${where}: external data file ${full} ended early`, file);
    done += n;
  }
  t.rawData = bytes;
  t.externalData = [];
  delete t.dataLocation;
}

function parseCount(s: string | undefined, what: string, file?: string): number | undefined {
  if (s === undefined) return undefined;
  if (!/^\d{1,16}$/.test(s.trim())) fail(`${what} '${s}' is not a non-negative integer`, file);
  const n = Number(s.trim());
  if (!Number.isSafeInteger(n)) fail(`${what} '${s}' is too large`, file);
  return n;
}
