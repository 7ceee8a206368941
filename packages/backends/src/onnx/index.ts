export { exportOnnx, exportOnnxBytes, saveOnnx, MIN_EXPORT_OPSET, MAX_EXPORT_OPSET, type ExportOptions } from "./export.js";
export { EXPORT_RULES, type ExportContext, type ExportNode, type ExportRule } from "./opset/index.js";
export { OrtExecutor, type OrtExecutorOptions } from "./ort-executor.js";
