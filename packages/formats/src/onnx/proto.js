// onnx-proto's static protobufjs classes (onnx.proto v1.10). The package is CommonJS with
// `module.exports = $root`, so Node ESM only sees a default export; this shim re-exports its
// `onnx` namespace. Types come from proto.d.ts beside it. Enum values newer than v1.10
// (INT4 = 22, UINT4 = 21, ...) decode as plain numbers.
import onnxProto from "onnx-proto";

export const onnx = onnxProto.onnx;
