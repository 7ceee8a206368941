/**
 * Weight fake-quantization shared by `fake-quant` and `rtn`: each chosen node's constant
 * weight W gets `%W.q = fake_quant(%W)` with round-to-nearest parameters from W itself
 * (per-tensor, per-channel along the output-channel axis, or per-group along the
 * input-channel axis). A weight read by several nodes with the same layout gets one node.
 * NaN or Infinity in a weight is a UserError naming the constant and the node.
 */
import { scaleCount, scaleIndex, UserError, type Attrs, type Graph, type GraphEditor, type Node, type StorageDType, type Tensor } from "@quantpass/ir";
import { z } from "zod";
import { quantSites, type WeightSite } from "../ptq/sites.js";
import { qparams } from "./params.js";

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

/** fake_quant attributes for weight t of node `node` read at `site`. */
export function weightQuantAttrs(t: Tensor, site: WeightSite, o: WeightQuantOptions, node: string): Attrs {
  const x = t.toF32();
  for (let i = 0; i < x.length; i++)
    if (!Number.isFinite(x[i]!))
      throw new UserError(`weight '%${site.value}' of node '${node}' holds ${x[i]} at element ${i}; NaN and Infinity cannot be quantized`, node);
  const storage = weightStorage(o);
  const shape = t.shape;
  const gran =
    o.granularity === "per-tensor" ? ({ kind: "per-tensor" } as const)
    : o.granularity === "per-channel" ? ({ kind: "per-axis", axis: site.outAxis } as const)
    : ({ kind: "per-group", axis: site.inAxis, groupSize: o.group_size } as const);
  const n = scaleCount(gran, shape);
  const idx = scaleIndex(gran, shape);
  const min = new Float64Array(n).fill(Infinity);
  const max = new Float64Array(n).fill(-Infinity);
  for (let i = 0; i < x.length; i++) {
    const k = idx[i]!;
    if (x[i]! < min[k]!) min[k] = x[i]!;
    if (x[i]! > max[k]!) max[k] = x[i]!;
  }
  const scale: number[] = [];
  const zp: number[] = [];
  for (let k = 0; k < n; k++) {
    const p = min[k]! <= max[k]! ? qparams(min[k]!, max[k]!, storage, o.weight_symmetric, `weight '%${site.value}' of node '${node}'`) : qparams(0, 0, storage, o.weight_symmetric);
    scale.push(p.scale);
    if (p.zeroPoint !== null) zp.push(p.zeroPoint);
  }
  const attrs: Record<string, Attrs[string]> = { storage, scale };
  if (zp.length) attrs.zero_point = zp;
  if (gran.kind !== "per-tensor") attrs.axis = gran.axis;
  if (gran.kind === "per-group") attrs.group_size = gran.groupSize;
  return attrs;
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
