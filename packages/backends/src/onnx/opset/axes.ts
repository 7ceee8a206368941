/**
 * Inputs that were attributes in older opsets (the inverse of the frontend's normalisation):
 *   ReduceMean(x, const axes)   →  ReduceMean(x){axes}            (target < 18; ReduceSum < 13)
 *   Squeeze/Unsqueeze(x, axes)  →  Squeeze(x){axes}               (target < 13)
 *   Split(x, split)             →  Split(x){split}                (target < 13)
 *   Split(x){num_outputs}       →  Split(x) or Split(x, sizes)    (target < 18)
 */
import { i64 } from "./tensors.js";
import { cannotExport, constInput, trim, withoutAttrs, type ExportContext, type ExportNode, type ExportRule } from "./rule.js";

export const REDUCE_OPS_18 = [
  "ReduceMean", "ReduceMax", "ReduceMin", "ReduceProd", "ReduceL1", "ReduceL2",
  "ReduceLogSum", "ReduceLogSumExp", "ReduceSumSquare",
];

function axesToAttr(node: ExportNode, ctx: ExportContext): ExportNode[] {
  const noop = node.attrs.noop_with_empty_axes;
  const axes = node.inputs[1] ? constInput(node, ctx, 1, "axes") : [];
  const n = withoutAttrs(node, "noop_with_empty_axes");
  if (axes.length === 0) {
    // Empty axes with noop_with_empty_axes=1 is the identity.
    if (noop === 1) return [{ name: node.name, op: "Identity", inputs: [node.inputs[0]!], outputs: [...node.outputs], attrs: {} }];
    return [{ ...n, inputs: [node.inputs[0]!] }];
  }
  return [{ ...n, inputs: [node.inputs[0]!], attrs: { ...n.attrs, axes } }];
}

function inputToAttr(name: string, index: number) {
  return (node: ExportNode, ctx: ExportContext): ExportNode[] => {
    if (!node.inputs[index]) return [node];
    const v = constInput(node, ctx, index, name);
    const inputs = [...node.inputs];
    inputs[index] = "";
    return [{ ...node, inputs: trim(inputs), attrs: { ...node.attrs, [name]: v } }];
  };
}

/** Opset-18 num_outputs → explicit sizes (older Split only splits equally without them). */
function splitNumOutputs(node: ExportNode, ctx: ExportContext): ExportNode[] {
  const n = withoutAttrs(node, "num_outputs");
  const k = node.attrs.num_outputs;
  if (node.inputs[1] || typeof k !== "number") return [n];
  const t = ctx.typeOf(node.inputs[0]!);
  const axisAttr = typeof node.attrs.axis === "number" ? node.attrs.axis : 0;
  const rank = t?.shape.length ?? 0;
  const dim = t?.shape[axisAttr < 0 ? axisAttr + rank : axisAttr];
  if (typeof dim !== "number") {
    if (node.outputs.length !== k) cannotExport(node, ctx, "num_outputs differs from the number of outputs");
    return [n]; // equal split by output count (the dim must be divisible at run time)
  }
  if (dim % k === 0) return [n];
  const chunk = Math.ceil(dim / k);
  const sizes = Array.from({ length: k }, (_, i) => Math.max(0, Math.min(chunk, dim - i * chunk)));
  return [{ ...n, inputs: [node.inputs[0]!, ctx.constant(`${node.name}_split`, i64(sizes))] }];
}

export const AXES_RULES: readonly ExportRule[] = [
  { ops: REDUCE_OPS_18, below: 18, doc: "axes input → attribute", apply: axesToAttr },
  { ops: ["ReduceSum"], below: 13, doc: "axes input → attribute", apply: axesToAttr },
  { ops: ["Split"], below: 18, doc: "num_outputs → equal split or explicit sizes", apply: splitNumOutputs },
  { ops: ["Squeeze", "Unsqueeze"], below: 13, doc: "axes input → attribute", apply: inputToAttr("axes", 1) },
  { ops: ["Split"], below: 13, doc: "split input → attribute", apply: inputToAttr("split", 1) },
];
