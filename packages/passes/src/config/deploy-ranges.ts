/**
 * deploy-ranges (observed → calibrated): deploy mode's stand-in for calibrate. Every
 * observer gets the placeholder range [-1, 1] (per channel when per_channel=1), so the
 * rest of the pipeline builds the int graph's structure without data; the real parameters
 * come from a quantized checkpoint (backends' loadQuantizedCheckpoint).
 *
 *   %x.q = observe(%x) {method="minmax"}     →     %x.q = observe(%x) {max=[1], method="minmax", min=[-1]}
 */
import { edit, UserError, type Stage } from "@quantpass/ir";
import { z } from "zod";
import { definePass } from "../pass.js";

export const deployRanges = definePass({
  name: "deploy-ranges",
  summary: "give every observer a placeholder range (deploy mode: parameters come from a checkpoint)",
  options: z.object({}),
  requires: ["observed"],
  ensures: "calibrated",
  run(g, _o, ctx) {
    return edit(g, (e) => {
      let n = 0;
      for (const node of g.nodes) {
        if (node.op !== "observe") continue;
        let count = 1;
        if (node.attrs.per_channel === 1) {
          const d = g.values[node.inputs[0]!]!.shape[node.attrs.axis as number];
          if (typeof d !== "number") throw new UserError(`observer '${node.name}': per-channel axis ${String(node.attrs.axis)} has no static size (${String(d)})`, node.name);
          count = d;
        }
        e.setAttrs(node.name, { ...node.attrs, min: new Array<number>(count).fill(-1), max: new Array<number>(count).fill(1) });
        n++;
      }
      ctx.count("observers", n);
      (e.draft as { stage: Stage }).stage = "calibrated";
    });
  },
});
