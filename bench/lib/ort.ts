/** onnxruntime-node and onnxruntime-web (WebAssembly backend, in Node) sessions for the bench. */
import * as ortNode from "onnxruntime-node";
import * as ortWeb from "onnxruntime-web";

export type OrtTensor = ortNode.Tensor;

/** onnxruntime-node, CPU EP, `threads` intra-op threads, sequential execution. */
export async function ortNodeSession(model: Uint8Array, threads: number): Promise<ortNode.InferenceSession> {
  return ortNode.InferenceSession.create(model, {
    executionProviders: ["cpu"],
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    executionMode: "sequential",
    graphOptimizationLevel: "all",
  });
}

let webThreads: number | undefined;

/**
 * onnxruntime-web's wasm backend in Node. Its thread count is fixed when its wasm first
 * initialises, once per process: that is why run.ts runs each thread count in a child process.
 */
export async function ortWebSession(model: Uint8Array, threads: number): Promise<ortWeb.InferenceSession> {
  if (webThreads === undefined) {
    ortWeb.env.wasm.numThreads = threads;
    ortWeb.env.wasm.proxy = false;
    webThreads = threads;
  } else if (webThreads !== threads) {
    throw new Error(`onnxruntime-web was initialised with ${webThreads} threads in this process`);
  }
  return ortWeb.InferenceSession.create(model, { executionProviders: ["wasm"], graphOptimizationLevel: "all" });
}

export function nodeTensor(type: "float32", data: Float32Array, dims: number[]): ortNode.Tensor;
export function nodeTensor(type: "int64", data: BigInt64Array, dims: number[]): ortNode.Tensor;
export function nodeTensor(type: "float32" | "int64", data: Float32Array | BigInt64Array, dims: number[]): ortNode.Tensor {
  return new ortNode.Tensor(type, data, dims);
}

export function webTensor(type: "float32", data: Float32Array, dims: number[]): ortWeb.Tensor;
export function webTensor(type: "int64", data: BigInt64Array, dims: number[]): ortWeb.Tensor;
export function webTensor(type: "float32" | "int64", data: Float32Array | BigInt64Array, dims: number[]): ortWeb.Tensor {
  return new ortWeb.Tensor(type, data, dims);
}

/** Largest |x - y| / max(1, |y|). */
export function maxRelDiff(x: ArrayLike<number>, y: ArrayLike<number>): number {
  let d = 0;
  for (let i = 0; i < y.length; i++) d = Math.max(d, Math.abs(x[i]! - y[i]!) / Math.max(1, Math.abs(y[i]!)));
  return d;
}
