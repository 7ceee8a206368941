/** quantize's defaults and format names, kept free of heavy imports (commander help loads only this). */
export const DEFAULT_CALIB_BATCH = 32;
export const DEFAULT_FMNIST_CALIB = 1000;
export const DEFAULT_EVAL_SAMPLES = 10000;

export type OutputFormat = "onnx-qdq" | "onnx-qop" | "onnx-nbits" | "safetensors" | "qir";
export const OUTPUT_FORMATS: readonly OutputFormat[] = ["onnx-qdq", "onnx-qop", "onnx-nbits", "safetensors", "qir"];
