/** The export rule table, in the order rules apply (newest form → target opset form). */
import { AXES_RULES } from "./axes.js";
import type { ExportRule } from "./rule.js";
import { SINCE_RULES } from "./since.js";
import { SPECIAL_RULES } from "./special.js";

export const EXPORT_RULES: readonly ExportRule[] = [...SINCE_RULES, ...AXES_RULES, ...SPECIAL_RULES];

export { lowerNodes, type ExportContext, type ExportNode, type ExportRule } from "./rule.js";
