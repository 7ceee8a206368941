/**
 * ONNX ModelProto encoding. Deterministic: protobufjs writes fields in field-number order, so
 * the same model gives the same bytes. With external data, tensors of at least `threshold`
 * bytes go, in traversal order, back to back into one side file.
 */
import { dirname } from "node:path";
import { atomicWrite, atomicWriteSync } from "../atomic.js";
import { FormatError } from "../errors.js";
import { rawBytes } from "../raw.js";
import { resolveInside } from "../paths.js";
import { onnx } from "./proto.js";
import { onnxTensorToRaw } from "./tensor.js";
import { mapModelTensors, TENSOR_EXTERNAL } from "./walk.js";

export interface ExternalDataOptions {
  /** Side file name, relative to baseDir (recorded as each tensor's `location`). */
  externalDataFile: string;
  /** Directory of the model file. */
  baseDir: string;
  /** Tensors with at least this many data bytes move out (default 1024). */
  threshold?: number;
}

const STRING = 8;

/** Encodes a model; with `external`, also writes the external data file (atomically). */
export function encodeOnnx(model: onnx.IModelProto, external?: ExternalDataOptions): Uint8Array {
  if (!external) return encodeModel(model);
  const { out, chunks, target } = splitExternal(model, external);
  const bytes = encodeModel(out);
  atomicWriteSync(target, chunks);
  return bytes;
}

/** Writes `model` to `path` atomically, optionally with an external data file beside it. */
export async function writeOnnxFile(path: string, model: onnx.IModelProto, opts: { externalDataFile?: string; threshold?: number } = {}): Promise<void> {
  if (!opts.externalDataFile) return atomicWrite(path, encodeModel(model));
  const ext = { externalDataFile: opts.externalDataFile, baseDir: dirname(path), threshold: opts.threshold };
  const { out, chunks, target } = splitExternal(model, ext);
  const bytes = encodeModel(out);
  await atomicWrite(target, chunks);
  await atomicWrite(path, bytes);
}

function splitExternal(model: onnx.IModelProto, ext: ExternalDataOptions) {
  const target = resolveInside(ext.baseDir, ext.externalDataFile, "external data file");
  const threshold = ext.threshold ?? 1024;
  const chunks: Uint8Array[] = [];
  let offset = 0;
  const out = mapModelTensors(model, (t) => {
    if (t.dataLocation === TENSOR_EXTERNAL || t.dataType === STRING) return t;
    const bytes = tensorBytes(t);
    if (bytes.byteLength < threshold || bytes.byteLength === 0) return t;
    chunks.push(bytes);
    const moved = onnx.TensorProto.create({
      name: t.name, dims: t.dims, dataType: t.dataType, docString: t.docString, dataLocation: TENSOR_EXTERNAL,
      externalData: [
        { key: "location", value: ext.externalDataFile },
        { key: "offset", value: String(offset) },
        { key: "length", value: String(bytes.byteLength) },
      ],
    });
    offset += bytes.byteLength;
    return moved;
  });
  return { out, chunks, target };
}

function tensorBytes(t: onnx.ITensorProto): Uint8Array {
  if (t.rawData && t.rawData.length > 0) return t.rawData;
  return rawBytes(onnxTensorToRaw(t));
}

function encodeModel(model: onnx.IModelProto): Uint8Array {
  try {
    const buf = onnx.ModelProto.encode(model).finish();
    return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  } catch (e) {
    const hint = e instanceof RangeError ? " (models over 2 GB need external data)" : "";
    throw new FormatError(`cannot encode ONNX model: ${e instanceof Error ? e.message : String(e)}${hint}`);
  }
}
