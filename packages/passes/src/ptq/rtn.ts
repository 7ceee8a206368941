/**
 * rtn (float → fake-quant): weight-only round-to-nearest (A16W8 / A16W4). Each chosen
 * node's constant weight gets a fake_quant from its own range; no observers or data.
 *
 *   %y = MatMul(%x, %w)          →     %w.q = fake_quant(%w) {axis=0, group_size=128, scale=[...], storage="i4"}
 *                                      %y = MatMul(%x, %w.q)
 *
 * Options: the weight options of fake-quant (weight_dtype int8 | int4, weight_symmetric,
 * granularity per-tensor | per-channel | per-group, group_size) and the layer policy.
 */
import { edit, type Stage } from "@quantpass/ir";
import { z } from "zod";
import { definePass } from "../pass.js";
import { insertWeightFakeQuants, WeightOptions } from "../quant/weights.js";
import { LayerPolicyOptions, selectNodes } from "./policy.js";

export const RtnOptions = z.object({ ...WeightOptions, ...LayerPolicyOptions });

/** One weight through rtn's arithmetic and fold-to-int's: its QuantType and integer tensor (used by `pnpm bench`). */
export { quantizeWeight } from "../quant/weights.js";

export const rtn = definePass({
  name: "rtn",
  summary: "weight-only round-to-nearest quantization (fake_quant on weights)",
  options: RtnOptions,
  requires: ["float"],
  ensures: "fake-quant",
  run(g, o, ctx) {
    const chosen = selectNodes(g, o);
    return edit(g, (e) => {
      ctx.count("weights", insertWeightFakeQuants(e, g, chosen, o));
      (e.draft as { stage: Stage }).stage = "fake-quant";
    });
  },
});
