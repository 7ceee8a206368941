/** ONNX protobuf pieces → IR pieces: tensors, value types, attribute values by schema kind. */
import { onnxDataTypeToElem, onnxTensorToRaw, attrValue, longToNumber, FormatError, type onnx, type LongLike } from "@quantpass/formats";
import { Tensor, UnsupportedOpError, UserError, isDType, tensorType, type AttrKind, type Dim, type DType, type TensorType } from "@quantpass/ir";
import { inFile } from "./errors.js";

/** A TensorProto as an IR Tensor (data copied and aligned by formats). */
export function toTensor(t: onnx.ITensorProto, file?: string): Tensor {
  const raw = onnxTensorToRaw(t, file);
  return new Tensor(irDType(raw.dtype, file, `tensor '${t.name ?? ""}'`), raw.dims, raw.data);
}

export function irDType(d: string, file: string | undefined, where: string): DType {
  if (!isDType(d)) throw new UnsupportedOpError(inFile(file, `${where} has data type ${d}, which quantpass does not support`), where);
  return d;
}

/** IR dtype of an ONNX elem_type code; unsupported codes (float8, complex) are UnsupportedOpError. */
export function dtypeOfCode(code: number | null | undefined, file: string | undefined, where: string): DType {
  try {
    return irDType(onnxDataTypeToElem(code ?? 0), file, where);
  } catch (e) {
    if (e instanceof FormatError) throw new UnsupportedOpError(inFile(file, `${where}: ${e.message}`), where);
    throw e;
  }
}

/**
 * The TensorType a ValueInfoProto declares, or undefined when it declares no tensor type with a
 * known rank. Sequence, map and optional types are UnsupportedOpError. dim_param → symbol,
 * missing dims → "?".
 */
export function declaredType(vi: onnx.IValueInfoProto, file?: string): TensorType | undefined {
  const tp = vi.type;
  if (!tp) return undefined;
  const where = `value '${vi.name ?? ""}'`;
  if (tp.sequenceType || tp.mapType || tp.optionalType || tp.sparseTensorType)
    throw new UnsupportedOpError(inFile(file, `${where} has ${tp.optionalType ? "an" : "a"} ${tp.sequenceType ? "sequence" : tp.mapType ? "map" : tp.optionalType ? "optional" : "sparse tensor"} type, which quantpass does not support`), vi.name ?? undefined);
  const tt = tp.tensorType;
  if (!tt) return undefined;
  const dtype = dtypeOfCode(tt.elemType, file, where);
  if (!tt.shape) return undefined;
  const shape: Dim[] = (tt.shape.dim ?? []).map((d) => {
    if (d.dimParam) return d.dimParam;
    if (d.dimValue !== undefined && d.dimValue !== null) {
      const n = longToNumber(d.dimValue as LongLike);
      return n >= 0 ? n : "?";
    }
    return "?";
  });
  return tensorType(dtype, shape);
}

/** The type of a graph input, which must be declared. */
export function inputType(vi: onnx.IValueInfoProto, file?: string): TensorType {
  const t = declaredType(vi, file);
  if (!t) throw new UserError(inFile(file, `graph input '${vi.name ?? ""}' has no tensor type with a known rank`), vi.name ?? undefined);
  return t;
}

/** A decoded ONNX attribute: numbers, strings, lists, tensors or (undecoded) graphs. */
export type OnnxAttr = number | string | number[] | string[] | Tensor | onnx.IGraphProto;

/** Decodes an AttributeProto (ints as numbers, strings UTF-8, tensors as IR Tensors). */
export function decodeAttr(a: onnx.IAttributeProto, file: string | undefined, where: string): OnnxAttr {
  const v = attrValue(a, file);
  if (typeof v === "number" || typeof v === "string") return v;
  if (Array.isArray(v)) {
    if (v.every((x) => typeof x === "number")) return v as number[];
    if (v.every((x) => typeof x === "string")) return v as string[];
    throw new UnsupportedOpError(inFile(file, `${where}: attribute '${a.name}' is a list of tensors or graphs, which quantpass does not support`), where);
  }
  if (isRaw(v)) return new Tensor(irDType(v.dtype, file, `${where}: attribute '${a.name}'`), v.dims, v.data);
  if (a.g && v === a.g) return a.g;
  throw new UnsupportedOpError(inFile(file, `${where}: attribute '${a.name}' has a sparse-tensor or type-proto value, which quantpass does not support`), where);
}

function isRaw(v: unknown): v is { dtype: string; dims: number[]; data: Tensor["data"] } {
  return !!v && typeof v === "object" && "dtype" in v && "dims" in v && "data" in v;
}

/**
 * Converts a decoded attribute to the op schema's kind (int attributes given as floats, a
 * scalar given for a list, ...). Returns undefined when the value cannot have that kind.
 */
export function coerceAttr(kind: AttrKind, v: OnnxAttr): number | string | number[] | string[] | Tensor | undefined {
  switch (kind) {
    case "int": return typeof v === "number" && Number.isInteger(v) ? v : undefined;
    case "float": return typeof v === "number" ? v : undefined;
    case "string": return typeof v === "string" ? v : undefined;
    case "ints":
      if (typeof v === "number") return Number.isInteger(v) ? [v] : undefined;
      return Array.isArray(v) && v.every((x) => typeof x === "number" && Number.isInteger(x)) ? (v as number[]) : undefined;
    case "floats":
      if (typeof v === "number") return [v];
      return Array.isArray(v) && v.every((x) => typeof x === "number") ? (v as number[]) : undefined;
    case "strings":
      if (typeof v === "string") return [v];
      return Array.isArray(v) && v.every((x) => typeof x === "string") ? (v as string[]) : undefined;
    case "tensor": return v instanceof Tensor ? v : undefined;
    case "graph": return undefined; // subgraphs are lowered by the caller
  }
}

const INT64_MAX = 0x7fffffffffffffffn;
const INT64_MIN = -0x8000000000000000n;

/** An i64 tensor from JS numbers, saturating at the int64 range (INT64_MAX read as a double is 2^63). */
export function i64Tensor(values: readonly number[], shape: readonly number[] = [values.length]): Tensor {
  const data = new BigInt64Array(values.length);
  values.forEach((v, i) => {
    const b = BigInt(Math.trunc(v));
    data[i] = b > INT64_MAX ? INT64_MAX : b < INT64_MIN ? INT64_MIN : b;
  });
  return new Tensor("i64", shape, data);
}

/** A scalar tensor of a float or integer dtype. */
export function scalarTensor(dtype: DType, v: number): Tensor {
  if (dtype === "i64") return i64Tensor([v], []);
  return Tensor.fromNumbers(dtype, [], [v]);
}
