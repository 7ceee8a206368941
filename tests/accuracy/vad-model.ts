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
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { CpuInterpreter } from "@quantpass/backends";
import { parseGraph, printGraph, verify, type Graph } from "@quantpass/ir";
import { runPipeline } from "../../packages/passes/src/index.js";
import { ROOT } from "./tools.js";

export const VAD16K_PIPELINE = "bind-inputs{sr=16000},fold-constants,inline-if,dce";

/** The silero graph g with sr bound to 16000 and the sample-rate If inlined. */
export async function flattenVad16k(g: Graph): Promise<Graph> {
  const flat = (await runPipeline(g, VAD16K_PIPELINE, { executor: new CpuInterpreter() })).graph;
  if (flat.nodes.some((n) => n.op === "If") || flat.inputs.includes("sr"))
    throw new Error("silero VAD: expected one If over the sample rate, decided once sr is bound");
  verify(flat);
  return flat;
}

/**
 * flattenVad16k for synchronous callers (vad.test.ts): fold-constants evaluates through an
 * Executor, which is asynchronous, so the pipeline runs in a child process; the graph goes
 * there and back as text IR, which prints constants exactly.
 */
export function vad16k(g: Graph): Graph {
  const dir = mkdtempSync(join(tmpdir(), "vad16k-"));
  try {
    const [src, dst] = [join(dir, "in.qir"), join(dir, "out.qir")];
    writeFileSync(src, printGraph(g));
    const r = spawnSync(process.execPath, ["--import", "tsx", fileURLToPath(import.meta.url), src, dst], { cwd: ROOT, encoding: "utf8" });
    if (r.status !== 0) throw new Error(`silero VAD: ${VAD16K_PIPELINE} failed in the child process: ${r.stderr || r.error?.message}`);
    return parseGraph(readFileSync(dst, "utf8"), dst);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [src, dst] = process.argv.slice(2) as [string, string];
  writeFileSync(dst, printGraph(await flattenVad16k(parseGraph(readFileSync(src, "utf8"), src))));
}
