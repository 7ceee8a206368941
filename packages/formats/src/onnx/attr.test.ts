import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { FormatError } from "../errors.js";
import { testdata } from "../testdata.js";
import { attrType, attrValue, makeAttr, type AttrInput, type AttrKind } from "./attr.js";
import { readOnnxFile } from "./decode.js";
import { onnx } from "./proto.js";

const A = onnx.AttributeProto.AttributeType;
const viaBytes = (a: onnx.IAttributeProto) => onnx.AttributeProto.decode(onnx.AttributeProto.encode(a).finish());
const roundTrip = (v: AttrInput, kind?: AttrKind) => attrValue(viaBytes(makeAttr("a", v, kind)));

describe("attrValue", () => {
  it("reads the fmnist-cnn Conv and MaxPool attributes", async () => {
    const m = await readOnnxFile(testdata("fmnist-cnn/model.onnx"));
    const conv = m.graph!.node!.find((n) => n.opType === "Conv")!;
    const attrs = Object.fromEntries(conv.attribute!.map((a) => [a.name, attrValue(a)]));
    expect(attrs).toEqual({ dilations: [1, 1], group: 1, kernel_shape: [3, 3], pads: [1, 1, 1, 1], strides: [1, 1] });
  });

  it("round-trips every kind through protobuf bytes", () => {
    expect(roundTrip(1.5)).toBe(1.5);
    expect(roundTrip(-3)).toBe(-3);
    expect(roundTrip(2, "float")).toBe(2);
    expect(roundTrip("héllo")).toBe("héllo");
    expect(roundTrip([1, -2, 2 ** 40])).toEqual([1, -2, 2 ** 40]);
    expect(roundTrip([0.5, 1])).toEqual([0.5, 1]);
    expect(roundTrip(["a", "ü"])).toEqual(["a", "ü"]);
    expect(roundTrip([], "floats")).toEqual([]);
    expect(roundTrip({ dtype: "i64", dims: [2], data: new BigInt64Array([1n, -1n]) })).toEqual({ dtype: "i64", dims: [2], data: new BigInt64Array([1n, -1n]) });
    expect(roundTrip([{ dtype: "f32", dims: [], data: new Float32Array([2]) }])).toEqual([{ dtype: "f32", dims: [], data: new Float32Array([2]) }]);
    const g = roundTrip({ name: "body", node: [{ opType: "Relu", input: ["x"], output: ["y"] }] }) as onnx.IGraphProto;
    expect(g.name).toBe("body");
    expect(g.node![0].opType).toBe("Relu");
    expect((roundTrip([{ name: "g1" }, { name: "g2" }], "graphs") as onnx.IGraphProto[]).map((x) => x.name)).toEqual(["g1", "g2"]);
  });

  it("round-trips integer and float lists (property)", () => {
    fc.assert(fc.property(fc.array(fc.maxSafeInteger()), (xs) => { expect(roundTrip(xs, "ints")).toEqual(xs); }));
    fc.assert(fc.property(fc.array(fc.float({ noNaN: true })), (xs) => { expect(roundTrip(xs, "floats")).toEqual(xs); }));
  });

  it("converts int64 Longs to numbers and saturates at the int64 range", () => {
    expect(roundTrip(9223372036854775807n)).toBe(2 ** 63);
    expect(roundTrip(2 ** 63)).toBe(2 ** 63);
    expect(roundTrip(-(2 ** 70))).toBe(-(2 ** 63));
    const a = viaBytes(makeAttr("ends", [2 ** 64], "ints"));
    expect(a.ints![0]).toMatchObject({ low: -1, high: 0x7fffffff });
  });

  it("infers the type of old attributes without one", () => {
    expect(attrType({ name: "x", i: 3 })).toBe(A.INT);
    expect(attrValue({ name: "x", ints: [1, 2] })).toEqual([1, 2]);
    expect(attrValue({ name: "x", s: new TextEncoder().encode("same") })).toBe("same");
    expect(attrValue({ name: "x", f: 0.25 })).toBe(0.25);
  });

  it("throws FormatError for missing values and unknown types", () => {
    expect(() => attrValue({ name: "t", type: A.TENSOR }, "m.onnx")).toThrow(new FormatError("attribute 't': missing tensor", "m.onnx"));
    expect(() => attrValue({ name: "u", type: 99 as onnx.AttributeProto.AttributeType })).toThrow(/unknown attribute type 99/);
    expect(() => attrValue({ name: "n" })).toThrow(/has no type and no value/);
    expect(() => attrValue({ name: "t", type: A.TENSOR, t: { dataType: 1, dims: [2] } })).toThrow(/raw_data has 0 bytes/);
  });
});
