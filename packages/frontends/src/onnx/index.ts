export { lowerOnnx, type LowerOptions } from "./lower.js";
export { loadOnnx } from "./load.js";
export { UnsupportedOpsetError, MIN_OPSET, MAX_OPSET } from "./errors.js";
export { OPSET_RULES } from "./opset/index.js";
export type { OnnxNode, OpsetRule, NormContext } from "./opset/index.js";
