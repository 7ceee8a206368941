/** Control flow and inference-time no-ops (ONNX semantics, opset 21): If, Dropout. */
import type { Graph } from "../graph.js";
import { defineOp } from "../op-registry.js";
import type { Dim, TensorType } from "../types.js";
import { input, UNKNOWN } from "./shape-util.js";
import { manyOutputs } from "./movement-util.js";

/** The join of two branch output types: equal dims stay, differing dims become "?". */
function joinTypes(a: TensorType, b: TensorType): TensorType | string {
  if (a.dtype !== b.dtype) return `branch outputs have dtypes ${a.dtype} and ${b.dtype}`;
  // Ranks may differ in ONNX; the IR has no unknown rank, so keep the then-branch rank.
  if (a.shape.length !== b.shape.length) return { dtype: a.dtype, shape: a.shape.map(() => UNKNOWN) };
  const shape: Dim[] = a.shape.map((d, i) => (d === b.shape[i] ? d : UNKNOWN));
  return { dtype: a.dtype, shape };
}

defineOp({
  name: "If",
  doc: "run then_branch or else_branch on a bool scalar; branches may read outer-scope values",
  inputs: ["cond"],
  outputs: manyOutputs("outputs"),
  minOutputs: 1,
  attrs: {
    then_branch: { kind: "graph", required: true, doc: "graph run when cond is true (no inputs)" },
    else_branch: { kind: "graph", required: true, doc: "graph run when cond is false (no inputs)" },
  },
  infer(ctx) {
    const c = input(ctx, 0);
    if (c.dtype !== "bool") ctx.fail(`cond must be bool, got ${c.dtype}`);
    if (c.shape.some((d) => typeof d === "number" && d !== 1)) ctx.fail(`cond must hold one element, got [${c.shape.join(",")}]`);
    const then = ctx.attr<Graph>("then_branch");
    const els = ctx.attr<Graph>("else_branch");
    for (const g of [then, els]) {
      if (g.inputs.length) ctx.fail(`branch '${g.name}' must not have inputs`);
      if (g.outputs.length !== ctx.node.outputs.length)
        ctx.fail(`branch '${g.name}' has ${g.outputs.length} outputs, the node has ${ctx.node.outputs.length}`);
    }
    const typeIn = (g: Graph, v: string): TensorType => {
      const t = g.values[v] ?? ctx.scope(v);
      if (!t) return ctx.fail(`branch '${g.name}' output '%${v}' has no type`);
      return t;
    };
    return then.outputs.map((o, k) => {
      const j = joinTypes(typeIn(then, o), typeIn(els, els.outputs[k]!));
      if (typeof j === "string") return ctx.fail(`output ${k}: ${j}`);
      return j;
    });
  },
});

defineOp({
  name: "Dropout",
  doc: "identity at inference (training_mode false or ratio 0); the optional mask output is all true",
  inputs: ["data", "ratio", "training_mode"],
  minInputs: 1,
  outputs: ["output", "mask"],
  minOutputs: 1,
  attrs: { seed: { kind: "int", doc: "random seed (training mode only)" } },
  infer(ctx) {
    const x = input(ctx, 0);
    const tm = ctx.inputs[2];
    if (tm && tm.dtype !== "bool") ctx.fail(`training_mode must be bool, got ${tm.dtype}`);
    return [{ dtype: x.dtype, shape: x.shape }, { dtype: "bool", shape: x.shape }];
  },
});
