/**
 * TensorProto <-> RawTensor. Reading handles raw_data and every typed field by the ONNX
 * rules (int32_data carries f16/bf16 bits, 8/16-bit ints, bool and packed 4-bit bytes;
 * uint64_data carries u32 and u64). Writing always uses raw_data (string_data for strings).
 */
import { ARRAY_CLASS, type ElemType, type RawTensor, type TypedArray } from "../dtype.js";
import { fail } from "../errors.js";
import { byteLengthOf, checkRaw, dataLengthOf, elemCount, rawBytes, typedFromBytes } from "../raw.js";
import { elemToOnnxDataType, onnxDataTypeOrUndefined, ONNX_DATA_TYPE_NAMES } from "./datatype.js";
import { longToBigInt, longToNumber, longToSafeInt, type LongLike } from "./long.js";
import { onnx } from "./proto.js";
import { TENSOR_EXTERNAL } from "./walk.js";

type Field = "floatData" | "int32Data" | "int64Data" | "doubleData" | "uint64Data" | "stringData";

const FIELD: Record<ElemType, Field> = {
  f32: "floatData", f64: "doubleData", i64: "int64Data", u64: "uint64Data", u32: "uint64Data",
  string: "stringData", f16: "int32Data", bf16: "int32Data", i32: "int32Data", i16: "int32Data",
  i8: "int32Data", u8: "int32Data", u16: "int32Data", bool: "int32Data", i4: "int32Data", u4: "int32Data",
};

const FIELD_NAME: Record<Field, string> = {
  floatData: "float_data", int32Data: "int32_data", int64Data: "int64_data",
  doubleData: "double_data", uint64Data: "uint64_data", stringData: "string_data",
};

const utf8 = new TextDecoder("utf-8");
const utf8Enc = new TextEncoder();

/** Dims of a TensorProto as safe non-negative integers. */
export function onnxDims(dims: readonly LongLike[] | null | undefined, where: string, file?: string): number[] {
  if (dims != null && !Array.isArray(dims)) fail(`${where}: dims is not a list`, file);
  return (dims ?? []).map((d) => {
    const n = longToSafeInt(d, `${where}: dimension`, file);
    if (n < 0) fail(`${where}: negative dimension ${n}`, file);
    return n;
  });
}

/** Expected data byte length of a (non-string) TensorProto, or undefined if not computable. */
export function onnxTensorByteLength(t: onnx.ITensorProto): number | undefined {
  const dtype = onnxDataTypeOrUndefined(t.dataType);
  if (!dtype || dtype === "string") return undefined;
  try {
    return byteLengthOf(dtype, elemCount(onnxDims(t.dims, "tensor")));
  } catch {
    return undefined;
  }
}

/** Decodes a TensorProto's data into a RawTensor (copied, aligned). */
export function onnxTensorToRaw(t: onnx.ITensorProto, file?: string): RawTensor {
  if (!t || typeof t !== "object") fail("tensor is not a TensorProto", file);
  const where = `tensor '${typeof t.name === "string" ? t.name : ""}'`;
  if (t.dataLocation === TENSOR_EXTERNAL) fail(`${where}: external data not loaded`, file);
  if (t.segment) fail(`${where}: segmented tensors are not supported`, file);
  const dtype = onnxDataTypeOrUndefined(t.dataType);
  if (!dtype) {
    const name = ONNX_DATA_TYPE_NAMES[t.dataType as number];
    fail(`${where}: unsupported data type ${String(t.dataType)}${name ? ` (${name})` : ""}`, file);
  }
  const dims = onnxDims(t.dims, where, file);
  const n = elemCount(dims, file, `${where}: dims`);
  const field = FIELD[dtype];
  const typed = t[field] as unknown[] | null | undefined;
  const raw = t.rawData;
  if (raw != null && !(raw instanceof Uint8Array)) fail(`${where}: raw_data is not bytes`, file);
  const hasRaw = raw != null && raw.length > 0;
  const hasTyped = typed != null && typed.length > 0;
  if (hasRaw && hasTyped) fail(`${where}: both raw_data and ${FIELD_NAME[field]} are set`, file);

  if (dtype === "string") {
    if (hasRaw) fail(`${where}: string tensor with raw_data`, file);
    const strs = (typed ?? []) as Uint8Array[];
    if (strs.length !== n) fail(`${where}: string_data has ${strs.length} entries, dims [${dims}] need ${n}`, file);
    return { dtype, dims, data: strs.map((s) => (s instanceof Uint8Array ? utf8.decode(s) : fail(`${where}: string_data entry is not bytes`, file))) };
  }
  if (!hasTyped) {
    const want = byteLengthOf(dtype, n);
    const got = raw?.length ?? 0;
    if (got !== want) fail(`${where}: raw_data has ${got} bytes, ${dtype} [${dims}] needs ${want}`, file);
    return { dtype, dims, data: typedFromBytes(dtype, raw ?? new Uint8Array(0)) };
  }
  const want = dataLengthOf(dtype, n);
  const vals = typed as (number | LongLike)[];
  if (vals.length !== want) fail(`${where}: ${FIELD_NAME[field]} has ${vals.length} values, ${dtype} [${dims}] needs ${want}`, file);
  return { dtype, dims, data: fromTypedField(dtype, vals) };
}

function fromTypedField(dtype: Exclude<ElemType, "string">, vals: (number | LongLike)[]): TypedArray {
  if (dtype === "i64") return BigInt64Array.from(vals, (v) => longToBigInt(v));
  if (dtype === "u64") return BigUint64Array.from(vals, (v) => longToBigInt(v, true));
  const out = new ARRAY_CLASS[dtype](vals.length) as Exclude<TypedArray, BigInt64Array | BigUint64Array>;
  for (let i = 0; i < vals.length; i++) out[i] = longToNumber(vals[i]);
  return out;
}

/** Builds a TensorProto holding `raw` (raw_data is a view of raw.data, not a copy). */
export function rawToOnnxTensor(name: string, raw: RawTensor): onnx.TensorProto {
  checkRaw(raw, `tensor '${name}'`);
  const t = onnx.TensorProto.create({ name, dims: [...raw.dims], dataType: elemToOnnxDataType(raw.dtype) });
  if (raw.dtype === "string") t.stringData = (raw.data as string[]).map((s) => utf8Enc.encode(s));
  else t.rawData = rawBytes(raw);
  return t;
}
