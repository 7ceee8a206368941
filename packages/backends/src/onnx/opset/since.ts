/**
 * Ops and attributes newer than the target opset. A newer op cannot be written; a newer
 * attribute is dropped when it has its default (the older op behaves that way), else fails.
 */
import { cannotExport, withoutAttrs, type ExportRule } from "./rule.js";

/** First ai.onnx opset of ops introduced after opset 13 (and their current definition). */
export const OP_SINCE: Readonly<Record<string, number>> = {
  HardSwish: 14, Trilu: 14,
  GridSample: 16,
  LayerNormalization: 17, DFT: 20, STFT: 17, BlackmanWindow: 17, HammingWindow: 17, HannWindow: 17, MelWeightMatrix: 17,
  Mish: 18, CenterCropPad: 18, Col2Im: 18, BitwiseAnd: 18, BitwiseOr: 18, BitwiseXor: 18, BitwiseNot: 18,
  DeformConv: 19,
  Gelu: 20, AffineGrid: 20, ImageDecoder: 20, IsInf: 10, StringConcat: 20, StringSplit: 20, RegexFullMatch: 20,
  // Opset 18 GroupNormalization takes per-group scale/bias; the IR has the opset-21 form.
  GroupNormalization: 21,
};

/** [op, attribute, opset it appeared in, value meaning "absent"]. */
export const ATTR_SINCE: readonly (readonly [string, string, number, number | string | readonly number[] | undefined])[] = [
  ["Reshape", "allowzero", 14, 0],
  ["BatchNormalization", "training_mode", 14, 0],
  ["ScatterElements", "reduction", 16, "none"],
  ["ScatterND", "reduction", 16, "none"],
  ["Resize", "antialias", 18, 0],
  ["Resize", "keep_aspect_ratio_policy", 18, "stretch"],
  ["Resize", "axes", 18, undefined],
  ["LpPool", "ceil_mode", 18, 0],
  ["LpPool", "dilations", 18, undefined],
  ["AveragePool", "dilations", 19, undefined],
  ["Cast", "saturate", 19, 1],
  ["CastLike", "saturate", 19, 1],
  ["QuantizeLinear", "saturate", 19, 1],
  ["QuantizeLinear", "block_size", 21, 0],
  ["DequantizeLinear", "block_size", 21, 0],
];

const isAllOnes = (v: unknown) => Array.isArray(v) && v.every((x) => x === 1);

function sameValue(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => x === b[i]);
  return a === b;
}

export const SINCE_RULES: readonly ExportRule[] = [
  ...Object.entries(OP_SINCE).map(([op, since]): ExportRule => ({
    ops: [op],
    below: since,
    doc: `${op} needs opset ${since}`,
    apply: (node, ctx) => cannotExport(node, ctx, `${op} needs opset ${since} or newer`),
  })),
  ...ATTR_SINCE.map(([op, attr, since, dflt]): ExportRule => ({
    ops: [op],
    below: since,
    doc: `${op}.${attr} appeared in opset ${since}`,
    apply(node, ctx) {
      const v = node.attrs[attr];
      if (v === undefined || sameValue(v, dflt) || (attr === "dilations" && isAllOnes(v))) return [withoutAttrs(node, attr)];
      return cannotExport(node, ctx, `attribute ${attr}=${String(v)} needs opset ${since} or newer`);
    },
  })),
];
