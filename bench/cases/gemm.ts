/**
 * f32 GEMM, square sizes: the interpreter's WebAssembly kernel (what the cpu interpreter
 * calls), the plain TypeScript reference (for information), onnxruntime-node and
 * onnxruntime-web running a one-node MatMul model with both operands as inputs (so neither
 * runtime can pre-pack B; our kernel packs B on every call too). Every timed call includes
 * copying the operands in and the result out, for all implementations.
 */
import { gemmRef } from "../../packages/backends/src/cpu/kernels/gemm-ref.js";
import { createGemm } from "../../packages/backends/src/cpu/kernels/gemm-wasm.js";
import { randomF32 } from "../../packages/backends/src/cpu/kernels/test-util.js";
import { timeRoundRobin, type Contender } from "../lib/measure.js";
import { matmulModel } from "../lib/onnx-matmul.js";
import { maxRelDiff, nodeTensor, ortNodeSession, ortWebSession, webTensor } from "../lib/ort.js";
import type { BenchCase, BenchContext, Measurement } from "../lib/types.js";

const SIZES = [256, 512, 1024];
/** The TypeScript reference takes ~1 s at 512 (n^3 scaling): not run above this size. */
const REF_MAX = 512;

async function runSize(ctx: BenchContext, n: number): Promise<Measurement[]> {
  const name = `f32 gemm ${n}x${n}x${n}`;
  const a = randomF32(n * n, 1);
  const b = randomF32(n * n, 2);
  const flops = 2 * n * n * n;
  const rows: Measurement[] = [];
  const contenders: Contender[] = [];
  const notes = new Map<string, string>();

  const ours = await createGemm({ threads: ctx.threads });
  const ys = ours.gemm({ m: n, n, k: n, a, b });
  contenders.push({ impl: "quantpass-wasm", run: () => ours.gemm({ m: n, n, k: n, a, b }) });

  const model = matmulModel(n, n, n);
  const node = await ortNodeSession(model, ctx.threads);
  const nodeFeeds = { A: nodeTensor("float32", a, [n, n]), B: nodeTensor("float32", b, [n, n]) };
  const yNode = (await node.run(nodeFeeds)).Y!.data as Float32Array;
  contenders.push({ impl: "ort-node", run: () => node.run(nodeFeeds) });
  notes.set("quantpass-wasm", `max rel diff vs ort-node ${maxRelDiff(ys, yNode).toExponential(1)}`);

  try {
    const web = await ortWebSession(model, ctx.threads);
    const webFeeds = { A: webTensor("float32", a, [n, n]), B: webTensor("float32", b, [n, n]) };
    await web.run(webFeeds);
    contenders.push({ impl: "ort-web", run: () => web.run(webFeeds) });
  } catch (e) {
    rows.push({ case: "gemm", name, impl: "ort-web", threads: ctx.threads, status: "unsupported", note: String(e) });
  }

  if (ctx.threads === 1) {
    if (n <= REF_MAX) contenders.push({ impl: "quantpass-ts-ref", run: () => gemmRef({ m: n, n, k: n, a, b }), budgetMs: 2000 });
    else rows.push({ case: "gemm", name, impl: "quantpass-ts-ref", threads: 1, status: "skipped", note: `not run above ${REF_MAX} (time budget)` });
  } else {
    rows.push({ case: "gemm", name, impl: "quantpass-ts-ref", threads: ctx.threads, status: "unsupported", note: "single-threaded by design" });
  }

  const timings = await timeRoundRobin(contenders, {
    warmup: ctx.quick ? 1 : 2,
    iterations: ctx.quick ? 3 : n >= 1024 ? 7 : 15,
    budgetMs: ctx.quick ? 500 : 4000,
  });
  await ours.close();
  for (const t of timings) {
    rows.push({
      case: "gemm", name, impl: t.impl, threads: ctx.threads, status: "ok",
      medianMs: t.medianMs, minMs: t.minMs, iterations: t.iterations, flops,
      ...(notes.has(t.impl) || t.cold ? { note: [notes.get(t.impl), t.cold ? "one cold run" : ""].filter(Boolean).join("; ") } : {}),
    });
  }
  return rows;
}

export const gemmCase: BenchCase = {
  name: "gemm",
  ours: "quantpass-wasm",
  async run(ctx) {
    const rows: Measurement[] = [];
    for (const n of SIZES) {
      ctx.log(`gemm ${n} (${ctx.threads} thread${ctx.threads > 1 ? "s" : ""})`);
      rows.push(...(await runSize(ctx, n)));
    }
    return rows;
  },
};
