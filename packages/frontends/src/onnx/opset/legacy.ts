/**
 * Ops renamed or with attributes that changed meaning:
 *   Scatter(x, i, u){axis}               (opset < 11)  →  ScatterElements(x, i, u){axis}
 *   BatchNormalization{spatial=1,...}    (opset < 14)  →  BatchNormalization (inference form only)
 *   GroupNormalization(x, s[G], b[G])    (opset < 21)  →  GroupNormalization(x, s[C], b[C]) (constant s, b)
 */
import { Tensor } from "@quantpass/ir";
import { newNode, unsupported, withAttrs, type OpsetRule } from "./rule.js";

export const LEGACY_RULES: readonly OpsetRule[] = [
  {
    ops: ["Scatter"],
    below: 11,
    doc: "Scatter → ScatterElements",
    apply: (node) => [newNode(node.name, "ScatterElements", [...node.inputs], [...node.outputs], Object.fromEntries(node.attrs))],
  },
  {
    ops: ["BatchNormalization"],
    below: 14,
    doc: "drop spatial=1, is_test, consumed_inputs; training outputs rejected",
    apply(node, ctx) {
      const spatial = node.attrs.get("spatial");
      if (spatial !== undefined && spatial !== 1) return unsupported(ctx, node, "spatial=0 (per-activation statistics) is not supported");
      if (node.attrs.get("is_test") === 0 || node.outputs.slice(1).some((o) => o))
        return unsupported(ctx, node, "training-mode BatchNormalization (extra outputs) is not supported");
      return [{ ...withAttrs(node, { spatial: undefined, is_test: undefined, consumed_inputs: undefined }), outputs: node.outputs.slice(0, 1) }];
    },
  },
  {
    ops: ["GroupNormalization"],
    below: 21,
    doc: "per-group scale/bias (opset 18) → per-channel (opset 21)",
    apply(node, ctx) {
      const groups = node.attrs.get("num_groups");
      const x = ctx.typeOf(node.inputs[0] ?? "");
      const c = x?.shape[1];
      if (typeof groups !== "number" || typeof c !== "number") return unsupported(ctx, node, "opset-18 GroupNormalization needs num_groups and a known channel count");
      const inputs = [...node.inputs];
      for (const k of [1, 2]) {
        const t = ctx.constantOf(inputs[k] ?? "");
        if (!t) return unsupported(ctx, node, "opset-18 GroupNormalization needs constant scale and bias");
        const perGroup = t.toNumbers();
        const per = c / groups;
        const vals = Array.from({ length: c }, (_, i) => perGroup[Math.floor(i / per)]!);
        inputs[k] = ctx.constant(`${node.name}_${k === 1 ? "scale" : "bias"}_c`, Tensor.fromNumbers(t.dtype, [c], vals));
      }
      return [{ ...node, inputs }];
    },
  },
];
