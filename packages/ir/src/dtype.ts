/** Element types of the IR. i4/u4 pack two values a byte, element 2i in the low nibble. */
export const DTYPES = ["f32", "f16", "bf16", "f64", "i64", "i32", "i16", "i8", "u8", "u16", "u32", "u64", "i4", "u4", "bool", "string"] as const;
export type DType = (typeof DTYPES)[number];

export function isDType(s: string): s is DType {
  return (DTYPES as readonly string[]).includes(s);
}

export const FLOAT_DTYPES: readonly DType[] = ["f32", "f16", "bf16", "f64"];
export const INT_DTYPES: readonly DType[] = ["i64", "i32", "i16", "i8", "u8", "u16", "u32", "u64", "i4", "u4"];

export function isFloat(d: DType): boolean {
  return d === "f32" || d === "f16" || d === "bf16" || d === "f64";
}
export function isInt(d: DType): boolean {
  return INT_DTYPES.includes(d);
}

/** Bits per element (storage). */
export function bitsOf(d: DType): number {
  switch (d) {
    case "f64": case "i64": case "u64": return 64;
    case "f32": case "i32": case "u32": return 32;
    case "f16": case "bf16": case "i16": case "u16": return 16;
    case "i8": case "u8": case "bool": return 8;
    case "i4": case "u4": return 4;
    case "string": return 0;
  }
}

/** Bytes needed to store n elements of d (int4 rounds up to whole bytes). */
export function byteLength(d: DType, n: number): number {
  return Math.ceil((bitsOf(d) * n) / 8);
}

/** Integer range [min, max] of an integer dtype. */
export function intRange(d: DType): [number, number] {
  switch (d) {
    case "i4": return [-8, 7];
    case "u4": return [0, 15];
    case "i8": return [-128, 127];
    case "u8": return [0, 255];
    case "i16": return [-32768, 32767];
    case "u16": return [0, 65535];
    case "i32": return [-2147483648, 2147483647];
    case "u32": return [0, 4294967295];
    case "bool": return [0, 1];
    default: throw new Error(`intRange: ${d} is not a bounded integer dtype`);
  }
}

/** The JS typed-array type that holds each dtype in memory (unpacked except i4/u4). */
export type TypedArray =
  | Float32Array | Float64Array | Int32Array | Int16Array | Int8Array | Uint8Array
  | Uint16Array | Uint32Array | BigInt64Array | BigUint64Array;

export type TensorData = TypedArray | string[];

/** Allocates storage for n elements of d. f16/bf16 hold raw bits in Uint16Array; i4/u4 are packed. */
export function allocData(d: DType, n: number): TensorData {
  switch (d) {
    case "f32": return new Float32Array(n);
    case "f64": return new Float64Array(n);
    case "f16": case "bf16": case "u16": return new Uint16Array(n);
    case "i64": return new BigInt64Array(n);
    case "u64": return new BigUint64Array(n);
    case "i32": return new Int32Array(n);
    case "u32": return new Uint32Array(n);
    case "i16": return new Int16Array(n);
    case "i8": return new Int8Array(n);
    case "u8": case "bool": return new Uint8Array(n);
    case "i4": case "u4": return new Uint8Array(Math.ceil(n / 2));
    case "string": return new Array<string>(n).fill("");
  }
}
