export * from "./onnx/index.js";
