/**
 * QOperator export. QLinearConv / QLinearMatMul requantize with onnxruntime's rounding, so the
 * oracle is the interpreter running the file re-imported through the frontend (its QLinear*
 * kernels follow onnxruntime's arithmetic): onnxruntime's outputs must equal it bit for bit.
 * The MatMulInteger form of quant_matmul is also bit for bit the fused int graph. How far the
 * QOperator results are from the QDQ export's is logged.
 */
import { describe, expect, it } from "vitest";
import { decodeOnnx } from "@quantpass/formats";
import { verify, type Graph, type Tensor } from "@quantpass/ir";
import { lowerOnnx } from "@quantpass/frontends";
import { exportQuantizedOnnxBytes, lowerQuantized } from "./export-quant.js";
import { convNet, gemmT, input, mlp, quantize, unfused } from "./test-graphs.js";
import { cpu, identical, relDiff, runOrt } from "./test-util.js";

const OBS = "insert-observers{method=minmax,outputs=true},calibrate";

/** Exports in qop, checks ORT == interpreter(re-import) exactly; returns ORT's y and the counts. */
async function checkQop(int: Graph, x: Record<string, Tensor>): Promise<{ y: Tensor; counts: Record<string, number>; fromQdq: number }> {
  const l = lowerQuantized(int, { format: "qop" });
  verify(l.graph);
  const bytes = exportQuantizedOnnxBytes(int, { format: "qop" });
  const back = lowerOnnx(decodeOnnx(bytes));
  const [o, c, lc] = [await runOrt(bytes, x), await cpu.run(back, x), await cpu.run(l.graph, x)];
  for (const k of int.outputs) {
    expect(identical(o[k]!, c[k]!), `${k}: onnxruntime vs re-imported`).toBe(true);
    expect(identical(lc[k]!, c[k]!), `${k}: lowered vs re-imported`).toBe(true);
  }
  const qdq = await runOrt(exportQuantizedOnnxBytes(int, { format: "qdq" }), x);
  const fromQdq = relDiff(o.y!, qdq.y!);
  console.log(`${int.name} qop ${JSON.stringify(l.counts)}: max |qop - qdq| / max |qdq| = ${fromQdq.toExponential(2)}`);
  return { y: o.y!, counts: l.counts, fromQdq };
}

describe("QOperator export", () => {
  it("Conv + bias + Relu → Q (u8, zero point 0): QLinearConv with int32 bias and Relu folded into saturation; Gemm with bias: MatMulInteger, exact", async () => {
    const int = await quantize(convNet(3, 4, 6), `${OBS},fake-quant{activation_dtype=u8},fold-to-int,insert-dequant`, [2, 3, 8, 8]);
    const x = input([3, 3, 8, 8], 31);
    const r = await checkQop(int, x);
    expect(r.counts).toMatchObject({ QLinearConv: 1, MatMulInteger: 1 });
    expect(r.fromQdq).toBeLessThan(0.05);
    const q = lowerQuantized(int, { format: "qop" }).graph;
    expect(q.nodes.some((n) => n.op === "Relu")).toBe(false);
    expect(q.constants["cb_i32"]?.dtype).toBe("i32");
    // The MatMulInteger + Cast + Mul + Add form is the fused quant_matmul, op for op.
    const fused = int.nodes.find((n) => n.op === "quant_matmul")!;
    const fetch = [fused.outputs[0]!];
    const a = await cpu.run(q, x, { fetch }), b = await cpu.run(int, x, { fetch });
    expect(identical(a[fetch[0]!]!, b[fetch[0]!]!)).toBe(true);
  });

  it("Conv → Relu → MaxPool → Flatten → Q (i8, zero point -128, as fmnist-cnn): the chain runs on int8 after QLinearConv", async () => {
    const int = await quantize(convNet(2, 5, 4, 9), "insert-observers{method=minmax},calibrate,fake-quant,fold-to-int,insert-dequant", [2, 2, 8, 8]);
    const r = await checkQop(int, input([2, 2, 8, 8], 32));
    expect(r.counts).toMatchObject({ QLinearConv: 1, MatMulInteger: 1 });
    const q = lowerQuantized(int, { format: "qop" }).graph;
    const t = (op: string) => q.values[q.nodes.find((n) => n.op === op)!.outputs[0]!]!.dtype;
    expect([t("MaxPool"), t("Flatten")]).toEqual(["i8", "i8"]);
  });

  it("symmetric i8 after Relu (zero point 0 is not the minimum): ConvInteger + Cast + Mul + Add, Relu and Q stay", async () => {
    const int = await quantize(convNet(3, 4, 6, 13), `${OBS},fake-quant{symmetric=true},fold-to-int,insert-dequant`, [2, 3, 8, 8]);
    const r = await checkQop(int, input([2, 3, 8, 8], 33));
    expect(r.counts).toMatchObject({ ConvInteger: 1, MatMulInteger: 1 });
    expect(r.counts.QLinearConv).toBeUndefined();
  });

  it("MatMul → Relu → Q without bias: QLinearMatMul, the weight stored in the activation's signedness (u8·u8, i8·i8)", async () => {
    const cases = [["u8", "activation_dtype=u8", 16], ["i8", "weight_symmetric=false", 2]] as const;
    for (const [storage, opts, seed] of cases) {
      const int = await quantize(mlp(16, 12, 5, seed), `${OBS},fake-quant{${opts}},fold-to-int,insert-dequant`, [4, 16]);
      const r = await checkQop(int, input([6, 16], 34));
      expect(r.counts).toMatchObject({ QLinearMatMul: 2 });
      const q = lowerQuantized(int, { format: "qop" }).graph;
      for (const n of q.nodes.filter((m) => m.op === "QLinearMatMul"))
        expect([q.values[n.inputs[0]!]!.dtype, q.values[n.inputs[3]!]!.dtype], n.name).toEqual([storage, storage]);
      // The unfused form MatMul(DQ(xq), DQ(w)) is recognised too.
      if (storage === "u8") expect((await checkQop(await unfused(int), input([6, 16], 37))).counts).toMatchObject({ QLinearMatMul: 2 });
    }
  });

  it("Gemm transB with bias and no output quantize: MatMulInteger, bit for bit the int graph", async () => {
    const int = await quantize(gemmT(24, 7), "insert-observers{method=minmax},calibrate,fake-quant{activation_dtype=u8},fold-to-int,insert-dequant", [4, 24]);
    const x = input([5, 24], 36);
    const r = await checkQop(int, x);
    expect(identical(r.y, (await cpu.run(int, x)).y!)).toBe(true);
  });
});
