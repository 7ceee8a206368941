/**
 * Property: quantize → dequantize (or kv_quant → kv_dequant) of an activation, and dequantize of an integer constant, for
 * random storage (u8/i8 at opset 13, i4/u4 at 21), granularity (per tensor, per axis, per
 * group) and zero points run in onnxruntime exactly as in the interpreter: the integers and
 * the dequantized floats bit for bit (no float arithmetic precedes the quantization).
 * int4 integers are checked through their dequantized values only: onnxruntime-node 1.30
 * aborts the process (out of memory in OrtValueToNapiValue) when a graph output is int4.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { GraphBuilder, Tensor, intRange, scaleCount, type Granularity, type StorageDType } from "@quantpass/ir";
import { exportQuantizedOnnxBytes, lowerQuantized } from "./export-quant.js";
import { cpu, identical, randomTensor, runOrt } from "./test-util.js";

const SHAPE = [2, 6, 4];

const arbCase = fc.record({
  storage: fc.constantFrom<StorageDType>("u8", "i8", "i4", "u4"),
  kind: fc.constantFrom("per-tensor", "per-axis", "per-group"),
  axis: fc.integer({ min: 0, max: 2 }),
  group: fc.integer({ min: 2, max: 4 }),
  symmetric: fc.boolean(),
  kv: fc.boolean(),
  seed: fc.integer({ min: 1, max: 1 << 30 }),
});

describe("QDQ parameters", () => {
  it("round-trip activations and integer constants bit for bit in onnxruntime", async () => {
    await fc.assert(
      fc.asyncProperty(arbCase, async (c) => {
        const gran: Granularity = c.kind === "per-tensor" ? { kind: "per-tensor" } : c.kind === "per-axis" ? { kind: "per-axis", axis: c.axis } : { kind: "per-group", axis: c.axis, groupSize: c.group };
        const n = scaleCount(gran, SHAPE);
        const r = randomTensor([2 * n], c.seed, 0, 1).toF32();
        const [lo, hi] = intRange(c.storage);
        const scale = Array.from({ length: n }, (_, k) => Math.fround(0.01 + r[k]! * 0.2));
        const zp = c.symmetric && c.storage.startsWith("i") ? [] : Array.from({ length: n }, (_, k) => lo + Math.floor(r[n + k]! * (hi - lo + 1)));
        const attrs = { storage: c.storage, scale, zero_point: zp, ...(c.kind === "per-tensor" ? {} : { axis: c.axis }), ...(c.kind === "per-group" ? { group_size: c.group } : {}) };
        const b = new GraphBuilder("p", "int");
        b.input("x", "f32", SHAPE);
        b.op(c.kv ? "kv_quant" : "quantize", ["x"], attrs, { outputs: ["q"] });
        b.op(c.kv ? "kv_dequant" : "dequantize", ["q"], {}, { outputs: ["xd"] });
        const qt = b.typeOf("q")!;
        const wt = Tensor.fromNumbers(c.storage, SHAPE, Array.from({ length: 48 }, (_, i) => lo + ((i * 7 + c.seed) % (hi - lo + 1))));
        b.constant("w", wt, { dtype: c.storage, shape: SHAPE, quant: qt.quant! });
        b.op("dequantize", ["w"], {}, { outputs: ["wd"] });
        const g = b.output(...(c.storage.endsWith("4") ? [] : ["q"]), "xd", "wd").build();
        const l = lowerQuantized(g, { format: "qdq" });
        expect(l.opset).toBe(c.storage.endsWith("4") || c.kind === "per-group" ? 21 : 13);
        const x = { x: randomTensor(SHAPE, c.seed + 1, -3, 3) };
        const [o, ref] = [await runOrt(exportQuantizedOnnxBytes(g, { format: "qdq" }), x), await cpu.run(g, x)];
        for (const k of g.outputs) expect(identical(o[k]!, ref[k]!), `${k} ${JSON.stringify(c)}`).toBe(true);
      }),
      { numRuns: 16, seed: 20241126 },
    );
  });
});
