import { describe, expect, it } from "vitest";
import { ELEM_TYPES } from "../dtype.js";
import { FormatError } from "../errors.js";
import { elemToOnnxDataType, onnxDataTypeToElem } from "./datatype.js";
import { onnx } from "./proto.js";

describe("ONNX data type codes", () => {
  it("match the ONNX enum", () => {
    const D = onnx.TensorProto.DataType;
    expect([elemToOnnxDataType("f32"), elemToOnnxDataType("u8"), elemToOnnxDataType("i8")]).toEqual([D.FLOAT, D.UINT8, D.INT8]);
    expect([elemToOnnxDataType("i64"), elemToOnnxDataType("string"), elemToOnnxDataType("bool")]).toEqual([D.INT64, D.STRING, D.BOOL]);
    expect([elemToOnnxDataType("f16"), elemToOnnxDataType("f64"), elemToOnnxDataType("bf16")]).toEqual([D.FLOAT16, D.DOUBLE, D.BFLOAT16]);
    expect([elemToOnnxDataType("u4"), elemToOnnxDataType("i4")]).toEqual([21, 22]);
  });

  it("round-trip every ElemType", () => {
    for (const t of ELEM_TYPES) expect(onnxDataTypeToElem(elemToOnnxDataType(t))).toBe(t);
  });

  it("reject codes without an ElemType, naming them", () => {
    expect(() => onnxDataTypeToElem(14, "m.onnx")).toThrow(new FormatError("unsupported ONNX data type 14 (COMPLEX64)", "m.onnx"));
    expect(() => onnxDataTypeToElem(0)).toThrow(/UNDEFINED/);
    expect(() => onnxDataTypeToElem(99)).toThrow(FormatError);
  });
});
