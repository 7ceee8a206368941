/**
 * insert-dequant (int → int, idempotent): legalisation. Every quantized value read by an
 * op that computes in float gets a `dequantize` in front (lower/legalize.ts); with
 * `unfuse=true` the fused int matmuls become dequantize → MatMul (→ Add bias) first:
 *
 *   %y = weight_quant_matmul(%x, %wq, %b)     →     %wq.dq = dequantize(%wq)
 *                                                   %y.mm = MatMul(%x, %wq.dq)
 *                                                   %y = Add(%y.mm, %b)
 *
 * quant_matmul unfuses the same way (its per-token activation through Cast and Mul by
 * x_scale). Graph outputs may stay integer. A legal graph comes back unchanged.
 */
import { edit, type Graph, type GraphEditor } from "@quantpass/ir";
import { z } from "zod";
import { definePass } from "../pass.js";
import { insertDequantize, planDequantize } from "./legalize.js";

export const InsertDequantOptions = z.object({
  /** Rewrite weight_quant_matmul / quant_matmul into dequantize → MatMul; default false. */
  unfuse: z.boolean().default(false),
});

const FUSED = ["weight_quant_matmul", "quant_matmul"];
const ONNX_FLOAT = 1;

/** Rewrites the fused int matmuls into MatMul (+ Add) reading int values (legalised after). */
export function unfuseMatmuls(e: GraphEditor): number {
  const g = e.draft as unknown as Graph;
  const fused = g.nodes.filter((n) => FUSED.includes(n.op)).map((n) => n.name);
  for (const name of fused) {
    let k = e.indexOf(name);
    const n = e.draft.nodes[k]!;
    const [x0, w, a, b] = n.inputs;
    const bias = n.op === "quant_matmul" ? b : a;
    const y = n.outputs[0]!;
    const yt = g.values[y]!;
    let x = x0!;
    if (n.op === "quant_matmul" && a) {
      // Per-token activation: x = f32(q) * x_scale.
      const xf = e.freshValue(`${x}.f32`);
      const xs = e.freshValue(`${x}.dq`);
      const xt = g.values[x]!;
      e.insertNode({ name: e.freshNodeName(`${name}.cast`), op: "Cast", inputs: [x], outputs: [xf], attrs: { to: ONNX_FLOAT } }, [{ dtype: "f32", shape: [...xt.shape] }], k);
      e.insertNode({ name: e.freshNodeName(`${name}.scale`), op: "Mul", inputs: [xf, a], outputs: [xs], attrs: {} }, [{ dtype: "f32", shape: [...xt.shape] }], k + 1);
      k += 2;
      x = xs;
    }
    const node = e.draft.nodes[k]!;
    node.op = "MatMul";
    node.attrs = {};
    node.inputs = [x, w!];
    if (bias) {
      const mm = e.freshValue(`${y}.mm`);
      node.outputs = [mm];
      e.setType(mm, yt);
      e.insertNode({ name: e.freshNodeName(`${name}.bias`), op: "Add", inputs: [mm, bias], outputs: [y], attrs: {} }, [yt], k + 1);
    }
  }
  return fused.length;
}

export const insertDequant = definePass({
  name: "insert-dequant",
  summary: "insert dequantize where int values reach float ops; optionally unfuse int matmuls",
  options: InsertDequantOptions,
  requires: ["int"],
  ensures: "int",
  idempotent: true,
  run(g, o, ctx) {
    const fused = o.unfuse && g.nodes.some((n) => FUSED.includes(n.op));
    if (!fused && planDequantize(g).length === 0) return g;
    return edit(g, (e) => {
      if (o.unfuse) ctx.count("unfused", unfuseMatmuls(e));
      ctx.count("dequantize", insertDequantize(e));
    });
  },
});
