export * from "./cpu/interpreter.js";
export * from "./cpu/kernel-registry.js";
export * from "./onnx/index.js";
export * from "./checkpoint/index.js";
export * from "./onnx/quant/index.js";
