/**
 * Attributes that became tensor inputs of the data's dtype (or f32):
 *   Clip{min,max}               (opset < 11)  →  Clip(x, min, max)
 *   Pad{pads,mode,value}        (opset < 11)  →  Pad(x, pads, value){mode}
 *   Dropout{ratio}              (opset < 12)  →  Dropout(x, ratio)
 */
import type { DType } from "@quantpass/ir";
import { i64Tensor, scalarTensor } from "../convert.js";
import { setInput, unsupported, withAttrs, type NormContext, type OnnxNode, type OpsetRule } from "./rule.js";

function dataDType(node: OnnxNode, ctx: NormContext): DType {
  const t = ctx.typeOf(node.inputs[0] ?? "");
  if (!t) return unsupported(ctx, node, "input 0 has no known type");
  return t.dtype;
}

function num(node: OnnxNode, ctx: NormContext, attr: string): number | undefined {
  const v = node.attrs.get(attr);
  if (v === undefined) return undefined;
  if (typeof v !== "number") return unsupported(ctx, node, `attribute '${attr}' must be a number`);
  return v;
}

const clip: OpsetRule = {
  ops: ["Clip"],
  below: 11,
  doc: "min/max attributes → inputs",
  apply(node, ctx) {
    const dt = dataDType(node, ctx);
    let inputs = [node.inputs[0]!];
    const min = num(node, ctx, "min");
    const max = num(node, ctx, "max");
    if (min !== undefined) inputs = setInput(inputs, 1, ctx.constant(`${node.name}_min`, scalarTensor(dt, min)));
    if (max !== undefined) inputs = setInput(inputs, 2, ctx.constant(`${node.name}_max`, scalarTensor(dt, max)));
    return [{ ...withAttrs(node, { min: undefined, max: undefined }), inputs }];
  },
};

const pad: OpsetRule = {
  ops: ["Pad"],
  below: 11,
  doc: "pads/value attributes → inputs",
  apply(node, ctx) {
    const pads = node.attrs.get("pads");
    if (!Array.isArray(pads) || !pads.every((x) => typeof x === "number")) return unsupported(ctx, node, "missing attribute 'pads'");
    let inputs = [node.inputs[0]!, ctx.constant(`${node.name}_pads`, i64Tensor(pads as number[]))];
    const value = num(node, ctx, "value");
    if (value !== undefined && value !== 0) inputs = setInput(inputs, 2, ctx.constant(`${node.name}_value`, scalarTensor(dataDType(node, ctx), value)));
    return [{ ...withAttrs(node, { pads: undefined, value: undefined }), inputs }];
  },
};

const dropout: OpsetRule = {
  ops: ["Dropout"],
  below: 12,
  doc: "ratio attribute → input",
  apply(node, ctx) {
    const ratio = num(node, ctx, "ratio");
    if (ratio === undefined) return [node];
    const inputs = setInput(node.inputs, 1, ctx.constant(`${node.name}_ratio`, scalarTensor("f32", ratio)));
    return [{ ...withAttrs(node, { ratio: undefined }), inputs }];
  },
};

export const VALUE_INPUT_RULES: readonly OpsetRule[] = [clip, pad, dropout];
