/** Model benches: the same feeds through the interpreter hook, onnxruntime-node and onnxruntime-web. */
import { existsSync, readFileSync } from "node:fs";
import { Tensor } from "@quantpass/ir";
import { firstLine, type InterpreterRunner, loadInterpreterRunner } from "./interpreter.js";
import { timeRoundRobin, type Contender } from "./measure.js";
import { maxRelDiff, nodeTensor, ortNodeSession, ortWebSession, webTensor } from "./ort.js";
import type { BenchContext, Measurement } from "./types.js";

const ROOT = new URL("../../", import.meta.url);

/** testdata/models/<name>/<file> in the repo, else the shared copy. */
export function modelPath(name: string, file = "model.onnx"): string {
  const candidates = [new URL(`testdata/models/${name}/${file}`, ROOT).pathname, `/work/shared/models/${name}/${file}`];
  const found = candidates.find((p) => existsSync(p));
  if (!found) throw new Error(`model ${name}/${file} not found in ${candidates.join(" or ")}`);
  return found;
}

export type Feed = { type: "float32"; data: Float32Array; dims: number[] } | { type: "int64"; data: BigInt64Array; dims: number[] };

export interface ModelBench {
  caseName: string;
  /** Row name, e.g. "fmnist-cnn, 1000 images". */
  name: string;
  model: string;
  inputs: Record<string, Feed>;
  output: string;
}

/** The interpreter with its f32 GEMM on the WebAssembly engine (the case's own implementation). */
export const INTERPRETER = "quantpass-interpreter";
/** The interpreter with the kernels it is configured with, for information. */
export const INTERPRETER_DEFAULT = "quantpass-interpreter-default";

function irTensor(f: Feed): Tensor {
  return f.type === "float32" ? new Tensor("f32", f.dims, f.data) : new Tensor("i64", f.dims, f.data);
}

export async function runModelBench(ctx: BenchContext, mb: ModelBench): Promise<Measurement[]> {
  const path = modelPath(mb.model);
  const bytes = new Uint8Array(readFileSync(path));
  const base = { case: mb.caseName, name: mb.name, threads: ctx.threads };
  const rows: Measurement[] = [];
  const contenders: Contender[] = [];
  const outputs = new Map<string, ArrayLike<number>>();

  const node = await ortNodeSession(bytes, ctx.threads);
  const nodeFeeds = Object.fromEntries(
    Object.entries(mb.inputs).map(([k, f]) => [k, f.type === "float32" ? nodeTensor("float32", f.data, f.dims) : nodeTensor("int64", f.data, f.dims)]),
  );
  let t0 = performance.now();
  outputs.set("ort-node", (await node.run(nodeFeeds))[mb.output]!.data as Float32Array);
  contenders.push({ impl: "ort-node", run: () => node.run(nodeFeeds), firstRunMs: performance.now() - t0 });

  try {
    const web = await ortWebSession(bytes, ctx.threads);
    const webFeeds = Object.fromEntries(
      Object.entries(mb.inputs).map(([k, f]) => [k, f.type === "float32" ? webTensor("float32", f.data, f.dims) : webTensor("int64", f.data, f.dims)]),
    );
    t0 = performance.now();
    outputs.set("ort-web", (await web.run(webFeeds))[mb.output]!.data as Float32Array);
    contenders.push({ impl: "ort-web", run: () => web.run(webFeeds), firstRunMs: performance.now() - t0 });
  } catch (e) {
    rows.push({ ...base, impl: "ort-web", status: "unsupported", note: firstLine(e) });
  }

  const runners: InterpreterRunner[] = [];
  for (const [impl, kernel] of [[INTERPRETER, "wasm"], [INTERPRETER_DEFAULT, "default"]] as const) {
    if (kernel === "default" && ctx.threads !== 1) continue; // single-threaded: its 1-thread row says it all
    const interp = await loadInterpreterRunner(path, { threads: ctx.threads, kernel });
    if (!("runner" in interp)) {
      rows.push({ ...base, impl, status: "unavailable", note: `interpreter: not yet available (${interp.unavailable})` });
      continue;
    }
    runners.push(interp.runner);
    const feeds = Object.fromEntries(Object.entries(mb.inputs).map(([k, f]) => [k, irTensor(f)]));
    try {
      t0 = performance.now();
      outputs.set(impl, interp.runner.run(feeds)[mb.output]!.toF32());
      contenders.push({ impl, run: () => interp.runner.run(feeds), firstRunMs: performance.now() - t0 });
    } catch (e) {
      rows.push({ ...base, impl, status: "unavailable", note: `interpreter: not yet available (${firstLine(e)})` });
    }
  }

  const timings = await timeRoundRobin(contenders, {
    warmup: 2,
    iterations: ctx.quick ? 3 : 10,
    budgetMs: ctx.quick ? 1000 : 4000,
  });
  for (const r of runners) await r.close();
  const oracle = outputs.get("ort-node")!;
  for (const t of timings) {
    const out = outputs.get(t.impl);
    const notes = [
      t.impl !== "ort-node" && out ? `max rel diff vs ort-node ${maxRelDiff(out, oracle).toExponential(1)}` : "",
      t.cold ? "one cold run (it alone took 3x the time budget)" : "",
    ].filter(Boolean);
    rows.push({ ...base, impl: t.impl, status: "ok", medianMs: t.medianMs, minMs: t.minMs, iterations: t.iterations, ...(notes.length ? { note: notes.join("; ") } : {}) });
  }
  return rows;
}
