/** ONNX ModelProto decoding: protobuf errors as FormatErrors, model checks, external data. */
import { readFile } from "node:fs/promises";
import { dirname } from "node:path";
import { fail, FormatError } from "../errors.js";
import { loadExternalData } from "./external.js";
import { onnx } from "./proto.js";

export interface DecodeOnnxOptions {
  /** Path named in error messages. */
  file?: string;
  /** Directory external data locations are relative to (required if the model has any). */
  baseDir?: string;
}

/**
 * Decodes an ONNX model. Checks that the bytes are a ModelProto with a graph and loads
 * external tensor data (making every tensor self-contained: raw_data set, location DEFAULT).
 */
export function decodeOnnx(bytes: Uint8Array, opts: DecodeOnnxOptions = {}): onnx.ModelProto {
  const { file } = opts;
  if (!(bytes instanceof Uint8Array)) fail("ONNX input is not a byte array", file);
  if (bytes.length === 0) fail("empty file, not an ONNX model", file);
  let model: onnx.ModelProto;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch (e) {
    throw protobufError(e, file);
  }
  if (!Object.prototype.hasOwnProperty.call(model, "graph") || !model.graph) {
    fail("not an ONNX model: the ModelProto has no graph", file);
  }
  loadExternalData(model, opts.baseDir, file);
  return model;
}

/** Reads and decodes an ONNX file; external data is resolved relative to its directory. */
export async function readOnnxFile(path: string): Promise<onnx.ModelProto> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (e) {
    fail(`cannot read: ${(e as NodeJS.ErrnoException).code ?? String(e)}`, path);
  }
  return decodeOnnx(bytes, { file: path, baseDir: dirname(path) });
}

/** A one-line FormatError for whatever protobufjs threw. */
function protobufError(e: unknown, file?: string): FormatError {
  const msg = e instanceof Error ? e.message : String(e);
  const range = /index out of range: (\d+) \+ (\d+) > (\d+)/.exec(msg);
  if (range) {
    const [, pos, need, len] = range;
    return new FormatError(`truncated protobuf at byte ${pos} (a field needs ${need} bytes, ${Number(len) - Number(pos)} remain)`, file);
  }
  if (e instanceof RangeError && /call stack/i.test(msg)) return new FormatError("protobuf nested too deeply", file);
  if (/invalid varint/.test(msg)) return new FormatError("invalid protobuf: malformed varint", file);
  return new FormatError(`invalid protobuf: ${msg}`, file);
}
