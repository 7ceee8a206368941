/**
 * The PTQ config's `bias_correction` field: compiled after the weight steps, applied on
 * calibration data (a weight-only config needs it too), rebuilt with zero placeholders in
 * deploy mode so a quantized checkpoint round-trips bit for bit, and kept by the fallback search.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { CpuInterpreter, loadQuantizedCheckpoint, saveQuantizedCheckpoint } from "@quantpass/backends";
import { GraphBuilder, printGraph, Tensor, UserError, verify, type Graph } from "@quantpass/ir";
import { apply, compilePtq, compilePtqPhases, convert, deployGraph, formatPipeline, type PtqConfigInput } from "../index.js";
import { listData } from "../testing/data.js";
import { firstDiff, sameBits } from "../testing/run.js";

const cpu = new CpuInterpreter();
const dir = mkdtempSync(join(tmpdir(), "quantpass-bias-correction-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Row k of n: 1.27 then 0.006s. Per-channel int8 scale 0.01, so every 0.006 rounds up to 0.01 (+0.004). */
const rows = (n: number, k: number) => Array.from({ length: n * k }, (_, i) => (i % k ? 0.006 : 1.27));

/** x[b,2,4,4] → Conv (no bias) → Relu → Flatten → Gemm g1 and Gemm g2, sharing their C. */
function net(): Graph {
  const b = new GraphBuilder("bc");
  const x = b.input("x", "f32", ["b", 2, 4, 4]);
  const h = b.op1("Conv", [x, b.constant("w", Tensor.f32([3, 2, 3, 3], rows(3, 18)))], { pads: [1, 1, 1, 1] }, { name: "conv" });
  const f = b.op1("Flatten", [b.op1("Relu", [h], {}, { name: "relu" })], { axis: 1 }, { name: "flat" });
  const c = b.constant("c", Tensor.f32([4], [0.1, -0.1, 0.2, 0]));
  const y1 = b.op1("Gemm", [f, b.constant("w1", Tensor.f32([4, 48], rows(4, 48))), c], { transB: 1 }, { name: "g1" });
  const y2 = b.op1("Gemm", [f, b.constant("w2", Tensor.f32([4, 48], rows(4, 48))), c], { transB: 1 }, { name: "g2" });
  return b.output(y1, y2).build();
}

/** Deterministic inputs in [0, 1) (positive, so the weights' rounding bias shows in the mean). */
function positive(seed: number): Record<string, Tensor> {
  let s = seed >>> 0;
  return { x: Tensor.f32([5, 2, 4, 4], Array.from({ length: 160 }, () => ((s = (s * 1103515245 + 12345) >>> 0) % 1000) / 1000)) };
}
const data = listData([positive(1), positive(2), positive(3)]);
const out = (g: Graph, node: string) => g.nodes.find((n) => n.name === node)!.outputs[0]!;

/** Largest |mean(y_q − y_float)| over the channels (axis 1) of the output of `node`, on the data. */
async function maxMeanError(q: Graph, f: Graph, node: string): Promise<number> {
  const v = out(f, node);
  let sums: number[] = [];
  let count = 0;
  for (const feeds of data.batches() as Iterable<Record<string, Tensor>>) {
    const a = (await cpu.run(q, feeds, { fetch: [v] }))[v]!;
    const r = (await cpu.run(f, feeds, { fetch: [v] }))[v]!.toF32();
    const c = a.shape[1]!;
    const inner = a.shape.slice(2).reduce((s, k) => s * k, 1);
    if (!sums.length) sums = new Array<number>(c).fill(0);
    a.toF32().forEach((y, i) => (sums[Math.floor(i / inner) % c]! += y - r[i]!));
    count += a.size / c;
  }
  return Math.max(...sums.map((s) => Math.abs(s / count)));
}

describe("PTQ config bias_correction", () => {
  it("compiles bias-correct after fake-quant and rtn-layers, with every quantized class's selection; deploy gets the placeholder variant", () => {
    const text = (c: PtqConfigInput) => formatPipeline(compilePtq(c));
    const W8 = "weight_dtype=int8,weight_symmetric=true,granularity=per-channel";
    expect(text({ preset: "a16w8", bias_correction: "fast" })).toBe(`rtn{${W8}},bias-correct{mode=fast},fold-to-int,dce`);
    expect(text({ preset: "a8w8", bias_correction: "sequential", skip: ["head"], ops: ["Conv", "Gemm"] })).toBe(
      `insert-observers{method=minmax,outputs=true,ops=[Conv,Gemm],skip=[head]},calibrate,fake-quant{activation_dtype=i8,symmetric=false,${W8},ops=[Conv,Gemm],skip=[head]},bias-correct{mode=sequential,ops=[Conv,Gemm],skip=[head]},fold-to-int,insert-dequant,dce`,
    );
    const policies: PtqConfigInput["policies"] = [{ match: "emb", skip: true }, { match: "^lm$", weight: { dtype: "int4", granularity: "per-group", group_size: 32 } }];
    expect(text({ preset: "a8w8", activation: { observe_outputs: false }, bias_correction: "fast", policies })).toBe(
      `insert-observers{method=minmax,exclude=emb},calibrate,fake-quant{activation_dtype=i8,symmetric=false,${W8},exclude=(?:emb)|(?:^lm$)},rtn-layers{weight_dtype=int4,weight_symmetric=true,granularity=per-group,group_size=32,include="^(?:(?!.*?(?:emb))(?=.*?(?:^lm$)))"},bias-correct{mode=fast,exclude=emb},fold-to-int,insert-dequant,dce`,
    );
    expect(compilePtqPhases({ preset: "a8w8", mode: "deploy", bias_correction: "fast" }).apply).toContainEqual({ pass: "bias-correct", options: { mode: "fast", deploy: true } });
    expect(text({ preset: "a8w8" })).not.toContain("bias-correct"); // default none
  });

  for (const mode of ["fast", "sequential"] as const)
    it(`a16w8 + ${mode}: the Conv gets a bias, the shared Gemm C is split, and the mean output errors vanish`, async () => {
      const g = net();
      const plain = await apply(g, "a16w8");
      const fq = await apply(g, { preset: "a16w8", bias_correction: mode }, { executor: cpu, data });
      verify(fq);
      expect(await maxMeanError(plain, g, "conv")).toBeGreaterThan(0.01);
      expect(await maxMeanError(fq, g, "conv")).toBeLessThan(1e-4);
      expect(fq.nodes.find((n) => n.name === "conv")!.inputs[2]).toBe("conv.bias");
      const [c1, c2] = ["g1", "g2"].map((n) => fq.nodes.find((x) => x.name === n)!.inputs[2]!);
      expect(new Set([c1, c2, "c"]).size).toBe(3);
      expect(fq.constants[c1!]!.toF32()).not.toEqual(g.constants.c!.toF32());
      if (mode === "fast") expect(await maxMeanError(fq, plain, "g1")).toBeGreaterThan(0); // sanity: the Gemm output moved
      if (mode === "sequential") for (const n of ["g1", "g2"]) expect(await maxMeanError(fq, g, n)).toBeLessThan(1e-3);
    });

  it("needs { executor, data } even for a weight-only config, naming bias_correction", async () => {
    const e = (await apply(net(), { preset: "a16w8", bias_correction: "fast" }, { executor: cpu }).catch((x: unknown) => x)) as Error;
    expect(e).toBeInstanceOf(UserError);
    expect(e.message).toMatch(/^apply: bias_correction=fast .*pass \{ executor, data \}/);
    expect(await apply(net(), { preset: "a16w8", mode: "deploy", bias_correction: "fast" })).toBeDefined(); // deploy: structure only
  });

  const body = (g: Graph) => printGraph(g).replace(/^ {2}meta .*\n/m, "");
  for (const [preset, mode] of [["a8w8", "fast"], ["a8w8", "sequential"], ["a16w8", "sequential"]] as const)
    it(`${preset} + ${mode}: a quantized checkpoint loads in deploy mode bit-identical to the converted graph`, async () => {
      const float = net();
      const int = await convert(await apply(float, { preset, bias_correction: mode }, { executor: cpu, data }));
      expect(int.constants["conv.bias"]).toBeDefined();
      const path = join(dir, `${preset}-${mode}.safetensors`);
      await saveQuantizedCheckpoint(int, path);
      const deployed = await loadQuantizedCheckpoint(float, path, { build: deployGraph });
      verify(deployed);
      expect(body(deployed)).toBe(body(int));
      expect(sameBits(deployed.constants["conv.bias"]!, int.constants["conv.bias"]!)).toBe(true);
      const feeds = positive(9);
      const [a, b] = [await cpu.run(int, feeds), await cpu.run(deployed, feeds)];
      for (const o of int.outputs) expect(sameBits(a[o]!, b[o]!), `output ${o}: ${firstDiff(a[o]!, b[o]!)}`).toBe(true);
    });

  it("the fallback search builds its candidates with bias correction (a fallen-back layer is not corrected)", async () => {
    const g = net();
    const convFloat = (q: Graph) => (q.nodes.find((n) => n.name === "conv")!.inputs[1] === "w" ? 1 : 0);
    const fq = await apply(g, { preset: "a8w8", bias_correction: "fast", fallback: { metric: "custom", target: 1 } }, { executor: cpu, data, fallbackScore: convFloat });
    expect(JSON.parse(fq.meta["quantpass.ptq"]!)).toMatchObject({ skip: ["conv"], bias_correction: "fast" });
    expect(fq.nodes.find((n) => n.name === "conv")!.inputs).toHaveLength(2);
    expect(fq.nodes.find((n) => n.name === "g1")!.inputs[2]).not.toBe("c");
    const direct = await apply(g, { preset: "a8w8", bias_correction: "fast", skip: ["conv"] }, { executor: cpu, data });
    expect(body(fq)).toBe(body(direct));
  });
});
