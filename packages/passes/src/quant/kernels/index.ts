/**
 * The weight-quantization loops quant/weights.ts and quant/int-tensor.ts run: WebAssembly
 * SIMD where available, else plain TypeScript; QUANTPASS_WEIGHT_KERNELS=ts forces the
 * TypeScript loops. Both give the same bits (kernels.test.ts checks each against ir's
 * per-element definitions).
 */
import { tsKernels } from "./ts.js";
import type { WeightKernels } from "./types.js";
import { wasmKernels } from "./wasm.js";

export { tsKernels, wasmKernels, type WeightKernels };
export { forEachScaleRun } from "./runs.js";

export function weightKernels(): WeightKernels {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  if (env?.QUANTPASS_WEIGHT_KERNELS === "ts") return tsKernels;
  return wasmKernels() ?? tsKernels;
}
