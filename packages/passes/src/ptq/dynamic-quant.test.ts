import { describe, expect, it } from "vitest";
import { CpuInterpreter } from "@quantpass/backends";
import { GraphBuilder, Tensor, verify, type Graph } from "@quantpass/ir";
import { runPipeline } from "../index.js";
import { uniform } from "../testing/random.js";

const cpu = new CpuInterpreter();

/** x[b,16] → MatMul fc1 [16,8] → Relu → Gemm head (transB, bias) [4,8]; x also feeds side [16,4]. */
function graph(): Graph {
  const b = new GraphBuilder("g");
  const x = b.input("x", "f32", ["b", 16]);
  const h = b.op1("MatMul", [x, b.constant("w1", Tensor.f32([16, 8], uniform(128, -1, 1, 3)))], {}, { name: "fc1" });
  const r = b.op1("Relu", [h], {}, { name: "relu" });
  const y = b.op1("Gemm", [r, b.constant("w2", Tensor.f32([4, 8], uniform(32, -1, 1, 4))), b.constant("b2", Tensor.f32([4], [0.1, -0.2, 0.3, 0]))], { transB: 1 }, { name: "head" });
  const s = b.op1("MatMul", [x, b.constant("w3", Tensor.f32([16, 4], uniform(64, -1, 1, 5)))], {}, { name: "side" });
  return b.output(y, s).build();
}

describe("dynamic-quant", () => {
  it("rewrites eligible weight_quant_matmuls to quant_matmul with one shared dynamic_quant per activation", async () => {
    const g = graph();
    const wq = (await runPipeline(g, "rtn,fold-to-int")).graph;
    const r = await runPipeline(wq, "dynamic-quant");
    const out = r.graph;
    verify(out);
    const relu = out.nodes[2]!.outputs[0]!;
    expect(out.nodes.map((n) => `${n.op}:${n.name}`)).toEqual(["dynamic_quant:x.tok", "quant_matmul:fc1", "Relu:relu", `dynamic_quant:${relu}.tok`, "quant_matmul:head", "quant_matmul:side"]);
    expect(r.records[0]!.counts).toEqual({ "not eligible": 0, "per-token matmuls": 3, dynamic_quant: 2 });
    // Idempotent: nothing left to rewrite.
    expect((await runPipeline(out, "dynamic-quant")).graph).toBe(out);

    // Numeric bound against the weight-only graph: per row m, |y - y_w| <= s_m/2 * sum_k |W_kn| (+ f32 rounding).
    const x = new Tensor("f32", [3, 16], uniform(48, -2, 2, 9));
    const [a, b] = [await cpu.run(wq, { x }), await cpu.run(out, { x })];
    const xs = x.toF32();
    const ya = a[g.outputs[1]!]!.toF32();
    const yb = b[g.outputs[1]!]!.toF32();
    const side = wq.nodes.find((n) => n.name === "side")!;
    const wt = wq.constants[side.inputs[1]!]!;
    const q = wq.values[side.inputs[1]!]!.quant!;
    for (let m = 0; m < 3; m++) {
      const sm = Math.max(...Array.from(xs.subarray(m * 16, m * 16 + 16), Math.abs)) / 127;
      for (let n = 0; n < 4; n++) {
        let absW = 0;
        for (let k = 0; k < 16; k++) absW += Math.abs(wt.get(k * 4 + n) * q.scale![n]!);
        expect(Math.abs(yb[m * 4 + n]! - ya[m * 4 + n]!)).toBeLessThanOrEqual((sm / 2) * absW * (1 + 1e-5) + 1e-5);
      }
    }
    expect(Array.from(yb).some((v, i) => v !== ya[i])).toBe(true);
  });

  it("honours the layer policy and leaves non-eligible weights alone", async () => {
    const wq = (await runPipeline(graph(), "rtn,fold-to-int")).graph;
    const skipped = (await runPipeline(wq, "dynamic-quant{skip=[head],exclude=side}")).graph;
    expect(skipped.nodes.filter((n) => n.op === "quant_matmul").map((n) => n.name)).toEqual(["fc1"]);
    expect(skipped.nodes.filter((n) => n.op === "dynamic_quant")).toHaveLength(1);
    const w4 = (await runPipeline(graph(), "rtn{weight_dtype=int4,granularity=per-group,group_size=32},fold-to-int")).graph;
    const r = await runPipeline(w4, "dynamic-quant");
    expect(r.graph).toBe(w4);
    expect(r.records[0]!.counts["not eligible"]).toBe(3);
  });
});
