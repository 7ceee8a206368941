/**
 * The cpu interpreter on the four real models: outputs within 1e-4 of onnxruntime-node,
 * relative to the largest output magnitude.
 */
import { readFileSync } from "node:fs";
import * as ort from "onnxruntime-node";
import { describe, expect, it } from "vitest";
import type { Tensor } from "@quantpass/ir";
// Test-only: the frontend loads the models (backends itself does not depend on it).
import { loadOnnx } from "@quantpass/frontends";
import { fromOrt, toOrt } from "../onnx/ort-tensor.js";
import { maxAbs, maxAbsDiff, MODEL_CASES } from "../onnx/test-models.js";
import { missingKernels } from "./conformance-cases.js";
import { CpuInterpreter } from "./interpreter.js";

async function oracle(path: string, feeds: Record<string, Tensor>): Promise<Record<string, Tensor>> {
  const s = await ort.InferenceSession.create(readFileSync(path), { graphOptimizationLevel: "basic", logSeverityLevel: 3 });
  try {
    const out = await s.run(Object.fromEntries(Object.entries(feeds).map(([k, t]) => [k, toOrt(t, k)])));
    return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, fromOrt(v, k)]));
  } finally {
    await s.release();
  }
}

describe("cpu interpreter on real models matches onnxruntime-node", () => {
  it.each(MODEL_CASES)("$name", async ({ path, feeds }) => {
    const graph = loadOnnx(path);
    expect(missingKernels(graph), "ops without a cpu kernel").toEqual([]);
    const inputs = feeds();
    const want = await oracle(path, inputs);
    const got = new CpuInterpreter().runSync(graph, inputs);
    for (const [k, w] of Object.entries(want)) {
      expect(got[k]!.dtype).toBe(w.dtype);
      expect(got[k]!.shape).toEqual(w.shape);
      const rel = maxAbsDiff(got[k]!, w) / Math.max(maxAbs(w), 1e-12);
      expect(rel, `output ${k}: max |cpu - ort| / max |ort|`).toBeLessThanOrEqual(1e-4);
    }
  });
});
