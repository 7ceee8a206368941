/**
 * QDQ export: the lowered graph is the interpreter's unfused int graph bit for bit, and
 * onnxruntime (QDQ transformers off) runs the exported file with the interpreter's results,
 * free-running: every quantized activation and integer output bit for bit, floats within 1e-5
 * relative (test-util.ts directCheck).
 */
import { mkdtempSync, readFileSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { decodeOnnx } from "@quantpass/formats";
import { verify, type Graph } from "@quantpass/ir";
import { exportQuantizedOnnx, exportQuantizedOnnxBytes, lowerQuantized, saveQuantizedOnnx } from "./export-quant.js";
import { convNet, gemmT, input, mlp, quantize, unfused } from "./test-graphs.js";
import { cpu, directCheck, identical, relDiff, runOrt } from "./test-util.js";

const OBS = "insert-observers{method=minmax,outputs=true},calibrate";

async function checkQdq(int: Graph, x: ReturnType<typeof input>, opset = 13) {
  const l = lowerQuantized(int, { format: "qdq" });
  verify(l.graph);
  expect(l.opset).toBe(opset);
  expect(l.graph.nodes.every((n) => /^[A-Z]/.test(n.op))).toBe(true);
  // The lowered graph is the unfused int graph, op for op in the interpreter.
  const [a, b] = [await cpu.run(l.graph, x), await cpu.run(await unfused(int), x)];
  for (const o of int.outputs) expect(identical(a[o]!, b[o]!), o).toBe(true);
  const r = await directCheck(l.graph, l.opset, x);
  return { l, r };
}

describe("QDQ export", () => {
  it("MatMul chain, a8w8 (asymmetric i8 activations, per-channel i8 weights): QuantizeLinear/DequantizeLinear, unfused quant_matmul", async () => {
    const int = await quantize(mlp(16, 12, 5), `${OBS},fake-quant,fold-to-int,insert-dequant`, [4, 16]);
    expect(int.nodes.filter((n) => n.op === "quant_matmul").length).toBe(2);
    const { l, r } = await checkQdq(int, input([6, 16], 21));
    expect(l.counts).toMatchObject({ "unfused quant_matmul": 2 });
    expect(r.quantized).toBeGreaterThan(0);
  });

  it("Gemm transB with bias, u8 activations, per-tensor weights; deterministic bytes, saved as exported, run as the lowered graph", async () => {
    const int = await quantize(gemmT(24, 7), `${OBS},fake-quant{activation_dtype=u8,granularity=per-tensor},fold-to-int,insert-dequant`, [4, 24]);
    const x = input([5, 24], 22);
    const { r } = await checkQdq(int, x);
    const bytes = exportQuantizedOnnxBytes(int, { format: "qdq" });
    expect(exportQuantizedOnnxBytes(int, { format: "qdq" })).toEqual(bytes);
    const y = (await runOrt(bytes, x)).y!;
    expect(identical(y, r.ort.y!)).toBe(true);
    const dir = mkdtempSync(join(tmpdir(), "quantpass-qdq-"));
    await saveQuantizedOnnx(int, join(dir, "gemm.onnx"), { format: "qdq" });
    expect(new Uint8Array(readFileSync(join(dir, "gemm.onnx")))).toEqual(bytes);
    expect(readdirSync(dir)).toEqual(["gemm.onnx"]);
    // Zero points are written in the storage dtype (u8 activations, explicit i8 zeros for the weight).
    const m = decodeOnnx(bytes);
    expect(m.opsetImport!.map((o) => [o.domain, Number(o.version)])).toEqual([["", 13]]);
    const zps = m.graph!.initializer!.filter((t) => t.name!.endsWith("_zero_point")).map((t) => t.dataType);
    expect(new Set(zps)).toEqual(new Set([2, 3]));
  });

  it("Conv with bias and Relu, symmetric i8 activations: integer graph outputs (the activation taps) bit for bit", async () => {
    const int0 = await quantize(convNet(3, 4, 6), `${OBS},fake-quant{symmetric=true},fold-to-int,insert-dequant`, [2, 3, 8, 8]);
    // Expose every quantized activation as an integer graph output.
    const taps = int0.nodes.filter((n) => n.op === "quantize").map((n) => n.outputs[0]!);
    const int: Graph = { ...int0, outputs: [...int0.outputs, ...taps] };
    const { r } = await checkQdq(int, input([3, 3, 8, 8], 23));
    expect(taps.length).toBeGreaterThanOrEqual(3);
    for (const t of taps) expect(r.ort[t]!.dtype).toBe("i8");
  });

  it("int4 / int8 weight-only per-group (g32, g64, g128; asymmetric u4) at opset 21: within 1e-5 of the int graph", async () => {
    for (const [dtype, sym, group] of [["int4", true, 32], ["int4", false, 64], ["int8", true, 128]] as const) {
      const int = await quantize(gemmT(256, 9), `rtn{weight_dtype=${dtype},weight_symmetric=${sym},granularity=per-group,group_size=${group}},fold-to-int`, [2, 256]);
      const x = input([3, 256], 24);
      const l = lowerQuantized(int, { format: "qdq" });
      expect(l.opset).toBe(21);
      const dq = l.graph.nodes.find((n) => n.op === "DequantizeLinear")!;
      expect(dq.attrs).toEqual({ axis: 0, block_size: group });
      const y = (await runOrt(exportQuantizedOnnxBytes(int, { format: "qdq" }), x)).y!;
      expect(relDiff(y, (await cpu.run(int, x)).y!), `${dtype} g${group}`).toBeLessThanOrEqual(1e-5);
    }
  });

  it("refuses what the target opset cannot hold, and graphs before fold-to-int", async () => {
    const int = await quantize(gemmT(64, 4), "rtn{weight_dtype=int4,granularity=per-group,group_size=32},fold-to-int", [2, 64]);
    expect(() => exportQuantizedOnnx(int, { format: "qdq", opset: 17 })).toThrow(/needs opset 21/);
    const fq = await quantize(gemmT(64, 4), "rtn", [2, 64]);
    expect(() => lowerQuantized(fq, { format: "qdq" })).toThrow(/stage 'fake-quant'; run fold-to-int first/);
    expect(() => lowerQuantized(int, { format: "qlinear" as never })).toThrow(/unknown format 'qlinear'/);
  });
});
