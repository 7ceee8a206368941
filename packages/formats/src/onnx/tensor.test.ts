import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { arbRawTensor, NUMERIC_TYPES, rawKey } from "../arb.js";
import { FormatError } from "../errors.js";
import { onnx } from "./proto.js";
import { onnxTensorToRaw, rawToOnnxTensor } from "./tensor.js";

const D = onnx.TensorProto.DataType;
const viaBytes = (t: onnx.ITensorProto) => onnx.TensorProto.decode(onnx.TensorProto.encode(t).finish());
const mk = (p: onnx.ITensorProto) => viaBytes(onnx.TensorProto.create({ name: "w", ...p }));

describe("rawToOnnxTensor / onnxTensorToRaw", () => {
  it("round-trip every dtype through protobuf bytes", () => {
    fc.assert(
      fc.property(arbRawTensor([...NUMERIC_TYPES, "string"]), (raw) => {
        const t = viaBytes(rawToOnnxTensor("x", raw));
        expect(t.name).toBe("x");
        expect(rawKey(onnxTensorToRaw(t))).toEqual(rawKey(raw));
      }),
      { numRuns: 400 },
    );
  });

  it("copies unaligned raw_data into aligned arrays", () => {
    const buf = new Uint8Array(9);
    new DataView(buf.buffer).setFloat32(1, 1.5, true);
    new DataView(buf.buffer).setFloat32(5, -2, true);
    const r = onnxTensorToRaw({ dataType: D.FLOAT, dims: [2], rawData: buf.subarray(1) });
    expect(r.data).toBeInstanceOf(Float32Array);
    expect(Array.from(r.data as Float32Array)).toEqual([1.5, -2]);
  });

  it("reads every typed field by the ONNX rules", () => {
    const f = (p: onnx.ITensorProto) => onnxTensorToRaw(mk(p));
    expect(f({ dataType: D.FLOAT, dims: [2], floatData: [1, 2.5] }).data).toEqual(new Float32Array([1, 2.5]));
    expect(f({ dataType: D.DOUBLE, dims: [1], doubleData: [0.1] }).data).toEqual(new Float64Array([0.1]));
    expect(f({ dataType: D.INT64, dims: [2], int64Data: [-1, 2 ** 40] }).data).toEqual(new BigInt64Array([-1n, 2n ** 40n]));
    expect(f({ dataType: D.UINT64, dims: [1], uint64Data: [2 ** 53] }).data).toEqual(new BigUint64Array([2n ** 53n]));
    expect(f({ dataType: D.UINT32, dims: [1], uint64Data: [4294967295] }).data).toEqual(new Uint32Array([4294967295]));
    expect(f({ dataType: D.INT32, dims: [2], int32Data: [-7, 7] }).data).toEqual(new Int32Array([-7, 7]));
    expect(f({ dataType: D.INT8, dims: [2], int32Data: [-128, 127] }).data).toEqual(new Int8Array([-128, 127]));
    expect(f({ dataType: D.UINT8, dims: [1], int32Data: [255] }).data).toEqual(new Uint8Array([255]));
    expect(f({ dataType: D.INT16, dims: [1], int32Data: [-300] }).data).toEqual(new Int16Array([-300]));
    expect(f({ dataType: D.UINT16, dims: [1], int32Data: [65535] }).data).toEqual(new Uint16Array([65535]));
    expect(f({ dataType: D.BOOL, dims: [2], int32Data: [1, 0] })).toEqual({ dtype: "bool", dims: [2], data: new Uint8Array([1, 0]) });
    expect(f({ dataType: D.FLOAT16, dims: [1], int32Data: [0x3c00] })).toEqual({ dtype: "f16", dims: [1], data: new Uint16Array([0x3c00]) });
    expect(f({ dataType: D.BFLOAT16, dims: [1], int32Data: [0x3f80] })).toEqual({ dtype: "bf16", dims: [1], data: new Uint16Array([0x3f80]) });
    // int4: one int32 per packed byte, element 2i in the low nibble; 3 elements → 2 bytes
    expect(f({ dataType: 22, dims: [3], int32Data: [0x21, 0x03] })).toEqual({ dtype: "i4", dims: [3], data: new Uint8Array([0x21, 0x03]) });
    expect(f({ dataType: 21, dims: [1, 2], rawData: new Uint8Array([0xf0]) })).toEqual({ dtype: "u4", dims: [1, 2], data: new Uint8Array([0xf0]) });
    expect(f({ dataType: D.STRING, dims: [2], stringData: [new TextEncoder().encode("héllo"), new Uint8Array(0)] }).data).toEqual(["héllo", ""]);
  });

  it("treats no dims as a scalar and zero-size tensors as empty", () => {
    expect(onnxTensorToRaw(mk({ dataType: D.FLOAT, floatData: [3] }))).toEqual({ dtype: "f32", dims: [], data: new Float32Array([3]) });
    expect(onnxTensorToRaw(mk({ dataType: D.INT64, dims: [0, 4] }))).toEqual({ dtype: "i64", dims: [0, 4], data: new BigInt64Array(0) });
  });

  it("rejects data that does not match dims, with one-line messages", () => {
    const bad = (p: onnx.ITensorProto, re: RegExp) => {
      let err: unknown;
      try { onnxTensorToRaw(mk(p), "m.onnx"); } catch (e) { err = e; }
      expect(err).toBeInstanceOf(FormatError);
      expect((err as Error).message).toMatch(re);
      expect((err as Error).message).not.toMatch(/\n/);
    };
    bad({ dataType: D.FLOAT, dims: [3], rawData: new Uint8Array(8) }, /^m\.onnx: tensor 'w': raw_data has 8 bytes, f32 \[3\] needs 12$/);
    bad({ dataType: D.FLOAT, dims: [3], floatData: [1, 2] }, /float_data has 2 values/);
    bad({ dataType: D.FLOAT, dims: [2] }, /raw_data has 0 bytes/);
    bad({ dataType: 22, dims: [3], int32Data: [1] }, /int32_data has 1 values, i4 \[3\] needs 2/);
    bad({ dataType: D.FLOAT, dims: [1], floatData: [1], rawData: new Uint8Array(4) }, /both raw_data and float_data/);
    bad({ dataType: D.FLOAT, dims: [-1], floatData: [] }, /negative dimension/);
    bad({ dataType: D.FLOAT, dims: [2 ** 40, 2 ** 40] }, /too many elements/);
    bad({ dataType: D.COMPLEX64, dims: [1] }, /unsupported data type 14 \(COMPLEX64\)/);
    bad({ dataType: D.STRING, dims: [2], stringData: [new Uint8Array(1)] }, /string_data has 1 entries/);
    bad({ dataType: D.FLOAT, dims: [1], dataLocation: 1, externalData: [{ key: "location", value: "x" }] }, /external data not loaded/);
  });

  it("writes raw_data (string_data for strings) and validates its input", () => {
    const t = rawToOnnxTensor("b", { dtype: "u4", dims: [3], data: new Uint8Array([0x21, 0x3]) });
    expect(t.dataType).toBe(21);
    expect(Array.from(t.rawData)).toEqual([0x21, 0x3]);
    expect(() => rawToOnnxTensor("b", { dtype: "f32", dims: [2], data: new Float32Array(3) })).toThrow(/data has 3 elements, f32 \[2\] needs 2/);
    expect(() => rawToOnnxTensor("b", { dtype: "f32", dims: [1], data: new Float64Array(1) })).toThrow(/must be a Float32Array/);
  });
});
