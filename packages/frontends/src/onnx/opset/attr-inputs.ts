/**
 * Integer attributes that became i64 inputs:
 *   ReduceMean(x){axes=[1]}   (opset < 18)  →  ReduceMean(x, const [1])
 *   ReduceSum(x){axes}        (opset < 13)  →  ReduceSum(x, axes)
 *   Squeeze/Unsqueeze{axes}   (opset < 13)  →  Squeeze(x, axes)
 *   Split{split}              (opset < 13)  →  Split(x, split)
 *   Slice{starts,ends,axes}   (opset < 10)  →  Slice(x, starts, ends, axes)
 *   TopK{k}                   (opset < 10)  →  TopK(x, [k])
 * and Split without sizes (opset < 18) gets num_outputs = number of outputs.
 */
import { i64Tensor } from "../convert.js";
import { setInput, unsupported, withAttrs, type NormContext, type OnnxNode, type OpsetRule } from "./rule.js";

export const REDUCE_OPS_18 = [
  "ReduceMean", "ReduceMax", "ReduceMin", "ReduceProd", "ReduceL1", "ReduceL2",
  "ReduceLogSum", "ReduceLogSumExp", "ReduceSumSquare",
] as const;

/** attribute → input index; `scalar` attributes become 1-element lists. */
interface Move { readonly attr: string; readonly input: number; readonly scalar?: boolean; readonly required?: boolean }

interface AttrInputEntry { readonly ops: readonly string[]; readonly below: number; readonly moves: readonly Move[] }

export const ATTR_INPUT_TABLE: readonly AttrInputEntry[] = [
  { ops: REDUCE_OPS_18, below: 18, moves: [{ attr: "axes", input: 1 }] },
  { ops: ["ReduceSum"], below: 13, moves: [{ attr: "axes", input: 1 }] },
  { ops: ["Squeeze"], below: 13, moves: [{ attr: "axes", input: 1 }] },
  { ops: ["Unsqueeze"], below: 13, moves: [{ attr: "axes", input: 1, required: true }] },
  { ops: ["Split"], below: 13, moves: [{ attr: "split", input: 1 }] },
  { ops: ["Slice"], below: 10, moves: [{ attr: "starts", input: 1, required: true }, { attr: "ends", input: 2, required: true }, { attr: "axes", input: 3 }] },
  { ops: ["TopK"], below: 10, moves: [{ attr: "k", input: 1, scalar: true, required: true }] },
];

function moveAttrs(entry: AttrInputEntry) {
  return (node: OnnxNode, ctx: NormContext): OnnxNode[] => {
    let inputs = [...node.inputs];
    const drop: Record<string, undefined> = {};
    for (const m of entry.moves) {
      const v = node.attrs.get(m.attr);
      if (v === undefined) {
        if (m.required) unsupported(ctx, node, `missing attribute '${m.attr}'`);
        continue;
      }
      const list = typeof v === "number" ? [v] : v;
      if (!Array.isArray(list) || !list.every((x) => typeof x === "number")) unsupported(ctx, node, `attribute '${m.attr}' must be ints`);
      inputs = setInput(inputs, m.input, ctx.constant(`${node.name}_${m.attr}`, i64Tensor(list as number[])));
      drop[m.attr] = undefined;
    }
    return [{ ...withAttrs(node, drop), inputs }];
  };
}

/** Opset 18 Split needs the split input or num_outputs; older forms split equally by output count. */
const splitNumOutputs: OpsetRule = {
  ops: ["Split"],
  below: 18,
  doc: "Split without a split input: num_outputs = number of outputs",
  apply: (node) => (node.inputs[1] ? [node] : [withAttrs(node, { num_outputs: node.outputs.length })]),
};

export const ATTR_INPUT_RULES: readonly OpsetRule[] = [
  ...ATTR_INPUT_TABLE.map((e): OpsetRule => ({
    ops: e.ops,
    below: e.below,
    doc: `${e.moves.map((m) => m.attr).join(", ")} attribute → input`,
    apply: moveAttrs(e),
  })),
  splitNumOutputs,
];
