/**
 * Silero VAD at 16 kHz as a flat graph. The opset-18 model computes
 * `If(sr == 16000, then: 16 kHz network, else: 8 kHz network)`, and the PTQ passes only see
 * top-level nodes, so the tests run the graph-structure passes (docs/quantization.md):
 * bind sr = 16000, fold the condition chain to a constant, inline the taken branch (its nodes
 * read the outer input, state and weights), and drop the 8 kHz weights.
 *
 *   %eq = Equal(Gather(Reshape(%sr)), 16000)            →     (then-branch nodes)
 *   %output, %stateN = If(%eq) {then_branch=..., ...}          output %output, %stateN
 *
 * The flat graph gives the original's outputs at sr = 16000 bit for bit
 * (packages/passes/src/structure/silero.test.ts).
 */
import { CpuInterpreter } from "@quantpass/backends";
import { verify, type Graph } from "@quantpass/ir";
import { runPipeline } from "../../packages/passes/src/index.js";

export const VAD16K_PIPELINE = "bind-inputs{sr=16000},fold-constants,inline-if,dce";

/** The silero graph g with sr bound to 16000 and the sample-rate If inlined. */
export async function flattenVad16k(g: Graph): Promise<Graph> {
  const flat = (await runPipeline(g, VAD16K_PIPELINE, { executor: new CpuInterpreter() })).graph;
  if (flat.nodes.some((n) => n.op === "If") || flat.inputs.includes("sr"))
    throw new Error("silero VAD: expected one If over the sample rate, decided once sr is bound");
  verify(flat);
  return flat;
}
