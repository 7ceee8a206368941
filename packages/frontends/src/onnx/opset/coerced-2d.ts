/**
 * Softmax, LogSoftmax and Hardmax before opset 13 coerce the input to 2-D at `axis` (default 1)
 * and normalise over the flattened trailing block. When axis is the last dim that is the
 * opset-13 form with axis=-1; otherwise:
 *   y = Softmax{axis=a}(x)   (opset < 13)
 *   →  f = Flatten{axis=a}(x); s = Softmax{axis=-1}(f); y = Reshape(s, Shape(x))
 */
import { isStaticShape } from "@quantpass/ir";
import { i64Tensor } from "../convert.js";
import { newNode, unsupported, withAttrs, type OnnxNode, type OpsetRule } from "./rule.js";

export const COERCED_2D_OPS = ["Softmax", "LogSoftmax", "Hardmax"] as const;

export const COERCED_2D_RULES: readonly OpsetRule[] = [
  {
    ops: COERCED_2D_OPS,
    below: 13,
    doc: "coerce-to-2D semantics → Flatten, op(axis=-1), Reshape",
    apply(node, ctx) {
      const x = node.inputs[0]!;
      const t = ctx.typeOf(x);
      if (!t) return unsupported(ctx, node, "input has no known type");
      const rank = t.shape.length;
      const a0 = node.attrs.get("axis") ?? 1;
      if (typeof a0 !== "number") return unsupported(ctx, node, "attribute 'axis' must be an int");
      const axis = a0 < 0 ? a0 + rank : a0;
      if (axis < 0 || axis > rank || (axis === rank && rank > 0)) return unsupported(ctx, node, `axis ${a0} out of range for rank ${rank}`);
      // Only the last axis (or a scalar/1-D input) needs no reshaping.
      if (axis >= rank - 1) return [withAttrs(node, { axis: -1 })];
      const flat = ctx.fresh(`${node.name}_2d`);
      const soft = ctx.fresh(`${node.name}_2d_out`);
      // A static shape becomes a constant (so the output type stays static); otherwise Shape(x).
      const shapeNodes: OnnxNode[] = [];
      let shape: string;
      if (isStaticShape(t.shape)) shape = ctx.constant(`${node.name}_shape`, i64Tensor(t.shape));
      else {
        shape = ctx.fresh(`${node.name}_shape`);
        shapeNodes.push(newNode(`${node.name}/shape`, "Shape", [x], [shape]));
      }
      return [
        newNode(`${node.name}/flatten`, "Flatten", [x], [flat], { axis }),
        newNode(node.name, node.op, [flat], [soft], { axis: -1 }),
        ...shapeNodes,
        newNode(`${node.name}/reshape`, "Reshape", [soft, shape], [node.outputs[0]!]),
      ];
    },
  },
];
