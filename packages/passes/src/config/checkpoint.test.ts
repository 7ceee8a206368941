/**
 * Quantize mode → quantized checkpoint → deploy mode, end to end: the deploy-mode graph
 * loaded from the checkpoint (backends' loadQuantizedCheckpoint with passes' deployGraph)
 * runs bit-identical to the quantize-mode converted graph in the cpu interpreter.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { CpuInterpreter, loadQuantizedCheckpoint, saveQuantizedCheckpoint } from "@quantpass/backends";
import { loadOnnx } from "@quantpass/frontends";
import { printGraph, Tensor, UserError, verify, type Graph } from "@quantpass/ir";
import { apply, convert, deployGraph, type PtqConfigInput } from "../index.js";
import { listData } from "../testing/data.js";
import { imageBatch, loadFmnist } from "../testing/fmnist.js";
import { uniform } from "../testing/random.js";
import { firstDiff, sameBits } from "../testing/run.js";
import { mlp } from "./testing.js";

const MODEL = new URL("../../../../testdata/models/fmnist-cnn/model.onnx", import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), "quantpass-ptq-ckpt-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const cpu = new CpuInterpreter();

/** Without the graph meta line (it records mode quantize vs deploy). */
const body = (g: Graph) => printGraph(g).replace(/^ {2}meta .*\n/m, "");

async function roundTrip(float: Graph, config: PtqConfigInput | string, calib: ReturnType<typeof listData>, feeds: Record<string, Tensor>, name: string): Promise<Graph> {
  const int = await convert(await apply(float, config, { executor: cpu, data: calib }));
  const path = join(dir, `${name}.safetensors`);
  await saveQuantizedCheckpoint(int, path);
  await saveQuantizedCheckpoint(int, join(dir, `${name}-again.safetensors`));
  expect(readFileSync(path).equals(readFileSync(join(dir, `${name}-again.safetensors`)))).toBe(true);

  const deployed = await loadQuantizedCheckpoint(float, path, { build: deployGraph });
  verify(deployed);
  expect(body(deployed)).toBe(body(int));
  const [a, b] = [await cpu.run(int, feeds), await cpu.run(deployed, feeds)];
  for (const o of int.outputs) expect(sameBits(a[o]!, b[o]!), `${name} output ${o}: ${firstDiff(a[o]!, b[o]!)}`).toBe(true);
  return int;
}

describe("quantized checkpoint round trip", () => {
  const test = loadFmnist("t10k", 96);
  const fmnistData = listData([{ x: imageBatch(test, 0, 32) }, { x: imageBatch(test, 32, 64) }]);
  const fmnistFeeds = { x: imageBatch(test, 64, 96) };

  it("fmnist-cnn a8w8: the deploy-mode graph is bit-identical to the converted graph", async () => {
    const int = await roundTrip(loadOnnx(MODEL), "a8w8", fmnistData, fmnistFeeds, "fmnist-a8w8");
    expect(int.nodes.filter((n) => n.op === "quant_matmul")).toHaveLength(2);
  });

  it("fmnist-cnn a16w4: the deploy-mode graph is bit-identical to the converted graph", async () => {
    const int = await roundTrip(loadOnnx(MODEL), "a16w4", fmnistData, fmnistFeeds, "fmnist-a16w4");
    expect(Object.values(int.values).filter((t) => t.dtype === "i4")).toHaveLength(4);
  });

  it("builder MatMul graph: a8w8, a8w8-dynamic and a policy mix", async () => {
    const feeds = (seed: number) => ({ x: new Tensor("f32", [5, 16], uniform(80, -1, 1, seed)) });
    const data = listData([feeds(1), feeds(2)]);
    await roundTrip(mlp(), "a8w8", data, feeds(3), "mlp-a8w8");
    await roundTrip(mlp(), "a8w8-dynamic", data, feeds(3), "mlp-a8w8-dynamic");
    const mixed: PtqConfigInput = { preset: "a8w8", policies: [{ match: "head", weight: { dtype: "int4", granularity: "per-group", group_size: 32 } }, { match: "side", activation: { granularity: "per-token" } }] };
    const int = await roundTrip(mlp(), mixed, data, feeds(3), "mlp-mixed");
    expect(int.nodes.filter((n) => n.op === "dynamic_quant")).toHaveLength(1);
  });

  it("a checkpoint of another model names the file and tensor", async () => {
    const path = join(dir, "mlp-a16w8.safetensors");
    await saveQuantizedCheckpoint(await convert(await apply(mlp(), "a16w8")), path);
    const e = await loadQuantizedCheckpoint(loadOnnx(MODEL), path, { build: deployGraph }).catch((x: unknown) => x as Error);
    expect(e).toBeInstanceOf(UserError);
    expect((e as Error).message).toMatch(new RegExp(`^${path}: tensor '[^']+': .*\\(a checkpoint of another model or config\\?\\)$`));
  });
});
