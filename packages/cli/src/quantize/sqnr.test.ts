import { describe, expect, it } from "vitest";
import { CpuInterpreter } from "@quantpass/backends";
import { edit, GraphBuilder, Tensor } from "@quantpass/ir";
import { runPipeline } from "@quantpass/passes";
import { layerSqnr, matchLayers } from "./sqnr.js";

const cpu = new CpuInterpreter();

function mlp() {
  const b = new GraphBuilder("g");
  const x = b.input("x", "f32", ["n", 2]);
  const h = b.op1("MatMul", [x, b.constant("w1", Tensor.f32([2, 2], [1, 0, 0, 1]))], {}, { name: "mm1", outputs: ["h"] });
  const r = b.op1("Relu", [h], {}, { name: "relu", outputs: ["r"] });
  b.output(b.op1("Gemm", [r, b.constant("w2", Tensor.f32([2, 1], [1, 1]))], {}, { name: "head", outputs: ["y"] }));
  return b.build();
}

describe("per-layer SQNR", () => {
  it("matches layers by node name through fold-to-int (fused ops, renamed outputs)", async () => {
    const g = mlp();
    const int = (await runPipeline(g, "insert-observers{outputs=true},calibrate,fake-quant,fold-to-int", {
      executor: cpu,
      data: { size: 1, batches: () => [{ x: Tensor.f32([2, 2], [1, -1, 0.5, 2]) }] },
    })).graph;
    const layers = matchLayers(g, int);
    expect(layers.map((l) => [l.name, l.quantOp, l.floatValue, l.quantValue])).toEqual([
      ["mm1", "quant_matmul", "h", "h"],
      // The graph output moved to its observer: the producer's own output is y.raw.
      ["head", "quant_matmul", "y", "y.raw"],
    ]);
  });

  it("is 10·log10(Σy² / Σ(y−ŷ)²) over all batches; null when identical; unchanged layers are not listed", async () => {
    const g = mlp();
    // Perturb w2 by a known amount: ŷ = y + 0.1·r1 (w2 = [1, 1.1]).
    const q = edit(g, (e) => { e.draft.constants.w2 = Tensor.f32([2, 1], [1, 1.1]) as never; });
    const batches = [{ x: Tensor.f32([2, 2], [1, 2, 3, 4]) }, { x: Tensor.f32([1, 2], [-1, 5]) }];
    const [mm1, head] = [matchLayers(g, q).map((l) => l.name), await layerSqnr(cpu, g, q, batches)];
    expect(mm1).toEqual(["head"]); // mm1's weight is the same tensor: not a changed layer
    // y = r0 + r1 with r = relu(x): rows (1,2), (3,4), (0,5) → y = 3, 7, 5; noise 0.1·r1 = .2, .4, .5
    const want = 10 * Math.log10((9 + 49 + 25) / (0.04 + 0.16 + 0.25));
    expect(head[0]!.sqnrDb).toBeCloseTo(want, 4);
    expect(head[0]!.elements).toBe(3);
    expect((await layerSqnr(cpu, g, q, batches, 1))[0]!.elements).toBe(2); // maxBatches
    const same = edit(g, (e) => { e.draft.constants.w2 = Tensor.f32([2, 1], [1, 1]) as never; });
    expect((await layerSqnr(cpu, g, same, batches))[0]!.sqnrDb).toBeNull();
  });
});
