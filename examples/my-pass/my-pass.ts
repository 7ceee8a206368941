/**
 * zero-small-weights (float → float): magnitude pruning. Every weight of a Conv, Gemm or
 * MatMul whose magnitude is below `threshold` becomes exactly 0, so the weight compresses
 * better and sparse kernels can skip it; run it before quantization
 * (`zero-small-weights{threshold=0.01},rtn,fold-to-int`). Zero stays exactly representable
 * after symmetric quantization, so pruned weights stay pruned.
 *
 *   const %w : f32[2,2] = dense<[0.5, 0.004, -0.3, -0.009]>     →     const %w.pruned : f32[2,2] = dense<[0.5, 0.0, -0.3, 0.0]>
 *   %y = MatMul(%x, %w)                                               %y = MatMul(%x, %w.pruned)
 *
 * Options: threshold (default 0.01; 0 changes nothing), ops (default Conv, Gemm, MatMul).
 * Only constant f32 weights (input 1) are touched; biases are not. A weight read by other
 * nodes too keeps its old value for them. Idempotent.
 *
 * Error bound (tested with the testing kit): for one layer y = x·W, each output changes by at
 * most threshold · Σ_k |x_k| (every zeroed weight moved by less than threshold).
 */
import { edit, Tensor, type Graph } from "@quantpass/ir";
import { definePass } from "@quantpass/passes";
import { z } from "zod";

export const ZeroSmallWeightsOptions = z.object({
  /** Weights with |w| < threshold become 0; default 0.01. */
  threshold: z.number().min(0).default(0.01),
  /** Ops whose weight (input 1) is pruned; default Conv, Gemm, MatMul. */
  ops: z.preprocess((v) => (typeof v === "string" ? [v] : v), z.array(z.string())).default(["Conv", "Gemm", "MatMul"]),
});

/** The pruned copy of w, or undefined when no element is below the threshold. */
function prune(w: Tensor, threshold: number): { tensor: Tensor; zeroed: number } | undefined {
  const src = w.data as Float32Array;
  let zeroed = 0;
  for (const v of src) if (v !== 0 && Math.abs(v) < threshold) zeroed++;
  if (!zeroed) return undefined;
  const out = Float32Array.from(src, (v) => (Math.abs(v) < threshold ? 0 : v));
  return { tensor: new Tensor("f32", w.shape, out), zeroed };
}

export const zeroSmallWeights = definePass({
  name: "zero-small-weights",
  summary: "magnitude pruning: set weights with |w| < threshold to zero",
  options: ZeroSmallWeightsOptions,
  requires: ["float"],
  idempotent: true,
  run(g: Graph, o, ctx) {
    const pruned = new Map<string, Tensor>(); // weight → pruned copy
    let zeroed = 0;
    let total = 0;
    for (const n of g.nodes) {
      const w = n.inputs[1];
      const t = w ? g.constants[w] : undefined;
      if (!o.ops.includes(n.op) || !w || !t || t.dtype !== "f32" || pruned.has(w)) continue;
      total += t.size;
      const p = prune(t, o.threshold);
      if (p) {
        pruned.set(w, p.tensor);
        zeroed += p.zeroed;
      }
    }
    ctx.count("weights zeroed", zeroed);
    ctx.count("weights seen", total);
    if (!pruned.size) return g; // unchanged: the same object
    return edit(g, (e) => {
      const names = new Map<string, string>();
      for (const [w, t] of pruned) names.set(w, e.addConstant(`${w}.pruned`, t, g.values[w]));
      for (const n of e.draft.nodes)
        if (o.ops.includes(n.op) && names.has(n.inputs[1] ?? "")) n.inputs = n.inputs.map((v, i) => (i === 1 ? names.get(v)! : v));
      e.pruneValues(); // drops the float weights no node reads any more
    });
  },
});
