/** The opset normalisation table: every rule, in the order they apply. */
import { ATTR_INPUT_RULES } from "./attr-inputs.js";
import { COERCED_2D_RULES } from "./coerced-2d.js";
import { LEGACY_RULES } from "./legacy.js";
import { RESIZE_RULES } from "./resize.js";
import { applyRules, type NormContext, type OnnxNode, type OpsetRule } from "./rule.js";
import { VALUE_INPUT_RULES } from "./value-inputs.js";

export const OPSET_RULES: readonly OpsetRule[] = [
  ...ATTR_INPUT_RULES,
  ...VALUE_INPUT_RULES,
  ...COERCED_2D_RULES,
  ...RESIZE_RULES,
  ...LEGACY_RULES,
];

/** Converts a default-domain node from the model's opset form into the newest form. */
export function normalize(node: OnnxNode, ctx: NormContext): OnnxNode[] {
  return applyRules(OPSET_RULES, node, ctx);
}

export type { NormContext, OnnxNode, OpsetRule } from "./rule.js";
