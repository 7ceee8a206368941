/**
 * Upsample and old Resize forms → the newest Resize(X, roi, scales, sizes):
 *   Upsample(x, scales){mode}    (opset 9)        →  Resize(x, "", scales){mode, asymmetric, floor}
 *   Resize(x, scales){mode}      (opset 10)       →  same
 *   Resize(x, roi, scales, sizes) (opset 11, 12)  →  empty constant roi/scales become omitted inputs
 */
import { newNode, unsupported, withAttrs, type NormContext, type OnnxNode, type OpsetRule } from "./rule.js";

function mode(node: OnnxNode, ctx: NormContext): string {
  const m = node.attrs.get("mode") ?? "nearest";
  if (m === "nearest" || m === "linear") return m;
  if (m === "bilinear") return "linear";
  return unsupported(ctx, node, `mode '${String(m)}' is not supported`);
}

/** Upsample-9 / Resize-10 semantics: asymmetric coordinates, nearest rounds down. */
function upsampleToResize(node: OnnxNode, ctx: NormContext): OnnxNode[] {
  if (node.inputs.length < 2 || !node.inputs[1]) return unsupported(ctx, node, "needs a scales input");
  const m = mode(node, ctx);
  const attrs: Record<string, string> = { mode: m, coordinate_transformation_mode: "asymmetric" };
  if (m === "nearest") attrs.nearest_mode = "floor";
  return [newNode(node.name, "Resize", [node.inputs[0]!, "", node.inputs[1]!], [...node.outputs], attrs)];
}

const isEmptyConstant = (ctx: NormContext, v: string | undefined) => !!v && ctx.constantOf(v)?.size === 0;

export const RESIZE_RULES: readonly OpsetRule[] = [
  { ops: ["Upsample"], below: 10, doc: "Upsample → Resize (asymmetric, floor)", apply: upsampleToResize },
  { ops: ["Resize"], below: 11, doc: "Resize-10 → Resize (asymmetric, floor)", apply: upsampleToResize },
  {
    ops: ["Resize"],
    below: 13,
    doc: "Resize-11: empty roi/scales constants → omitted inputs; tf_half_pixel_for_nn rejected",
    apply(node, ctx) {
      if (node.attrs.get("coordinate_transformation_mode") === "tf_half_pixel_for_nn")
        return unsupported(ctx, node, "coordinate_transformation_mode 'tf_half_pixel_for_nn' (removed in opset 13) is not supported");
      const inputs = [...node.inputs];
      if (isEmptyConstant(ctx, inputs[1])) inputs[1] = "";
      if (isEmptyConstant(ctx, inputs[2]) && inputs[3]) inputs[2] = "";
      while (inputs.length && inputs[inputs.length - 1] === "") inputs.pop();
      return [{ ...withAttrs(node, {}), inputs }];
    },
  },
];
