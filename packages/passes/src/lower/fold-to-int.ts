/**
 * fold-to-int (fake-quant → int): fake_quant of a constant becomes an integer constant
 * whose type carries the QuantType; fake_quant of an activation becomes `quantize`; the
 * int-op rules (matmul-rules.ts) fuse MatMul/Gemm where they apply; every other reader
 * of an int value gets a `dequantize` (legalize.ts, as insert-dequant), which takes over
 * the old fake_quant output's name, so graph outputs keep their names.
 *
 *   %w.q = fake_quant(%w) {storage="i8", ...}      →     const %w.int : i8[4,3]!quant<f32, per-axis(1), ...>
 *   %x.q = fake_quant(%x) {storage="i8", ...}            %x.q.int = quantize(%x) {storage="i8", ...}
 *   %y = MatMul(%x.q, %w.q)                              %y = quant_matmul(%x.q.int, %w.int)
 *   %z = Conv(%x.q, %k.q)                                %x.q = dequantize(%x.q.int)
 *                                                        %k.q = dequantize(%k.int)
 *                                                        %z = Conv(%x.q, %k.q)
 *
 * Dead nodes and the float weights no longer read are dropped. A weight-only graph gives
 * the same outputs as its fake-quant graph bit for bit; so does every node left in
 * dequantize form; quant_matmul accumulates in int32 and is within its rounding of it.
 * Option `fuse` (default true): apply the int-op rules; false keeps the QDQ form.
 */
import { edit, inferNode, type Graph, type Stage } from "@quantpass/ir";
import { z } from "zod";
import { removeDeadCode } from "../cleanup/dead.js";
import { definePass } from "../pass.js";
import { quantizeConstant } from "../quant/int-tensor.js";
import { applyRules } from "../rewrite/driver.js";
import { insertDequantize } from "./legalize.js";
import { FOLD_TO_INT_RULES } from "./matmul-rules.js";

export const FoldToIntOptions = z.object({
  /** Apply the integer-op rules (quant_matmul, weight_quant_matmul); default true. */
  fuse: z.boolean().default(true),
});

export const foldToInt = definePass({
  name: "fold-to-int",
  summary: "lower fake_quant to integer constants, quantize and fused integer ops",
  options: FoldToIntOptions,
  requires: ["fake-quant"],
  ensures: "int",
  run(g: Graph, o, ctx) {
    const typeOf = (v: string) => g.values[v];
    const constOf = (v: string) => g.constants[v];
    return edit(g, (e) => {
      const names = new Map<string, string>();
      let weights = 0;
      let acts = 0;
      for (const f of g.nodes) {
        if (f.op !== "fake_quant") continue;
        const [x] = f.inputs;
        const y = f.outputs[0]!;
        const qt = inferNode({ ...f, op: "quantize" }, typeOf, constOf)[0]!;
        let q: string;
        if (x! in g.constants) {
          q = e.addConstant(`${x}.int`, quantizeConstant(g.constants[x!]!, qt.quant!), qt);
          e.removeNode(f.name);
          weights++;
        } else {
          q = e.freshValue(`${y}.int`);
          e.setType(q, qt);
          const n = e.draft.nodes[e.indexOf(f.name)]!;
          n.op = "quantize";
          n.outputs = [q];
          acts++;
        }
        e.replaceAllUses(y, q);
        names.set(q, y);
      }
      (e.draft as { stage: Stage }).stage = "int";
      if (o.fuse) applyRules(e, FOLD_TO_INT_RULES, ctx.count);
      insertDequantize(e, { outputs: true, names });
      removeDeadCode(e);
      ctx.count("int weights", weights);
      ctx.count("quantize", acts);
    });
  },
});
