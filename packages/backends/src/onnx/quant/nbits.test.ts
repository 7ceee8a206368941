/**
 * MatMulNBits export of weight-only graphs: onnxruntime within 1e-5 (relative to the largest
 * output) of the interpreter's int graph, and the file re-imported through the frontend
 * computes the int graph bit for bit (the MatMulNBits kernel unpacks to the same f32 weight).
 */
import { describe, expect, it } from "vitest";
import { decodeOnnx } from "@quantpass/formats";
import { verify } from "@quantpass/ir";
import { lowerOnnx } from "@quantpass/frontends";
import { exportQuantizedOnnxBytes, lowerQuantized } from "./export-quant.js";
import { gemmT, input, quantize } from "./test-graphs.js";
import { cpu, identical, relDiff, runOrt } from "./test-util.js";

const CASES = [
  // [weight_dtype, symmetric, granularity, group, K, bits, block, zero-point input]
  ["int4", true, "per-group", 32, 80, 4, 32, false], // partial last block
  ["int4", true, "per-group", 64, 128, 4, 64, false],
  ["int4", true, "per-group", 128, 256, 4, 128, false],
  ["int4", false, "per-group", 32, 96, 4, 32, true],
  ["int8", true, "per-group", 32, 64, 8, 32, false],
  ["int8", false, "per-group", 64, 128, 8, 64, true],
  ["int4", true, "per-channel", 32, 48, 4, 32, false],
] as const;

describe("MatMulNBits export", () => {
  for (const [dtype, sym, gran, group, K, bits, block, zp] of CASES)
    it(`${dtype} ${sym ? "symmetric" : "asymmetric"} ${gran}${gran === "per-group" ? ` g${group}` : ""}, K=${K}: bits ${bits}, block ${block}`, async () => {
      const int = await quantize(gemmT(K, 6, K), `rtn{weight_dtype=${dtype},weight_symmetric=${sym},granularity=${gran},group_size=${group}},fold-to-int`, [2, K]);
      const l = lowerQuantized(int, { format: "nbits" });
      verify(l.graph);
      expect(l.counts).toEqual({ MatMulNBits: 1 });
      expect(l.opset).toBe(13);
      const nb = l.graph.nodes.find((n) => n.op === "MatMulNBits")!;
      expect(nb.attrs).toEqual({ K, N: 6, bits, block_size: block, accuracy_level: 0 });
      expect(nb.inputs.length).toBe(zp ? 4 : 3);
      const bytes = exportQuantizedOnnxBytes(int, { format: "nbits" });
      expect(decodeOnnx(bytes).opsetImport!.map((o) => [o.domain, Number(o.version)])).toEqual([["", 13], ["com.microsoft", 1]]);
      const x = input([3, K], 41);
      const ref = (await cpu.run(int, x)).y!;
      expect(relDiff((await runOrt(bytes, x)).y!, ref)).toBeLessThanOrEqual(1e-5);
      expect(identical((await cpu.run(lowerOnnx(decodeOnnx(bytes)), x)).y!, ref)).toBe(true);
    });

  it("falls back to QDQ for weights MatMulNBits cannot hold (per-group across N), in the other formats too", async () => {
    const int = await quantize(gemmT(64, 6), "rtn{weight_dtype=int4,granularity=per-group,group_size=32},fold-to-int", [2, 64]);
    expect(lowerQuantized(int, { format: "qdq" }).counts).toEqual({ DequantizeLinear: 1, "unfused weight_quant_matmul": 1 });
    expect(lowerQuantized(int, { format: "qop" }).counts).toEqual({ DequantizeLinear: 1, "unfused weight_quant_matmul": 1 });
    // A per-group weight grouped along N (as a MatMul weight [K, N] grouped on axis 1) stays QDQ.
    const w = Object.keys(int.constants).find((k) => int.values[k]!.quant)!;
    const t = int.values[w]!;
    const g = { ...int, values: { ...int.values, [w]: { ...t, quant: { ...t.quant!, granularity: { kind: "per-group", axis: 1, groupSize: 32 } as const, scale: new Float32Array(64) .fill(0.1) } } } };
    expect(lowerQuantized(g, { format: "nbits" }).counts.MatMulNBits).toBeUndefined();
  });
});
