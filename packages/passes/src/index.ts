export * from "./pass.js";
export * from "./pipeline-text.js";
export * from "./pass-manager.js";
