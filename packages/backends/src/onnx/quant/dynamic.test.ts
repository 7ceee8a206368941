/**
 * dynamic_quant (per-token a8w8) in both formats: the Abs/ReduceMax/Div/Round/Clip/Cast
 * decomposition gives the interpreter's integers and scales bit for bit (ties, a zero row),
 * and quant_matmul with a per-token scale becomes MatMulInteger + Cast + Mul in qop, bit for
 * bit the fused kernel; qdq unfuses it (within 1e-5 of the unfused int graph).
 */
import { describe, expect, it } from "vitest";
import { GraphBuilder, Tensor, ZERO_RANGE_SCALE, verify, type Graph } from "@quantpass/ir";
import { exportQuantizedOnnxBytes, lowerQuantized } from "./export-quant.js";
import { unfused } from "./test-graphs.js";
import { cpu, identical, randomTensor, relDiff, runOrt } from "./test-util.js";

const K = 8, N = 3;

function perToken(): Graph {
  const b = new GraphBuilder("dyn", "int");
  const x = b.input("x", "f32", ["b", K]);
  const w = Tensor.fromNumbers("i8", [K, N], Array.from({ length: K * N }, (_, i) => ((i * 37) % 255) - 127));
  const wt = { storage: "i8", expressed: "f32", granularity: { kind: "per-axis", axis: 1 }, scale: Float32Array.of(0.01, 0.02, 0.005), zeroPoint: null } as const;
  b.constant("w", w, { dtype: "i8", shape: [K, N], quant: wt });
  b.constant("bias", Tensor.f32([N], [0.5, -0.25, 0.125]));
  b.op("dynamic_quant", [x], {}, { name: "dq", outputs: ["q", "s"] });
  b.op1("quant_matmul", ["q", "w", "s", "bias"], {}, { name: "qmm", outputs: ["y"] });
  return b.output("q", "s", "y").build();
}

function rows(): Tensor {
  const r = randomTensor([2, K], 7, -3, 3).toF32();
  return Tensor.f32([5, K], [
    127, 2.5, -3.5, 0.5, 126.5, -126.5, 1.5, -0.5, // scale 1: ties round to even
    0, 0, 0, 0, 0, 0, 0, 0, // zero row: ZERO_RANGE_SCALE
    63.5, 0.25, -0.75, 1.25, 0, -63.5, 31.75, 0.5, // scale 0.5: ties
    ...r,
  ]);
}

describe("dynamic_quant export", () => {
  it("qdq and qop: per-token integers and scales bit for bit; qop's MatMulInteger form is the fused kernel exactly", async () => {
    const g = perToken();
    verify(g);
    const x = { x: rows() };
    const ref = await cpu.run(g, x);
    expect(ref.s!.get(1)).toBe(Math.fround(ZERO_RANGE_SCALE));
    expect(Array.from({ length: 8 }, (_, j) => ref.q!.get(j))).toEqual([127, 2, -4, 0, 126, -126, 2, 0]);
    const unf = await cpu.run(await unfused(g), x);
    for (const format of ["qdq", "qop"] as const) {
      const l = lowerQuantized(g, { format });
      expect(l.counts["dynamic_quant decomposition"]).toBe(1);
      expect(l.graph.nodes.some((n) => n.op === "DynamicQuantizeLinear")).toBe(false);
      const o = await runOrt(exportQuantizedOnnxBytes(g, { format }), x);
      expect(identical(o.q!, ref.q!), `${format} q`).toBe(true);
      expect(identical(o.s!, ref.s!), `${format} scale`).toBe(true);
      if (format === "qop") {
        expect(l.counts.MatMulInteger).toBe(1);
        expect(identical(o.y!, ref.y!)).toBe(true);
      } else expect(relDiff(o.y!, unf.y!)).toBeLessThanOrEqual(1e-5);
    }
  });
});
