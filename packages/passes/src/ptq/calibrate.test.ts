import { describe, expect, it } from "vitest";
import { CpuInterpreter } from "@quantpass/backends";
import fc from "fast-check";
import { GraphBuilder, Tensor, UserError } from "@quantpass/ir";
import type { CalibrationData } from "../pass.js";
import { runPipeline } from "../index.js";
import { arbQuantGraph } from "../testing/arb-quant.js";
import { listData, randomData, randomFeeds } from "../testing/data.js";

const cpu = new CpuInterpreter();

function mm() {
  const b = new GraphBuilder("g");
  const x = b.input("x", "f32", ["b", 2]);
  b.output(b.op1("MatMul", [x, b.constant("w", Tensor.f32([2, 1], [1, -1]))], {}, { name: "mm" }));
  return b.build();
}

describe("calibrate", () => {
  it("records each observer's exact min/max (minmax) as seen by running the float graph", async () => {
    await fc.assert(
      fc.asyncProperty(arbQuantGraph, async ({ graph, seed }) => {
        const obs = (await runPipeline(graph, "insert-observers{outputs=true}")).graph;
        const data = randomData(graph, 3, seed);
        const r = await runPipeline(obs, "calibrate", { executor: cpu, data });
        for (const n of r.graph.nodes.filter((x) => x.op === "observe")) {
          let lo = Infinity, hi = -Infinity;
          for (const feeds of data.batches() as Iterable<Record<string, Tensor>>) {
            const v = (await cpu.run(obs, feeds, { fetch: [n.outputs[0]!] }))[n.outputs[0]!]!.toF32();
            for (const x of v) { lo = Math.min(lo, x); hi = Math.max(hi, x); }
          }
          expect(n.attrs.min).toEqual([lo]);
          expect(n.attrs.max).toEqual([hi]);
        }
        expect(r.graph.stage).toBe("calibrated");
      }),
      { numRuns: 25 },
    );
  });

  it("accepts async data, reports progress and honours `batches`", async () => {
    const g = (await runPipeline(mm(), "insert-observers")).graph;
    const feeds = [1, 2, 3].map((k) => ({ x: Tensor.f32([1, 2], [k, -k]) }));
    const data: CalibrationData = { size: 3, async *batches() { yield* feeds; } };
    const seen: string[] = [];
    const r = await runPipeline(g, "calibrate{batches=2}", { executor: cpu, data, progress: (d, t, l) => seen.push(`${l} ${d}/${t}`) });
    expect(seen).toEqual(["calibrate 1/2", "calibrate 2/2"]);
    expect(r.graph.nodes[0]!.attrs).toMatchObject({ min: [-2], max: [2] });
    expect(r.records[0]!.counts).toEqual({ observers: 1, batches: 2 });
  });

  it("writes per-channel ranges along the channel axis", async () => {
    const g = (await runPipeline(mm(), "insert-observers{per_channel=true}")).graph;
    const r = await runPipeline(g, "calibrate", { executor: cpu, data: listData([{ x: Tensor.f32([2, 2], [1, -4, 3, 2]) }, { x: Tensor.f32([1, 2], [-1, 0.5]) }]) });
    expect(r.graph.nodes[0]!.attrs).toMatchObject({ min: [-1, -4], max: [3, 2] });
  });

  it("is a clear UserError without an executor or data, or when a batch lacks an input", async () => {
    const g = (await runPipeline(mm(), "insert-observers")).graph;
    await expect(runPipeline(g, "calibrate", { data: randomData(g) })).rejects.toThrow(/calibrate needs an executor/);
    await expect(runPipeline(g, "calibrate", { executor: cpu })).rejects.toThrow(/calibrate needs calibration data/);
    const bad = listData([{ y: Tensor.f32([1, 2], [0, 0]) }]);
    await expect(runPipeline(g, "calibrate", { executor: cpu, data: bad })).rejects.toThrow(UserError);
    await expect(runPipeline(g, "calibrate", { executor: cpu, data: bad })).rejects.toThrow(/calibration batch 1 has no value for graph input '%x' \(it has: y\)/);
    await expect(runPipeline(g, "calibrate", { executor: cpu, data: listData([]) })).rejects.toThrow(/calibration data has no batches/);
    await expect(runPipeline(mm(), "calibrate", { executor: cpu, data: listData([randomFeeds(g, 1)]) })).rejects.toThrow(/needs a graph at stage observed/);
  });
});
