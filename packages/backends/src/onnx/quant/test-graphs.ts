/**
 * Small float graphs for the quantized-export tests and the pipeline that turns them into int
 * graphs (test-only: imports the passes package like the other cross-package tests).
 */
import { GraphBuilder, type Graph, type Tensor } from "@quantpass/ir";
import { runPipeline } from "@quantpass/passes";
import { cpu, randomTensor } from "./test-util.js";

/** x[b,K] · W[K,H] → Relu → · W2[H,N] (no biases): QLinearMatMul sites. */
export function mlp(K: number, H: number, N: number, seed = 1): Graph {
  const b = new GraphBuilder("mlp");
  const x = b.input("x", "f32", ["b", K]);
  const w1 = b.constant("w1", randomTensor([K, H], seed, -0.5, 0.5));
  const w2 = b.constant("w2", randomTensor([H, N], seed + 1, -0.5, 0.5));
  const h = b.op1("Relu", [b.op1("MatMul", [x, w1], {}, { name: "mm1" })], {}, { name: "relu" });
  b.op1("MatMul", [h, w2], {}, { name: "mm2", outputs: ["y"] });
  return b.output("y").build();
}

/** Gemm(x[b,K], W[N,K], bias, transB=1). */
export function gemmT(K: number, N: number, seed = 3): Graph {
  const b = new GraphBuilder("gemm");
  const x = b.input("x", "f32", ["b", K]);
  const w = b.constant("w", randomTensor([N, K], seed, -0.5, 0.5));
  const bias = b.constant("bias", randomTensor([N], seed + 1, -0.2, 0.2));
  b.op1("Gemm", [x, w, bias], { transB: 1 }, { name: "fc", outputs: ["y"] });
  return b.output("y").build();
}

/** x[b,C,8,8] → Conv 3x3 (bias, pads 1) → Relu → MaxPool 2 → Flatten → Gemm(transB, bias) → y[b,N]. */
export function convNet(C: number, M: number, N: number, seed = 5): Graph {
  const b = new GraphBuilder("convnet");
  const x = b.input("x", "f32", ["b", C, 8, 8]);
  const w = b.constant("cw", randomTensor([M, C, 3, 3], seed, -0.4, 0.4));
  const cb = b.constant("cb", randomTensor([M], seed + 1, -0.1, 0.2));
  const fw = b.constant("fw", randomTensor([N, M * 16], seed + 2, -0.2, 0.2));
  const fb = b.constant("fb", randomTensor([N], seed + 3, -0.1, 0.1));
  const c = b.op1("Conv", [x, w, cb], { kernel_shape: [3, 3], pads: [1, 1, 1, 1] }, { name: "conv" });
  const r = b.op1("Relu", [c], {}, { name: "relu" });
  const p = b.op1("MaxPool", [r], { kernel_shape: [2, 2], strides: [2, 2] }, { name: "pool" });
  const f = b.op1("Flatten", [p], { axis: 1 }, { name: "flatten" });
  b.op1("Gemm", [f, fw, fb], { transB: 1 }, { name: "fc", outputs: ["y"] });
  return b.output("y").build();
}

/** Runs `pipeline` on g, calibrating (when it observes) on two random batches of `shape`. */
export async function quantize(g: Graph, pipeline: string, shape: readonly number[], seed = 11): Promise<Graph> {
  const batches = [0, 1].map((k) => ({ x: randomTensor(shape, seed + k, -1, 2) }));
  return (await runPipeline(g, pipeline, { executor: cpu, data: { size: batches.length, batches: () => batches } })).graph;
}

export async function unfused(int: Graph): Promise<Graph> {
  return (await runPipeline(int, "insert-dequant{unfuse=true}")).graph;
}

export function input(shape: readonly number[], seed: number): { x: Tensor } {
  return { x: randomTensor(shape, seed, -1, 2) };
}
