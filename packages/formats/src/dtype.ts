/**
 * Element types and raw (IR-free) tensors shared by every codec. The dtype strings are the
 * ones the IR uses.
 */
export type ElemType =
  | "f32" | "f16" | "bf16" | "f64"
  | "i64" | "i32" | "i16" | "i8"
  | "u8" | "u16" | "u32" | "u64"
  | "i4" | "u4" | "bool" | "string";

export const ELEM_TYPES: readonly ElemType[] = [
  "f32", "f16", "bf16", "f64", "i64", "i32", "i16", "i8",
  "u8", "u16", "u32", "u64", "i4", "u4", "bool", "string",
];

export type TypedArray =
  | Float32Array | Float64Array
  | BigInt64Array | BigUint64Array
  | Int32Array | Int16Array | Int8Array
  | Uint8Array | Uint16Array | Uint32Array;

/**
 * A tensor as bytes on disk describe it. `data` holds, by dtype:
 * f32 Float32Array, f64 Float64Array, f16/bf16 Uint16Array (raw bits), i64 BigInt64Array,
 * u64 BigUint64Array, i32 Int32Array, i16 Int16Array, i8 Int8Array, u8/bool Uint8Array,
 * u16 Uint16Array, u32 Uint32Array, i4/u4 Uint8Array packed two per byte (element 2i in the
 * low nibble, ONNX's layout), string string[]. Row-major, little-endian.
 */
export interface RawTensor {
  dtype: ElemType;
  dims: number[];
  data: TypedArray | string[];
}

type Ctor = { new (buffer: ArrayBuffer, byteOffset?: number, length?: number): TypedArray; new (length: number): TypedArray; BYTES_PER_ELEMENT: number };

/** Typed-array class holding each numeric dtype (i4/u4: packed bytes). */
export const ARRAY_CLASS: Record<Exclude<ElemType, "string">, Ctor> = {
  f32: Float32Array, f64: Float64Array, f16: Uint16Array, bf16: Uint16Array,
  i64: BigInt64Array, u64: BigUint64Array, i32: Int32Array, i16: Int16Array,
  i8: Int8Array, u8: Uint8Array, bool: Uint8Array, u16: Uint16Array, u32: Uint32Array,
  i4: Uint8Array, u4: Uint8Array,
};

export function isElemType(s: unknown): s is ElemType {
  return typeof s === "string" && (ELEM_TYPES as readonly string[]).includes(s);
}

/** True for the packed 4-bit types. */
export function isPacked4(dtype: ElemType): boolean {
  return dtype === "i4" || dtype === "u4";
}
