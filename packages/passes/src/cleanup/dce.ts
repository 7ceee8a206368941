/**
 * dce (any stage): removes nodes whose outputs reach no graph output, then values and
 * constants nothing refers to. Returns the same graph when there is nothing to remove.
 *
 *   %a = Add(%x, %x)                     →     %b = Mul(%x, %x)
 *   %b = Mul(%x, %x)                           output %b
 *   output %b
 */
import { edit } from "@quantpass/ir";
import { z } from "zod";
import { definePass } from "../pass.js";
import { hasDeadCode, removeDeadCode } from "./dead.js";

export const dce = definePass({
  name: "dce",
  summary: "remove dead nodes, values and constants",
  options: z.object({}),
  idempotent: true,
  run(g, _o, ctx) {
    if (!hasDeadCode(g)) return g;
    return edit(g, (e) => ctx.count("nodes removed", removeDeadCode(e)));
  },
});
