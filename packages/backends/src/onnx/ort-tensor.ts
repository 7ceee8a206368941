/** IR Tensor <-> onnxruntime Tensor (i64 as BigInt64Array, f16 as raw Uint16Array bits, int4 packed). */
import * as ort from "onnxruntime-node";
import { Tensor, UnsupportedOpError, type DType, type TensorData } from "@quantpass/ir";

const TO_ORT: Partial<Record<DType, ort.Tensor.Type>> = {
  f32: "float32", f64: "float64", f16: "float16", i64: "int64", u64: "uint64", i32: "int32", u32: "uint32",
  i16: "int16", u16: "uint16", i8: "int8", u8: "uint8", bool: "bool", string: "string", i4: "int4", u4: "uint4",
};

const FROM_ORT = new Map<string, DType>(Object.entries(TO_ORT).map(([d, o]) => [o as string, d as DType]));

export function toOrt(t: Tensor, name: string): ort.Tensor {
  const type = TO_ORT[t.dtype];
  if (!type) throw new UnsupportedOpError(`onnxruntime: input '${name}' has dtype ${t.dtype}, which onnxruntime-node cannot take`, name);
  let data = t.data as ort.Tensor.DataType;
  if (t.dtype === "i4") {
    const d = t.data as Uint8Array;
    data = new Int8Array(d.buffer, d.byteOffset, d.byteLength);
  }
  return new ort.Tensor(type, data, [...t.shape]);
}

export function fromOrt(v: ort.Tensor, name: string): Tensor {
  const dtype = FROM_ORT.get(v.type);
  if (!dtype) throw new UnsupportedOpError(`onnxruntime: output '${name}' has type ${v.type}, which quantpass cannot hold`, name);
  let data = v.data as TensorData;
  if (dtype === "f16" && !(data instanceof Uint16Array)) {
    // Runtimes with Float16Array hand back float16 values; keep raw bits as the IR does.
    const d = data as unknown as { buffer: ArrayBuffer; byteOffset: number; length: number };
    data = new Uint16Array(d.buffer, d.byteOffset, d.length);
  } else if (dtype === "i4") {
    const d = data as unknown as Int8Array;
    data = new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
  }
  return new Tensor(dtype, v.dims.map(Number), data);
}
