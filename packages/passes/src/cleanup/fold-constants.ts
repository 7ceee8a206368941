/**
 * fold-constants (any stage): a node whose inputs are all constants is evaluated once
 * through ctx.executor (passes cannot import the interpreter) and its outputs become
 * constants; inputs nothing else reads are dropped. Without an executor it is a UserError.
 *
 *   const %a : f32[2] = dense<[1.0, 2.0]>          →     const %c : f32[2] = dense<[2.0, 4.0]>
 *   %c = Add(%a, %a)                                     %y = Mul(%x, %c)
 *   %y = Mul(%x, %c)
 *
 * Never folded: quantization ops (they carry the quantization decisions: fake_quant of a
 * weight must stay for fold-to-int), random ops, nodes with no inputs or with subgraphs,
 * and nodes whose output would exceed `max_elements` (default 16,777,216).
 */
import { edit, isGraph, numel, UserError, isStaticShape, type Graph, type Node, type Tensor, type TensorType } from "@quantpass/ir";
import { z } from "zod";
import { definePass } from "../pass.js";

export const FoldConstantsOptions = z.object({
  /** Skip nodes whose (known) output size exceeds this many elements; default 2^24. */
  max_elements: z.number().int().positive().default(2 ** 24),
});

const NEVER = new Set(["observe", "fake_quant", "quantize", "dequantize", "dynamic_quant", "quant_matmul", "weight_quant_matmul", "kv_quant", "kv_dequant", "QuantizeLinear", "DequantizeLinear", "DynamicQuantizeLinear", "RandomNormal", "RandomUniform", "RandomNormalLike", "RandomUniformLike", "Multinomial", "Bernoulli", "Dropout"]);

function foldable(n: Node, isConst: (v: string) => boolean, type: (v: string) => TensorType | undefined, max: number): boolean {
  if (NEVER.has(n.op) || Object.values(n.attrs).some(isGraph)) return false;
  const ins = n.inputs.filter((i) => i);
  if (!ins.length || !ins.every(isConst)) return false;
  return n.outputs.every((o) => {
    const t = o ? type(o) : undefined;
    return !t || !isStaticShape(t.shape) || numel(t.shape) <= max;
  });
}

export const foldConstants = definePass({
  name: "fold-constants",
  summary: "evaluate nodes whose inputs are all constants and replace them by constants",
  options: FoldConstantsOptions,
  idempotent: true,
  async run(g: Graph, o, ctx) {
    const executor = ctx.executor;
    if (!executor) throw new UserError("fold-constants needs an executor to evaluate constant nodes (none was given)");
    const folded = new Map<string, Tensor>();
    const isConst = (v: string) => v in g.constants || folded.has(v);
    const removed = new Set<string>();
    for (const n of g.nodes) {
      if (!foldable(n, isConst, (v) => g.values[v], o.max_elements)) continue;
      const constants: Record<string, Tensor> = {};
      const values: Record<string, TensorType> = {};
      for (const i of n.inputs) if (i) { constants[i] = g.constants[i] ?? folded.get(i)!; values[i] = g.values[i]!; }
      const outs = n.outputs.filter((x) => x);
      for (const x of outs) values[x] = g.values[x]!;
      const sub: Graph = { name: `fold:${n.name}`, stage: g.stage, inputs: [], outputs: outs, values, constants, nodes: [n], meta: {} };
      let r: Record<string, Tensor>;
      try {
        r = await executor.run(sub, {});
      } catch (e) {
        throw new UserError(`fold-constants: evaluating node '${n.name}' (${n.op}) failed: ${(e as Error).message}`, n.name);
      }
      for (const x of outs) folded.set(x, r[x]!);
      removed.add(n.name);
    }
    if (!removed.size) return g;
    ctx.count("nodes folded", removed.size);
    return edit(g, (e) => {
      e.draft.nodes = e.draft.nodes.filter((n) => !removed.has(n.name));
      for (const [v, t] of folded) {
        (e.draft.constants as Record<string, Tensor>)[v] = t;
        const old = g.values[v];
        e.setType(v, old?.quant ? { dtype: t.dtype, shape: t.shape, quant: old.quant } : { dtype: t.dtype, shape: t.shape });
      }
      e.pruneValues();
    });
  },
});
