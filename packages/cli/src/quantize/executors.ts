/**
 * The executors `quantize` runs graphs with: the cpu interpreter (default) or onnxruntime-node
 * (`--executor ort`, faster calibration and evaluation). The OrtExecutor runs graphs at every
 * stage itself (observe as Identity, fake_quant as QuantizeLinear/DequantizeLinear, int graphs
 * as QDQ; see backends/src/onnx/ort-lowering.ts), so calibration fetches the observer outputs
 * from onnxruntime with no rewriting here; its session cache (one per graph object and fetch
 * set) applies across calibration batches.
 */
import { UserError, type Executor } from "@quantpass/ir";

export type ExecutorName = "cpu" | "ort";
export const EXECUTORS: readonly ExecutorName[] = ["cpu", "ort"];

export function parseExecutorName(v: string): ExecutorName {
  const name = v.trim().toLowerCase();
  if (name === "cpu" || name === "ort") return name;
  if (name === "onnxruntime") return "ort";
  throw new UserError(`--executor '${v}': unknown executor (executors: cpu, ort)`, "--executor");
}

/** Creates the executor named on the command line (backends are loaded on first use). */
export async function createExecutor(name: ExecutorName): Promise<Executor> {
  const backends = await import("@quantpass/backends");
  if (name === "cpu") return new backends.CpuInterpreter();
  return new backends.OrtExecutor({ optimization: "basic" });
}
