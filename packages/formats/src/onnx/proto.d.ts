// Types for proto.js: the `onnx` namespace of onnx-proto, usable as value and as types
// (onnx.ModelProto.decode, onnx.IModelProto, ...).
export { onnx } from "onnx-proto";
