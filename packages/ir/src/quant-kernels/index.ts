/**
 * Quantization loops over whole f32 tensors, shared by passes (weight quantization: rtn,
 * fold-to-int) and the cpu interpreter (quantize, dequantize, fake_quant kernels):
 * WebAssembly SIMD where available, else plain TypeScript; QUANTPASS_WEIGHT_KERNELS=ts
 * forces the TypeScript loops. Both give the same bits as ir's per-element quantizeValue /
 * dequantizeValue (kernels.test.ts here, and the passes and backends tests, check them).
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
