// Public API of @quantpass/formats: byte codecs only (ONNX, safetensors, npy), no IR.
export { FormatError } from "./errors.js";
export { ELEM_TYPES, isElemType, type ElemType, type RawTensor, type TypedArray } from "./dtype.js";
export { byteLengthOf, elemCount, rawBytes } from "./raw.js";
export { atomicWrite, atomicWriteSync } from "./atomic.js";

export { onnx } from "./onnx/proto.js";
export { decodeOnnx, readOnnxFile, type DecodeOnnxOptions } from "./onnx/decode.js";
export { encodeOnnx, writeOnnxFile, type ExternalDataOptions } from "./onnx/encode.js";
export { onnxTensorToRaw, rawToOnnxTensor, onnxDims } from "./onnx/tensor.js";
export { onnxDataTypeToElem, elemToOnnxDataType, ONNX_DATA_TYPE_NAMES } from "./onnx/datatype.js";
export { attrType, attrValue, makeAttr, type AttrValue, type AttrKind, type AttrInput } from "./onnx/attr.js";
export { longToNumber, longToBigInt, type LongLike } from "./onnx/long.js";
export { mapModelTensors, type TensorFn } from "./onnx/walk.js";

export { openSafetensors, readSafetensors, decodeSafetensors, type SafetensorsFile, type SafetensorsContents } from "./safetensors/read.js";
export { writeSafetensors, encodeSafetensors } from "./safetensors/write.js";
export { readSafetensorsIndex, openSafetensorsCheckpoint, writeSafetensorsSharded, INDEX_FILE, type SafetensorsIndex } from "./safetensors/shards.js";
export { MAX_HEADER_BYTES, type SafetensorsEntry } from "./safetensors/header.js";

export { decodeNpy, encodeNpy, readNpy, writeNpy } from "./npy.js";
