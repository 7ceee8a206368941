/**
 * A small builder of ONNX ModelProtos for tests and tools: value infos, nodes with typed
 * attributes, initializers from IR Tensors.
 */
import { elemToOnnxDataType, makeAttr, rawToOnnxTensor, type AttrInput, type AttrKind, type onnx } from "@quantpass/formats";
import type { DType, Tensor } from "@quantpass/ir";

/** A dim: a size, a dim_param name, or null for an unknown dim. */
export type DimSpec = number | string | null;

export function vinfo(name: string, dtype: DType, dims: readonly DimSpec[] | null): onnx.IValueInfoProto {
  const shape = dims === null ? undefined : { dim: dims.map((d) => (typeof d === "number" ? { dimValue: d } : typeof d === "string" ? { dimParam: d } : {})) };
  return { name, type: { tensorType: { elemType: elemToOnnxDataType(dtype), ...(shape ? { shape } : {}) } } };
}

/** An attribute value, optionally with an explicit kind (e.g. a float that happens to be integral). */
export type AttrSpec = AttrInput | { value: AttrInput; kind: AttrKind };

export function node(op: string, inputs: readonly string[], outputs: readonly string[], attrs: Record<string, AttrSpec> = {}, extra: { name?: string; domain?: string } = {}): onnx.INodeProto {
  return {
    name: extra.name ?? `${op}_${outputs[0] ?? ""}`,
    opType: op,
    domain: extra.domain ?? "",
    input: [...inputs],
    output: [...outputs],
    attribute: Object.entries(attrs).map(([k, v]) =>
      v !== null && typeof v === "object" && "kind" in v && "value" in v ? makeAttr(k, v.value, v.kind) : makeAttr(k, v as AttrInput),
    ),
  };
}

export function init(name: string, t: Tensor): onnx.ITensorProto {
  return rawToOnnxTensor(name, { dtype: t.dtype, dims: [...t.shape], data: t.data });
}

export interface ModelSpec {
  opset: number;
  nodes: onnx.INodeProto[];
  inputs: onnx.IValueInfoProto[];
  outputs: onnx.IValueInfoProto[];
  initializers?: onnx.ITensorProto[];
  valueInfo?: onnx.IValueInfoProto[];
  /** Extra opset imports (domain → version). */
  domains?: Record<string, number>;
  producer?: [string, string];
}

export function graphProto(spec: Omit<ModelSpec, "opset" | "domains" | "producer">, name = "g"): onnx.IGraphProto {
  return {
    name,
    node: spec.nodes,
    input: spec.inputs,
    output: spec.outputs,
    initializer: spec.initializers ?? [],
    valueInfo: spec.valueInfo ?? [],
  };
}

export function model(spec: ModelSpec): onnx.IModelProto {
  return {
    irVersion: spec.opset >= 21 ? 10 : spec.opset >= 19 ? 9 : spec.opset >= 15 ? 8 : 7,
    producerName: spec.producer?.[0] ?? "test",
    producerVersion: spec.producer?.[1] ?? "1",
    opsetImport: [{ domain: "", version: spec.opset }, ...Object.entries(spec.domains ?? {}).map(([domain, version]) => ({ domain, version }))],
    graph: graphProto(spec),
  };
}
