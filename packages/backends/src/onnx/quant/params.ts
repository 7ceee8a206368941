/**
 * A QuantType as QuantizeLinear / DequantizeLinear inputs and attributes:
 *   per-tensor        scale f32 [],  zero point storage []
 *   per-axis(a)       scale f32 [C], zero point storage [C],   axis = a
 *   per-group(a, g)   scale f32 = the value's shape with dim a → ⌈dim/g⌉ (the IR's per-group
 *                     scale order), zero point the same shape,  axis = a, block_size = g (opset 21)
 * The zero point is always written, in the storage dtype: ONNX takes the output dtype of
 * QuantizeLinear from it, and a missing one would mean u8 (so symmetric i8/i4 get explicit
 * zeros). Per-token values have no static parameters (dynamic_quant computes them).
 */
import { Tensor, UnsupportedOpError, type QuantType } from "@quantpass/ir";
import type { Lowering } from "./lowering.js";

export interface QParamInputs {
  readonly scale: string;
  readonly zeroPoint: string;
  readonly attrs: Record<string, number>;
}

/** Shape of the scale / zero point tensors of q for a value of the given shape. */
export function paramShape(q: QuantType, shape: readonly number[]): number[] {
  const g = q.granularity;
  switch (g.kind) {
    case "per-tensor": return [];
    case "per-axis": return [q.scale?.length ?? shape[g.axis]!];
    case "per-group": return shape.map((d, k) => (k === g.axis ? Math.ceil(d / g.groupSize) : d));
    case "per-token": return [];
  }
}

export function zeroPointTensor(q: QuantType, shape: readonly number[]): Tensor {
  const t = Tensor.zeros(q.storage, shape);
  const z = q.zeroPoint;
  if (z) for (let i = 0; i < t.size; i++) t.set(i, z[z.length === 1 ? 0 : i]!);
  return t;
}

/** Scale and zero-point initializers (named after `prefix`) and the axis/block_size attributes. */
export function qparamInputs(lw: Lowering, q: QuantType, value: string, prefix: string, node: string): QParamInputs {
  const g = q.granularity;
  if (g.kind === "per-token" || !q.scale)
    throw new UnsupportedOpError(`onnx quantized export: node '${node}': '${value}' is per-token; only dynamic_quant's readers take it`, node);
  const shape = g.kind === "per-group" ? lw.staticShape(value, "per-group quantization", node) : (lw.type(value).shape as number[]);
  const ps = paramShape(q, shape);
  const scale = lw.constant(`${prefix}_scale`, new Tensor("f32", ps, Float32Array.from(q.scale)));
  const zeroPoint = lw.constant(`${prefix}_zero_point`, zeroPointTensor(q, ps));
  const attrs: Record<string, number> = g.kind === "per-axis" ? { axis: g.axis } : g.kind === "per-group" ? { axis: g.axis, block_size: g.groupSize } : {};
  return { scale, zeroPoint, attrs };
}
