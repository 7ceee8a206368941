/**
 * dynamic-quant (int → int, idempotent): per-token activations (A8W8 dynamic). Each chosen
 * weight_quant_matmul whose weight is 8-bit with one scale per tensor or per output channel
 * reads its f32 activation through `dynamic_quant` (symmetric int8, scale = absmax / 127 per
 * row, computed at run time) and becomes `quant_matmul` (exact int32 accumulation, then
 * acc * x_scale[row] * w_scale[n] in f32, plus the bias):
 *
 *   %y = weight_quant_matmul(%x, %w.int, %b)   →   %x.tok, %x.tok.scale = dynamic_quant(%x)
 *                                                   %y = quant_matmul(%x.tok, %w.int, %x.tok.scale, %b)
 *
 * One dynamic_quant per activation value, shared by its chosen readers, placed before the
 * first of them. Other weight_quant_matmuls (int4 or per-group weights, non-f32
 * activations) are left alone and counted as "not eligible". Runs after fold-to-int, which
 * leaves a weight-only MatMul/Gemm (rtn) as weight_quant_matmul under its own node name, so
 * the layer policy options (skip, include, exclude) match the float graph's node names.
 */
import { edit, type Graph, type Node, type TensorType } from "@quantpass/ir";
import { z } from "zod";
import { definePass } from "../pass.js";
import { LayerPolicyOptions, selectNodes } from "./policy.js";

export const DynamicQuantOptions = z.object({
  skip: LayerPolicyOptions.skip,
  include: LayerPolicyOptions.include,
  exclude: LayerPolicyOptions.exclude,
});

/** Why n cannot take a per-token activation, or undefined when it can. */
export function perTokenBlocker(g: Graph, n: Node): string | undefined {
  const x = g.values[n.inputs[0]!];
  const w = g.values[n.inputs[1]!];
  if (x?.dtype !== "f32" || x.quant) return `activation is ${x?.dtype ?? "missing"}, not f32`;
  const q = w?.quant;
  if (!q || (q.storage !== "i8" && q.storage !== "u8")) return `weight storage is ${q?.storage ?? "not quantized"}, not 8-bit`;
  const gr = q.granularity;
  if (!(gr.kind === "per-tensor" || (gr.kind === "per-axis" && gr.axis === 1))) return `weight is ${gr.kind}, not per-tensor or per output channel`;
  return undefined;
}

export const dynamicQuant = definePass({
  name: "dynamic-quant",
  summary: "per-token activations: weight_quant_matmul with an 8-bit per-channel weight → dynamic_quant → quant_matmul",
  options: DynamicQuantOptions,
  requires: ["int"],
  ensures: "int",
  idempotent: true,
  run(g, o, ctx) {
    const chosen = selectNodes(g, { ...o, ops: ["weight_quant_matmul"] });
    const ok = chosen.filter((n) => !perTokenBlocker(g, n));
    ctx.count("not eligible", chosen.length - ok.length);
    if (!ok.length) return g;
    return edit(g, (e) => {
      const tokens = new Map<string, [string, string]>();
      for (const n of ok) {
        const x = n.inputs[0]!;
        let t = tokens.get(x);
        if (!t) {
          const xt = g.values[x]!;
          t = [e.freshValue(`${x}.tok`), e.freshValue(`${x}.tok.scale`)];
          const q: TensorType = { dtype: "i8", shape: xt.shape, quant: { storage: "i8", expressed: "f32", granularity: { kind: "per-token" }, scale: null, zeroPoint: null } };
          const s: TensorType = { dtype: "f32", shape: [...xt.shape.slice(0, -1), 1] };
          e.insertNode({ name: e.freshNodeName(`${x}.tok`), op: "dynamic_quant", inputs: [x], outputs: t, attrs: {} }, [q, s], e.indexOf(n.name));
          tokens.set(x, t);
        }
        const node = e.draft.nodes[e.indexOf(n.name)]!;
        const [, w, bias] = n.inputs;
        node.op = "quant_matmul";
        node.inputs = bias ? [t[0], w!, t[1], bias] : [t[0], w!, t[1]];
        node.attrs = {};
      }
      ctx.count("per-token matmuls", ok.length);
      ctx.count("dynamic_quant", tokens.size);
    });
  },
});
