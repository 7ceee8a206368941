/**
 * fake-quant (calibrated → fake-quant): calibrated observers become static fake_quant
 * nodes, and each chosen node's weight gets a fake_quant.
 *
 *   %a = observe(%x) {max=[4], min=[-1]}             %a = fake_quant(%x) {scale=[0.0196], storage="i8", zero_point=[-77]}
 *   %y = MatMul(%a, %w)                        →     %w.q = fake_quant(%w) {axis=1, scale=[...], storage="i8"}
 *                                                     %y = MatMul(%a, %w.q)
 *
 * Activations: dtype i8 | u8 (default i8), asymmetric by default (`symmetric=true` for
 * absmax scaling); per-channel observers give per-axis parameters. Weights: see
 * quant/weights.ts (int8 | int4, per-tensor | per-channel | per-group). Layer policy
 * (ops, skip, include, exclude) chooses the weights; observers were chosen by
 * insert-observers and are all converted. An observer with no range is a UserError.
 *
 * Documented bound (tested): for y = x·W (+ b) with x inside the calibrated range,
 * |y_fq - y| <= Σ_k (sx/2·|W_kj| + |x_k|·sw_kj/2 + sx·sw_kj/4) plus float32 rounding,
 * where sx, sw are the activation and weight scales (quantize/dequantize error <= scale/2).
 */
import { edit, UserError, type Attrs, type Graph, type Stage, type StorageDType } from "@quantpass/ir";
import { z } from "zod";
import { definePass } from "../pass.js";
import { qparams } from "../quant/params.js";
import { insertWeightFakeQuants, WeightOptions } from "../quant/weights.js";
import { LayerPolicyOptions, selectNodes } from "./policy.js";

export const FakeQuantOptions = z.object({
  /** Activation storage: i8 (default) or u8. */
  activation_dtype: z.enum(["i8", "u8"]).default("i8"),
  /** Symmetric activations (absmax / qmax); default false (asymmetric, with a zero point). */
  symmetric: z.boolean().default(false),
  ...WeightOptions,
  ...LayerPolicyOptions,
});

/** fake_quant attributes for a calibrated observe node. */
export function activationQuantAttrs(node: { name: string; attrs: Attrs }, storage: StorageDType, symmetric: boolean): Attrs {
  const min = (node.attrs.min ?? []) as readonly number[];
  const max = (node.attrs.max ?? []) as readonly number[];
  if (!min.length || min.length !== max.length)
    throw new UserError(`observer '${node.name}' has no calibrated range (run calibrate before fake-quant)`, node.name);
  const scale: number[] = [];
  const zp: number[] = [];
  min.forEach((lo, k) => {
    const p = qparams(lo, max[k]!, storage, symmetric, `observer '${node.name}'`);
    scale.push(p.scale);
    if (p.zeroPoint !== null) zp.push(p.zeroPoint);
  });
  const attrs: Record<string, Attrs[string]> = { storage, scale };
  if (zp.length) attrs.zero_point = zp;
  if (node.attrs.per_channel === 1) attrs.axis = node.attrs.axis as number;
  return attrs;
}

export const fakeQuant = definePass({
  name: "fake-quant",
  summary: "turn calibrated observers into fake_quant and fake-quantize the weights of quantizable nodes",
  options: FakeQuantOptions,
  requires: ["calibrated"],
  ensures: "fake-quant",
  run(g: Graph, o, ctx) {
    const chosen = selectNodes(g, o);
    return edit(g, (e) => {
      let acts = 0;
      e.draft.nodes.forEach((n, k) => {
        if (n.op !== "observe") return;
        const attrs = activationQuantAttrs(g.nodes[k]!, o.activation_dtype, o.symmetric);
        n.op = "fake_quant";
        n.attrs = attrs as typeof n.attrs;
        acts++;
      });
      const weights = insertWeightFakeQuants(e, g, chosen, o);
      ctx.count("activations", acts);
      ctx.count("weights", weights);
      (e.draft as { stage: Stage }).stage = "fake-quant";
    });
  },
});
