// insert-dequant through the public testing kit: int graphs from rtn/fold-to-int (weight-only,
// bit-exact when unfused) and from static a8w8 (quant_matmul unfused: exact int32 sums vs
// float sums of the same integer products).
import { describe, expect, it } from "vitest";
import { CpuInterpreter } from "@quantpass/backends";
import { arbQuantGraphs, checkPass, randomData } from "../testing/index.js";
import { insertDequant } from "./insert-dequant.js";

const cpu = new CpuInterpreter();

describe("insert-dequant (checkPass)", () => {
  it("unfusing weight-only int4 matmuls keeps the outputs bit for bit", async () => {
    const report = await checkPass(insertDequant, {
      graphs: arbQuantGraphs,
      before: "rtn{weight_dtype=int4,granularity=per-group,group_size=32},fold-to-int",
      options: { unfuse: true },
      executor: cpu,
      bound: { abs: 0 },
      numRuns: 25,
    });
    expect(report.checked).toContain("idempotent");
    expect(report.maxAbsError).toBe(0);
  });

  it("on a static a8w8 graph is a no-op, and unfusing quant_matmul stays within float rounding", async () => {
    const before = "insert-observers,calibrate,fake-quant,fold-to-int";
    const data = (g: Parameters<typeof randomData>[0]) => randomData(g, 2, 7);
    const legal = await checkPass(insertDequant, { graphs: arbQuantGraphs, before, data, executor: cpu, bound: { abs: 0 }, numRuns: 15 });
    expect(legal.unchanged).toBe(legal.runs); // fold-to-int already leaves a legal graph
    const unfused = await checkPass(insertDequant, { graphs: arbQuantGraphs, before, data, options: { unfuse: true }, executor: cpu, bound: { abs: 1e-5, rel: 1e-5 }, numRuns: 20 });
    expect(unfused.skipped).toEqual([]);
  });
});
