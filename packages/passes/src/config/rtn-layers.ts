/**
 * rtn-layers (fake-quant → fake-quant): round-to-nearest weight fake_quant for the chosen
 * nodes of a graph already at stage fake-quant, whose weights are still float constants.
 * compilePtq uses it for a layer policy with its own weight settings, after fake-quant or
 * rtn has quantized the other layers (a weight already behind a fake_quant is not a float
 * constant input any more, so it is never quantized twice).
 *
 *   %w2.q = fake_quant(%w2) {...}                    %w2.q = fake_quant(%w2) {...}
 *   %h = MatMul(%x, %w2.q)                      →    %h = MatMul(%x, %w2.q)
 *   %y = MatMul(%h, %head) #lm_head                  %head.q = fake_quant(%head) {axis=1, scale=[...], storage="i8"}
 *                                                    %y = MatMul(%h, %head.q) #lm_head
 *
 * Options: those of rtn (weight_dtype, weight_symmetric, granularity, group_size and the
 * layer policy ops, skip, include, exclude).
 */
import { edit } from "@quantpass/ir";
import { definePass } from "../pass.js";
import { RtnOptions } from "../ptq/rtn.js";
import { selectNodes } from "../ptq/policy.js";
import { insertWeightFakeQuants } from "../quant/weights.js";

export const rtnLayers = definePass({
  name: "rtn-layers",
  summary: "round-to-nearest weight fake_quant for chosen layers of a graph already at stage fake-quant",
  options: RtnOptions,
  requires: ["fake-quant"],
  ensures: "fake-quant",
  idempotent: true,
  run(g, o, ctx) {
    const chosen = selectNodes(g, o);
    let n = 0;
    const out = edit(g, (e) => {
      n = insertWeightFakeQuants(e, g, chosen, o);
    });
    ctx.count("weights", n);
    return n ? out : g;
  },
});
