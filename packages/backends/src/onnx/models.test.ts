/**
 * The four real models through quantpass: lower every op, verify the IR, export, and check
 * that onnxruntime-node gives the same outputs on the exported file as on the original.
 */
import { readFileSync } from "node:fs";
import * as ort from "onnxruntime-node";
import { afterAll, describe, expect, it } from "vitest";
import { verify, type Tensor } from "@quantpass/ir";
// Test-only: the frontend loads the models (backends itself does not depend on it).
import { loadOnnx, lowerOnnx } from "@quantpass/frontends";
import { decodeOnnx } from "@quantpass/formats";
import { exportOnnxBytes } from "./export.js";
import { OrtExecutor } from "./ort-executor.js";
import { fromOrt, toOrt } from "./ort-tensor.js";
import { maxAbsDiff, MODEL_CASES } from "./test-models.js";

async function runOriginal(path: string, feeds: Record<string, Tensor>): Promise<Record<string, Tensor>> {
  const s = await ort.InferenceSession.create(readFileSync(path), { graphOptimizationLevel: "basic", logSeverityLevel: 3 });
  try {
    const out = await s.run(Object.fromEntries(Object.entries(feeds).map(([k, t]) => [k, toOrt(t, k)])));
    return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, fromOrt(v, k)]));
  } finally {
    await s.release();
  }
}

describe("real models: ONNX → IR → ONNX runs the same in onnxruntime", () => {
  const executor = new OrtExecutor({ threads: 2 });
  afterAll(() => executor.dispose());

  it.each(MODEL_CASES)("$name", async ({ path, feeds }) => {
    const graph = loadOnnx(path);
    verify(graph);
    const inputs = feeds();
    const want = await runOriginal(path, inputs);
    const got = await executor.run(graph, inputs);
    expect(Object.keys(got).sort()).toEqual(Object.keys(want).sort());
    for (const [k, w] of Object.entries(want)) {
      expect(got[k]!.shape).toEqual(w.shape);
      expect(maxAbsDiff(got[k]!, w), `output ${k}`).toBeLessThanOrEqual(1e-5);
    }
  });

  it.each(MODEL_CASES)("$name: export is deterministic and a fixed point of lower ∘ export", ({ path }) => {
    const graph = loadOnnx(path);
    const a = exportOnnxBytes(graph);
    expect(Buffer.from(exportOnnxBytes(graph)).equals(Buffer.from(a))).toBe(true);
    const again = lowerOnnx(decodeOnnx(a));
    const b = exportOnnxBytes(again);
    expect(Buffer.from(exportOnnxBytes(lowerOnnx(decodeOnnx(b)))).equals(Buffer.from(b))).toBe(true);
  });
});
