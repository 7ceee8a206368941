import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { GraphBuilder, Tensor, verify, parseGraph, parseType, printGraph, printType } from "../index.js";
import { arbFloatGraph } from "../testing/index.js";

/** Structural equality that compares tensors by dtype, shape and bytes. */
function canon(g: unknown): unknown {
  return JSON.parse(
    JSON.stringify(g, (_k, v) => {
      if (v instanceof Tensor) return { dtype: v.dtype, shape: v.shape, hex: printTensorHex(v) };
      if (typeof v === "bigint") return v.toString();
      if (v instanceof Float32Array || v instanceof Int32Array) return Array.from(v, (x) => (Number.isNaN(x) ? "nan" : Object.is(x, -0) ? "-0" : x));
      if (typeof v === "number" && !Number.isFinite(v)) return String(v);
      return v;
    }),
  );
}
function printTensorHex(t: Tensor): string {
  if (t.dtype === "string") return JSON.stringify(t.data);
  const d = t.data as Uint8Array;
  return Buffer.from(new Uint8Array(d.buffer, d.byteOffset, t.byteLength)).toString("hex");
}

describe("text IR", () => {
  it("print(parse(t)) === t and parse(print(g)) equals g on generated graphs", () => {
    fc.assert(
      fc.property(arbFloatGraph(), (g) => {
        const t = printGraph(g);
        const g2 = parseGraph(t);
        expect(printGraph(g2)).toBe(t);
        expect(canon(g2)).toEqual(canon(g));
        verify(g2);
      }),
      { numRuns: 300 },
    );
  });

  it("prints a readable, stable form", () => {
    const b = new GraphBuilder("main");
    const x = b.input("x", "f32", ["b", 4]);
    const w = b.constant("w", Tensor.f32([4], [1, 2.5, -0, NaN]));
    b.output(b.op1("Add", [x, w], {}, { name: "add0", outputs: ["y"] }));
    b.setMeta("opset.ai.onnx", "13");
    expect(printGraph(b.build())).toBe(
      [
        "graph @main stage=float {",
        '  meta {"opset.ai.onnx"="13"}',
        "  input %x : f32[b,4]",
        "  const %w : f32[4] = dense<0x0000803f00002040000000800000c07f>",
        "  %y : f32[b,4] = Add(%x, %w) #add0",
        "  output %y",
        "}",
        "",
      ].join("\n"),
    );
  });

  it("round-trips quantized types exactly", () => {
    const s = "i8[4,?,n]!quant<f32, per-axis(0), scale=[0.1, 0.2, 1e-7, 3], zp=[0, -1, 2, 127]>";
    expect(printType(parseType(s))).toBe(s);
    const g = "u4[8]!quant<bf16, per-group(0,4), scale=[0.5, 0.25]>";
    expect(printType(parseType(g))).toBe(g);
  });

  it("reads decimal lists of packed int4 and half tensors by value", () => {
    const g = parseGraph(
      "graph @g stage=float {\n  const %a : i4[5] = dense<[-8, 7, 1, -1, 3]>\n  const %h : f16[2] = dense<[1.5, -2.0]>\n}",
    );
    expect(g.constants.a!.toNumbers()).toEqual([-8, 7, 1, -1, 3]);
    expect(g.constants.h!.toNumbers()).toEqual([1.5, -2]);
  });

  it("reports bad text with file, line and column", () => {
    expect(() => parseGraph("graph @g stage=float {\n  input %x : f33[1]\n}", "m.qir")).toThrow("m.qir:2:14: unknown dtype 'f33'");
    expect(() => parseGraph("graph @g stage=float {\n  %y : f32[1] = Nope(%x) #n\n}", "m.qir")).toThrow(/m.qir:2:17: unknown op 'Nope'/);
    expect(() => parseGraph("graph @g stage=float {", "m.qir")).toThrow(/m.qir:1:23/);
  });
});
