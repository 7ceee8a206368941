/**
 * Hand-encoded ONNX protobuf for a one-node MatMul model: inputs A [M,K] and B [K,N]
 * (both graph inputs, so no runtime can pre-pack B as a constant), output Y [M,N].
 * Only the handful of fields onnxruntime needs are written (ir_version 8, opset 13).
 */

function varint(n: number): number[] {
  const out: number[] = [];
  let v = n;
  while (v > 0x7f) {
    out.push((v & 0x7f) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return out;
}

/** Field with wire type 0 (varint). */
function fVarint(field: number, value: number): number[] {
  return [...varint((field << 3) | 0), ...varint(value)];
}

/** Field with wire type 2 (length-delimited): bytes, strings and sub-messages. */
function fBytes(field: number, payload: number[] | string): number[] {
  const bytes = typeof payload === "string" ? [...new TextEncoder().encode(payload)] : payload;
  return [...varint((field << 3) | 2), ...varint(bytes.length), ...bytes];
}

const FLOAT = 1;

function valueInfo(name: string, dims: number[]): number[] {
  const shape = dims.flatMap((d) => fBytes(1, fVarint(1, d))); // TensorShapeProto.dim.dim_value
  const tensorType = [...fVarint(1, FLOAT), ...fBytes(2, shape)]; // TypeProto.Tensor
  const type = fBytes(1, tensorType); // TypeProto.tensor_type
  return [...fBytes(1, name), ...fBytes(2, type)];
}

/** ModelProto bytes for Y = MatMul(A, B). */
export function matmulModel(m: number, k: number, n: number): Uint8Array {
  const node = [...fBytes(1, "A"), ...fBytes(1, "B"), ...fBytes(2, "Y"), ...fBytes(3, "mm"), ...fBytes(4, "MatMul")];
  const graph = [
    ...fBytes(1, node),
    ...fBytes(2, "matmul"),
    ...fBytes(11, valueInfo("A", [m, k])),
    ...fBytes(11, valueInfo("B", [k, n])),
    ...fBytes(12, valueInfo("Y", [m, n])),
  ];
  const opset = [...fBytes(1, ""), ...fVarint(2, 13)];
  const model = [...fVarint(1, 8), ...fBytes(2, "quantpass-bench"), ...fBytes(7, graph), ...fBytes(8, opset)];
  return new Uint8Array(model);
}
