/** Opset imports: the supported range check and the provenance recorded in graph.meta. */
import { longToNumber, type LongLike, type onnx } from "@quantpass/formats";
import { inFile, MAX_OPSET, MIN_OPSET, UnsupportedOpsetError } from "./errors.js";

const isDefault = (domain: string | null | undefined) => !domain || domain === "ai.onnx";

/** The model's ai.onnx opset; UnsupportedOpsetError when missing or outside 9..21. */
export function checkOpsets(model: onnx.IModelProto, file?: string): number {
  let v: number | undefined;
  for (const o of model.opsetImport ?? []) if (isDefault(o.domain)) v = longToNumber(o.version as LongLike);
  if (v === undefined) throw new UnsupportedOpsetError(inFile(file, "the model imports no ai.onnx opset"), file);
  if (v < MIN_OPSET || v > MAX_OPSET)
    throw new UnsupportedOpsetError(inFile(file, `ai.onnx opset ${v} is not supported (quantpass reads opsets ${MIN_OPSET} to ${MAX_OPSET})`), file);
  return v;
}

/** `source`, `file`, `opset.<domain>` for every import, `producer` and `onnx.ir_version`. */
export function opsetMeta(model: onnx.IModelProto, file?: string): Record<string, string> {
  const meta: Record<string, string> = { source: "onnx" };
  if (file) meta.file = file;
  for (const o of model.opsetImport ?? []) meta[`opset.${isDefault(o.domain) ? "ai.onnx" : o.domain}`] = String(longToNumber(o.version as LongLike));
  const producer = `${model.producerName ?? ""} ${model.producerVersion ?? ""}`.trim();
  if (producer) meta.producer = producer;
  if (model.irVersion != null) meta["onnx.ir_version"] = String(longToNumber(model.irVersion as LongLike));
  return meta;
}
