import { describe, expect, it } from "vitest";
import { GraphBuilder, Tensor, verify, type Dim } from "../index.js";

const i64 = (v: number[]) => new Tensor("i64", [v.length], BigInt64Array.from(v.map(BigInt)));

/** Output shape of one op on an input of `shape`, with constant extra inputs. */
function infer(op: string, shape: Dim[], consts: (Tensor | undefined)[] = [], attrs = {}): readonly Dim[] {
  const b = new GraphBuilder("g");
  const x = b.input("x", "f32", shape);
  const ins = [x, ...consts.map((c, i) => (c ? b.constant(`c${i}`, c) : ""))];
  const y = b.op1(op, ins, attrs);
  b.output(y);
  verify(b.build());
  return b.typeOf(y)!.shape;
}

describe("Shape, Size, Reshape, Flatten inference", () => {
  it("Shape gives the (sliced) rank, Size a scalar", () => {
    expect(infer("Shape", ["batch", "seq", 8])).toEqual([3]);
    expect(infer("Shape", ["batch", "seq", 8], [], { start: 1, end: -1 })).toEqual([1]);
    expect(infer("Shape", [2], [], { start: 5 })).toEqual([0]);
    expect(infer("Size", ["batch", 3])).toEqual([]);
  });
  it("Reshape copies 0 dims and solves -1 by cancelling symbols", () => {
    expect(infer("Reshape", ["batch", "seq", 768], [i64([0, 0, 12, -1])])).toEqual(["batch", "seq", 12, 64]);
    expect(infer("Reshape", ["batch", "seq", 12, 64], [i64([0, -1, 768])])).toEqual(["batch", "seq", 768]);
    expect(infer("Reshape", ["batch", "seq", 768], [i64([-1, 768])])).toEqual(["?", 768]);
    expect(infer("Reshape", [2, 3, 4], [i64([4, -1])])).toEqual([4, 6]);
    expect(infer("Reshape", [0, 3], [i64([3, 0])], { allowzero: 1 })).toEqual([3, 0]);
  });
  it("Reshape rejects bad constant shapes naming the node", () => {
    expect(() => infer("Reshape", [2, 3], [i64([4, -1])])).toThrow(/reshape_0.*cannot reshape/);
    expect(() => infer("Reshape", [2, 3], [i64([-1, -1])])).toThrow(/more than one -1/);
    expect(() => infer("Reshape", [6], [i64([7])])).toThrow(/cannot reshape/);
  });
  it("a Shape -> Gather -> Concat -> Reshape chain gives ? dims of the right rank", () => {
    const b = new GraphBuilder("g");
    const x = b.input("x", "f32", ["batch", "seq", 768]);
    const s = b.op1("Shape", [x]);
    const d0 = b.op1("Gather", [s, b.constant("i0", new Tensor("i64", [1], BigInt64Array.of(0n)))]);
    const d1 = b.op1("Gather", [s, b.constant("i1", new Tensor("i64", [1], BigInt64Array.of(1n)))]);
    const shape = b.op1("Concat", [d0, d1, b.constant("h", i64([12, 64]))], { axis: 0 });
    expect(b.typeOf(shape)!.shape).toEqual([4]);
    const y = b.op1("Reshape", [x, shape]);
    expect(b.typeOf(y)!.shape).toEqual(["?", "?", "?", "?"]);
  });
  it("Flatten keeps single symbols and multiplies known dims", () => {
    expect(infer("Flatten", ["batch", 3, 4])).toEqual(["batch", 12]);
    expect(infer("Flatten", ["batch", "seq", 4], [], { axis: 2 })).toEqual(["?", 4]);
    expect(infer("Flatten", [2, 3], [], { axis: 0 })).toEqual([1, 6]);
    expect(() => infer("Flatten", [2, 3], [], { axis: 3 })).toThrow(/out of range/);
  });
});

describe("Squeeze and Unsqueeze inference", () => {
  it("squeezes given axes, or every known 1", () => {
    expect(infer("Squeeze", [1, "seq", 1], [i64([0])])).toEqual(["seq", 1]);
    expect(infer("Squeeze", [1, "seq", 1])).toEqual(["seq"]);
    expect(() => infer("Squeeze", [2, 3], [i64([0])])).toThrow(/cannot squeeze axis 0 of size 2/);
  });
  it("unsqueezes at output positions", () => {
    expect(infer("Unsqueeze", ["batch", 4], [i64([0, -1])])).toEqual([1, "batch", 4, 1]);
    expect(() => infer("Unsqueeze", [4], [i64([0, 0])])).toThrow(/repeat/);
  });
  it("non-constant axes give ? dims of the right rank", () => {
    const b = new GraphBuilder("g");
    const x = b.input("x", "f32", [1, 5]);
    const a = b.input("a", "i64", [1]);
    expect(b.typeOf(b.op1("Unsqueeze", [x, a]))!.shape).toEqual(["?", "?", "?"]);
    expect(b.typeOf(b.op1("Squeeze", [x, a]))!.shape).toEqual(["?"]);
    const u = b.input("u", "i64", ["n"]);
    expect(() => b.op1("Unsqueeze", [x, u])).toThrow(/unknown length/);
  });
});
