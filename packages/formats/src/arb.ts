/** Test-only fast-check arbitraries for RawTensors. Not exported. */
import fc from "fast-check";
import type { ElemType, RawTensor } from "./dtype.js";
import { byteLengthOf, elemCount, typedFromBytes } from "./raw.js";

export const NUMERIC_TYPES: Exclude<ElemType, "string">[] = [
  "f32", "f16", "bf16", "f64", "i64", "i32", "i16", "i8", "u8", "u16", "u32", "u64", "i4", "u4", "bool",
];

export const arbDims = fc.array(fc.integer({ min: 0, max: 5 }), { maxLength: 3 });

/** A tensor of one of `dtypes` with random bits (every NaN payload, -0, ...). */
export function arbRawTensor(dtypes: readonly ElemType[] = NUMERIC_TYPES): fc.Arbitrary<RawTensor> {
  return fc.tuple(fc.constantFrom(...dtypes), arbDims).chain(([dtype, dims]): fc.Arbitrary<RawTensor> => {
    const n = elemCount(dims);
    if (dtype === "string") {
      return fc.array(fc.string({ unit: "grapheme" }), { minLength: n, maxLength: n }).map((data) => ({ dtype, dims, data }));
    }
    const len = byteLengthOf(dtype, n);
    const bytes = dtype === "bool" ? fc.uint8Array({ min: 0, max: 1, minLength: len, maxLength: len }) : fc.uint8Array({ minLength: len, maxLength: len });
    return bytes.map((b) => ({ dtype, dims, data: typedFromBytes(dtype, b) }));
  });
}

/** Comparable form: dtype, dims and the data bytes (or strings). */
export function rawKey(t: RawTensor): unknown {
  const data = ArrayBuffer.isView(t.data) ? Array.from(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength)) : t.data;
  return { dtype: t.dtype, dims: t.dims, ctor: t.data.constructor.name, data };
}
