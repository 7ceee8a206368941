/**
 * Weight fake-quantization shared by `fake-quant` and `rtn`: each chosen node's constant
 * weight W gets `%W.q = fake_quant(%W)` with round-to-nearest parameters from W itself
 * (per-tensor, per-channel along the output-channel axis, or per-group along the
 * input-channel axis). A weight read by several nodes with the same layout gets one node.
 * NaN or Infinity in a weight is a UserError naming the constant and the node. The
 * per-element loops (ranges here, integers in int-tensor.ts) are in @quantpass/ir/quant-kernels: WebAssembly
 * SIMD, or plain TypeScript, bit-identical to ir's per-element definitions.
 */
import { scaleCount, UserError, type Attrs, type Granularity, type Graph, type GraphEditor, type Node, type QuantType, type StorageDType, type Tensor } from "@quantpass/ir";
import { z } from "zod";
import { quantSites, type WeightSite } from "../ptq/sites.js";
import { quantizeConstant } from "./int-tensor.js";
import { qparams } from "./params.js";
import { weightKernels } from "@quantpass/ir/quant-kernels";

export const WeightOptions = {
  /** int8 (storage i8, or u8 when asymmetric) or int4 (i4 / u4); default int8. */
  weight_dtype: z.enum(["int8", "int4"]).default("int8"),
  /** Symmetric weights (no zero point); default true. */
  weight_symmetric: z.boolean().default(true),
  /** per-tensor | per-channel (output channels) | per-group (input channels); default per-channel. */
  granularity: z.enum(["per-tensor", "per-channel", "per-group"]).default("per-channel"),
  /** Group size for per-group: 32, 64 or 128; default 128. */
  group_size: z.union([z.literal(32), z.literal(64), z.literal(128)]).default(128),
};

export interface WeightQuantOptions {
  readonly weight_dtype: "int8" | "int4";
  readonly weight_symmetric: boolean;
  readonly granularity: "per-tensor" | "per-channel" | "per-group";
  readonly group_size: number;
}

export function weightStorage(o: WeightQuantOptions): StorageDType {
  return o.weight_dtype === "int8" ? (o.weight_symmetric ? "i8" : "u8") : o.weight_symmetric ? "i4" : "u4";
}

/** The granularity of weight quantization at `site`: per-tensor, per output channel, or per group of input channels. */
export function weightGranularity(site: Pick<WeightSite, "outAxis" | "inAxis">, o: WeightQuantOptions): Granularity {
  return o.granularity === "per-tensor" ? { kind: "per-tensor" }
    : o.granularity === "per-channel" ? { kind: "per-axis", axis: site.outAxis }
    : { kind: "per-group", axis: site.inAxis, groupSize: o.group_size };
}

/**
 * Round-to-nearest parameters of weight t read at `site`: from each scale slot's range
 * (absmax when symmetric), qparams gives the scale (and zero point). The QuantType that
 * fold-to-int reads back from the fake_quant attributes.
 */
export function weightQuantType(t: Tensor, site: Pick<WeightSite, "value" | "outAxis" | "inAxis">, o: WeightQuantOptions, node: string): QuantType {
  const x = t.toF32();
  const storage = weightStorage(o);
  const shape = t.shape;
  const gran = weightGranularity(site, o);
  const n = scaleCount(gran, shape);
  const sym = o.weight_symmetric;
  const kernels = weightKernels();
  const absmax = sym ? kernels.absMaxBySlot(x, shape, gran, n) : null;
  const range = sym ? null : kernels.minMaxBySlot(x, shape, gran, n);
  if (!absmax && !range) {
    const i = x.findIndex((v) => !Number.isFinite(v));
    throw new UserError(`weight '%${site.value}' of node '${node}' holds ${x[i]} at element ${i}; NaN and Infinity cannot be quantized`, node);
  }
  const what = `weight '%${site.value}' of node '${node}'`;
  const scale = new Float32Array(n);
  const zp = new Int32Array(n);
  let hasZp = false;
  for (let k = 0; k < n; k++) {
    const lo = absmax ? -absmax[k]! : range!.min[k]!;
    const hi = absmax ? absmax[k]! : range!.max[k]!;
    const p = lo <= hi ? qparams(lo, hi, storage, sym, what) : qparams(0, 0, storage, sym);
    scale[k] = p.scale;
    if (p.zeroPoint !== null) {
      zp[k] = p.zeroPoint;
      hasZp = true;
    }
  }
  const expressed = t.dtype === "f16" || t.dtype === "bf16" ? t.dtype : "f32";
  return { storage, expressed, granularity: gran, scale, zeroPoint: hasZp ? zp : null };
}

/** fake_quant attributes for weight t of node `node` read at `site`. */
export function weightQuantAttrs(t: Tensor, site: WeightSite, o: WeightQuantOptions, node: string): Attrs {
  const q = weightQuantType(t, site, o, node);
  const attrs: Record<string, Attrs[string]> = { storage: q.storage, scale: Array.from(q.scale!) };
  if (q.zeroPoint) attrs.zero_point = Array.from(q.zeroPoint);
  const gran = q.granularity;
  if (gran.kind === "per-axis" || gran.kind === "per-group") attrs.axis = gran.axis;
  if (gran.kind === "per-group") attrs.group_size = gran.groupSize;
  return attrs;
}

/**
 * rtn followed by fold-to-int on one weight: the parameters the rtn pass writes into its
 * fake_quant (weightQuantType) and the integer tensor fold-to-int makes from them
 * (quantizeConstant; i4/u4 packed). `site` names the weight's axes (Gemm transB=1 / Linear
 * [out, in]: outAxis 0, inAxis 1; MatMul [.., in, out]: outAxis rank-1, inAxis rank-2).
 */
export function quantizeWeight(t: Tensor, site: Pick<WeightSite, "outAxis" | "inAxis"> & { value?: string }, o: WeightQuantOptions, node = "weight"): { quant: QuantType; values: Tensor } {
  const quant = weightQuantType(t, { value: site.value ?? "weight", outAxis: site.outAxis, inAxis: site.inAxis }, o, node);
  return { quant, values: quantizeConstant(t, quant) };
}

/** Inserts weight fake_quant nodes for the given nodes of g (inside an edit of g). */
export function insertWeightFakeQuants(e: GraphEditor, g: Graph, nodes: readonly Node[], o: WeightQuantOptions): number {
  const done = new Map<string, string>();
  let count = 0;
  for (const n of nodes) {
    const site = quantSites(g, n).weight;
    if (!site) continue;
    const key = `${site.value}\u0000${site.outAxis}\u0000${site.inAxis}`;
    let out = done.get(key);
    if (!out) {
      const attrs = weightQuantAttrs(g.constants[site.value]!, site, o, n.name);
      out = e.freshValue(`${site.value}.q`);
      const t = g.values[site.value]!;
      e.insertNode({ name: e.freshNodeName(`${site.value}.q`), op: "fake_quant", inputs: [site.value], outputs: [out], attrs }, [{ dtype: t.dtype, shape: t.shape }], e.indexOf(n.name));
      done.set(key, out);
      count++;
    }
    const k = e.indexOf(n.name);
    const inputs = [...e.draft.nodes[k]!.inputs];
    inputs[site.input] = out;
    e.draft.nodes[k]!.inputs = inputs;
  }
  return count;
}
