/** Byte-level helpers for RawTensor: element counts, sizes, aligned copies, validation. */
import { ARRAY_CLASS, isElemType, isPacked4, type ElemType, type RawTensor, type TypedArray } from "./dtype.js";
import { fail } from "./errors.js";

/** Bytes per element (packed 4-bit types: 0.5; string: 0, it has no fixed size). */
export function elemSize(dtype: ElemType): number {
  if (dtype === "string") return 0;
  if (isPacked4(dtype)) return 0.5;
  return ARRAY_CLASS[dtype].BYTES_PER_ELEMENT;
}

/** Number of elements of `dims`; FormatError on negative, fractional or unsafe sizes. */
export function elemCount(dims: readonly number[], file?: string, what = "shape"): number {
  let n = 1;
  for (const d of dims) {
    if (!Number.isSafeInteger(d) || d < 0) fail(`${what} [${dims.join(",")}] has invalid dimension ${d}`, file);
    n *= d;
  }
  if (!Number.isSafeInteger(n)) fail(`${what} [${dims.join(",")}] has too many elements`, file);
  return n;
}

/** Bytes taken by `count` elements of `dtype` (4-bit types are packed, rounded up). */
export function byteLengthOf(dtype: ElemType, count: number): number {
  if (dtype === "string") throw new TypeError("string tensors have no fixed byte length");
  return isPacked4(dtype) ? Math.ceil(count / 2) : count * ARRAY_CLASS[dtype].BYTES_PER_ELEMENT;
}

/** Length `data` must have for `count` elements (packed 4-bit types: bytes). */
export function dataLengthOf(dtype: ElemType, count: number): number {
  return isPacked4(dtype) ? Math.ceil(count / 2) : count;
}

/**
 * Copies little-endian `bytes` into a fresh, properly aligned typed array for `dtype`.
 * The caller has checked that the length fits.
 */
export function typedFromBytes(dtype: Exclude<ElemType, "string">, bytes: Uint8Array): TypedArray {
  const C = ARRAY_CLASS[dtype];
  const buf = new ArrayBuffer(bytes.byteLength);
  new Uint8Array(buf).set(bytes);
  return new C(buf, 0, bytes.byteLength / C.BYTES_PER_ELEMENT);
}

/** A byte view (no copy) of a numeric tensor's data, little-endian as on disk. */
export function rawBytes(raw: RawTensor): Uint8Array {
  if (!ArrayBuffer.isView(raw.data)) throw new TypeError("string tensors have no raw bytes");
  const d = raw.data;
  return new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
}

/** Validates a RawTensor given to an encoder (FormatError naming `where` otherwise). */
export function checkRaw(raw: RawTensor, where: string, file?: string): number {
  if (!raw || typeof raw !== "object") fail(`${where}: not a tensor`, file);
  if (!isElemType(raw.dtype)) fail(`${where}: unknown dtype ${String(raw.dtype)}`, file);
  if (!Array.isArray(raw.dims)) fail(`${where}: dims is not an array`, file);
  const n = elemCount(raw.dims, file, `${where}: dims`);
  if (raw.dtype === "string") {
    if (!Array.isArray(raw.data) || raw.data.some((s) => typeof s !== "string")) fail(`${where}: string tensor data must be string[]`, file);
  } else {
    const C = ARRAY_CLASS[raw.dtype];
    if (!(raw.data instanceof C)) fail(`${where}: ${raw.dtype} data must be a ${C.name}`, file);
  }
  const want = dataLengthOf(raw.dtype, n);
  if (raw.data.length !== want) {
    fail(`${where}: data has ${raw.data.length} elements, ${raw.dtype} [${raw.dims.join(",")}] needs ${want}`, file);
  }
  return n;
}

/** Defines an own enumerable property (safe for keys such as `__proto__`). */
export function setOwn<T>(obj: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}
