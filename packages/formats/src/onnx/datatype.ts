/** ONNX TensorProto.DataType codes <-> ElemType. */
import type { ElemType } from "../dtype.js";
import { fail } from "../errors.js";

const TO_CODE: Record<ElemType, number> = {
  f32: 1, u8: 2, i8: 3, u16: 4, i16: 5, i32: 6, i64: 7, string: 8,
  bool: 9, f16: 10, f64: 11, u32: 12, u64: 13, bf16: 16, u4: 21, i4: 22,
};

const FROM_CODE = new Map<number, ElemType>(Object.entries(TO_CODE).map(([k, v]) => [v, k as ElemType]));

/** Names of the codes we do not support, for error messages. */
const UNSUPPORTED: Record<number, string> = {
  0: "UNDEFINED", 14: "COMPLEX64", 15: "COMPLEX128", 17: "FLOAT8E4M3FN", 18: "FLOAT8E4M3FNUZ",
  19: "FLOAT8E5M2", 20: "FLOAT8E5M2FNUZ", 23: "FLOAT4E2M1",
};

/** Name of an ONNX data type code, e.g. 1 → "FLOAT" (for messages). */
export const ONNX_DATA_TYPE_NAMES: Record<number, string> = {
  1: "FLOAT", 2: "UINT8", 3: "INT8", 4: "UINT16", 5: "INT16", 6: "INT32", 7: "INT64", 8: "STRING",
  9: "BOOL", 10: "FLOAT16", 11: "DOUBLE", 12: "UINT32", 13: "UINT64", 16: "BFLOAT16", 21: "UINT4", 22: "INT4",
  ...UNSUPPORTED,
};

/** The ElemType of an ONNX data type code, or undefined when we have none. */
export function onnxDataTypeOrUndefined(code: number | null | undefined): ElemType | undefined {
  return typeof code === "number" ? FROM_CODE.get(code) : undefined;
}

/** The ElemType of an ONNX data type code; FormatError for codes we do not support. */
export function onnxDataTypeToElem(code: number | null | undefined, file?: string): ElemType {
  const t = onnxDataTypeOrUndefined(code);
  if (t === undefined) {
    const name = typeof code === "number" ? ONNX_DATA_TYPE_NAMES[code] : undefined;
    fail(`unsupported ONNX data type ${String(code)}${name ? ` (${name})` : ""}`, file);
  }
  return t;
}

/** The ONNX data type code of an ElemType. */
export function elemToOnnxDataType(dtype: ElemType): number {
  const c = TO_CODE[dtype];
  if (c === undefined) throw new TypeError(`unknown dtype ${String(dtype)}`);
  return c;
}
