/**
 * Newer-form inputs and attribute values that need a rewrite for an older target:
 *   Pad(x, pads, value, axes)      →  Pad(x, full-rank pads, value)     (target < 18)
 *   Pad{mode=wrap}                 →  fails                             (target < 19)
 *   Shape{start,end}(x)            →  Slice(Shape(x), start, end)       (target < 15)
 *   QuantizeLinear{output_dtype}   →  QuantizeLinear(x, s, zero zp)     (target < 21)
 *   Resize{half_pixel_symmetric}   →  fails                             (target < 19)
 */
import { DTYPES, Tensor, type DType } from "@quantpass/ir";
import { elemToOnnxDataType } from "@quantpass/formats";
import { i64 } from "./tensors.js";
import { cannotExport, constInput, withoutAttrs, type ExportRule } from "./rule.js";

const DTYPE_OF_CODE = new Map<number, DType>(DTYPES.map((d) => [elemToOnnxDataType(d), d]));

export const SPECIAL_RULES: readonly ExportRule[] = [
  {
    ops: ["Pad"],
    below: 18,
    doc: "axes input → full-rank pads",
    apply(node, ctx) {
      if (!node.inputs[3]) return [node];
      const rank = ctx.typeOf(node.inputs[0]!)?.shape.length;
      if (rank === undefined) return cannotExport(node, ctx, "input rank unknown");
      const axes = constInput(node, ctx, 3, "axes").map((a) => (a < 0 ? a + rank : a));
      const pads = constInput(node, ctx, 1, "pads");
      const full = new Array<number>(2 * rank).fill(0);
      axes.forEach((a, k) => {
        full[a] = pads[k]!;
        full[a + rank] = pads[k + axes.length]!;
      });
      const padsName = ctx.constant(`${node.name}_pads`, i64(full));
      return [{ ...node, inputs: [node.inputs[0]!, padsName, node.inputs[2] ?? ""].filter((x, k) => k < 2 || x) }];
    },
  },
  {
    ops: ["Pad"],
    below: 19,
    doc: "wrap mode needs opset 19",
    apply: (node, ctx) => (node.attrs.mode === "wrap" ? cannotExport(node, ctx, "mode 'wrap' needs opset 19") : [node]),
  },
  {
    ops: ["Shape"],
    below: 15,
    doc: "start/end → Slice of the full shape",
    apply(node, ctx) {
      const start = typeof node.attrs.start === "number" ? node.attrs.start : 0;
      const end = node.attrs.end;
      const plain = withoutAttrs(node, "start", "end");
      if (start === 0 && end === undefined) return [plain];
      const full = ctx.fresh(`${node.outputs[0]}_full`);
      const starts = ctx.constant(`${node.name}_start`, i64([start]));
      const ends = ctx.constant(`${node.name}_end`, i64([typeof end === "number" ? end : 2 ** 53]));
      return [
        { ...plain, outputs: [full] },
        { name: `${node.name}/slice`, op: "Slice", inputs: [full, starts, ends], outputs: [...node.outputs], attrs: {} },
      ];
    },
  },
  {
    ops: ["QuantizeLinear"],
    below: 21,
    doc: "output_dtype → a zero zero-point of that dtype",
    apply(node, ctx) {
      const code = node.attrs.output_dtype;
      const plain = withoutAttrs(node, "output_dtype");
      if (code === undefined || code === 0 || node.inputs[2]) return [plain];
      const dtype = DTYPE_OF_CODE.get(code as number);
      if (!dtype) return cannotExport(node, ctx, `unknown output_dtype ${String(code)}`);
      const scale = ctx.typeOf(node.inputs[1]!);
      const shape = scale?.shape.every((d) => typeof d === "number") ? (scale.shape as number[]) : undefined;
      if (!shape) return cannotExport(node, ctx, "scale shape unknown");
      const zp = ctx.constant(`${node.name}_zero_point`, Tensor.zeros(dtype, shape));
      return [{ ...plain, inputs: [node.inputs[0]!, node.inputs[1]!, zp] }];
    },
  },
  {
    ops: ["Resize"],
    below: 19,
    doc: "half_pixel_symmetric needs opset 19",
    apply: (node, ctx) =>
      node.attrs.coordinate_transformation_mode === "half_pixel_symmetric" ? cannotExport(node, ctx, "half_pixel_symmetric needs opset 19") : [node],
  },
];
