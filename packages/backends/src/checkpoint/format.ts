/**
 * Quantized checkpoints: a safetensors file holding every constant of an int graph plus the
 * static activation parameters, readable by any safetensors reader (no extension dtypes).
 *
 * Tensors (names sorted, so the bytes are deterministic):
 * - `<value>`: each constant under its value name. Plain constants keep their dtype (F32,
 *   I64, ...). Quantized constants: i8 → I8, u8 → U8; i4/u4 → U8 bytes of shape [ceil(n/2)],
 *   packed two a byte, element 2i in the low nibble (the IR's and ONNX's layout); the
 *   logical dtype and shape are in the index.
 * - `<value>.scale` (F32) and `<value>.zero_point` (I32, absent when symmetric) for each
 *   quantized constant and for each static activation (the output of a `quantize` or
 *   `kv_quant` node). Shapes: [1] per tensor, [C] per axis, per group the scale grid (the
 *   tensor's shape with the grouped axis divided by the group size, rounded up).
 *
 * `__metadata__` (strings):
 * - `quantpass.format`: "quantized-checkpoint/1".
 * - `quantpass.config`: the PTQ config (canonical JSON) the graph was quantized with.
 * - `quantpass.index`: JSON, value name → { kind: constant | weight | activation, dtype,
 *   shape, and for weight/activation: storage, expressed, granularity, node (activation) }.
 * - `quantpass.sha256`: JSON, tensor name → the first 16 hex digits of the SHA-256 of its
 *   bytes (a corrupted tensor is named when loading).
 */
import { createHash } from "node:crypto";
import type { RawTensor } from "@quantpass/formats";
import { scaleCount, Tensor, type Dim, type DType, type Granularity, type QuantType } from "@quantpass/ir";

export const CHECKPOINT_FORMAT = "quantized-checkpoint/1";
export const META = { format: "quantpass.format", config: "quantpass.config", index: "quantpass.index", sha256: "quantpass.sha256" } as const;

export type GranularityJson = { kind: "per-tensor" } | { kind: "per-axis"; axis: number } | { kind: "per-group"; axis: number; group_size: number };

export interface IndexEntry {
  kind: "constant" | "weight" | "activation";
  dtype: DType;
  /** The value's shape (an activation's may have symbolic dims). */
  shape: Dim[];
  storage?: QuantType["storage"];
  expressed?: QuantType["expressed"];
  granularity?: GranularityJson;
  /** The quantize node an activation's parameters belong to. */
  node?: string;
}

export function granularityJson(g: Granularity): GranularityJson {
  if (g.kind === "per-axis") return { kind: "per-axis", axis: g.axis };
  if (g.kind === "per-group") return { kind: "per-group", axis: g.axis, group_size: g.groupSize };
  if (g.kind === "per-token") throw new Error("per-token parameters are computed at run time; nothing to store");
  return { kind: "per-tensor" };
}

export function describeGranularity(j: GranularityJson | undefined): string {
  if (!j) return "not quantized";
  return j.kind === "per-axis" ? `per-axis(${j.axis})` : j.kind === "per-group" ? `per-group(${j.axis},${j.group_size})` : j.kind;
}

/** Shape of the scale / zero-point tensors of a value of `shape`. */
export function paramShape(g: Granularity, shape: readonly number[]): number[] {
  if (g.kind === "per-axis") return [shape[g.axis]!];
  if (g.kind === "per-group") return shape.map((d, k) => (k === g.axis ? Math.ceil(d / g.groupSize) : d));
  return [scaleCount(g, shape) || 1];
}

/** A constant's bytes as stored: packed 4-bit types become U8 bytes. */
export function storedRaw(t: Tensor): RawTensor {
  if (t.dtype === "i4" || t.dtype === "u4") return { dtype: "u8", dims: [t.data.length], data: t.data as Uint8Array };
  return { dtype: t.dtype, dims: [...t.shape], data: t.data };
}

/** The stored dtype and shape of a value of logical dtype and shape. */
export function storedLayout(dtype: DType, shape: readonly number[]): { dtype: DType; shape: number[] } {
  const n = shape.reduce((a, b) => a * b, 1);
  return dtype === "i4" || dtype === "u4" ? { dtype: "u8", shape: [Math.ceil(n / 2)] } : { dtype, shape: [...shape] };
}

export function digest(raw: RawTensor): string {
  const d = raw.data as ArrayBufferView;
  return createHash("sha256").update(new Uint8Array(d.buffer, d.byteOffset, d.byteLength)).digest("hex").slice(0, 16);
}
