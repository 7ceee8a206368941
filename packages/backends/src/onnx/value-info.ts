/** IR types → ONNX ValueInfoProto: dtype codes, symbols → dim_param, "?" → an empty dimension. */
import { elemToOnnxDataType, type onnx } from "@quantpass/formats";
import type { Dim, TensorType } from "@quantpass/ir";

export function dimProto(d: Dim): onnx.TensorShapeProto.IDimension {
  if (typeof d === "number") return { dimValue: d };
  return d === "?" ? {} : { dimParam: d };
}

/** A tensor ValueInfoProto (a quantized type exports as its storage dtype). */
export function valueInfo(name: string, t: TensorType): onnx.IValueInfoProto {
  return {
    name,
    type: { tensorType: { elemType: elemToOnnxDataType(t.dtype), shape: { dim: t.shape.map(dimProto) } } },
  };
}

/** ONNX IR version written for each target opset (the oldest IR that opset needs). */
export function irVersionFor(opset: number): number {
  if (opset >= 21) return 10;
  if (opset >= 19) return 9;
  if (opset >= 15) return 8;
  return 7;
}
