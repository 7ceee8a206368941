/**
 * The hook through which model benches run the quantpass cpu interpreter: ONNX file →
 * @quantpass/frontends loadOnnx → IR graph → @quantpass/backends CpuInterpreter.runSync.
 *
 * When either piece is missing or cannot handle the model yet, the runner is reported as
 * unavailable with the reason (the bench prints "interpreter: not yet available"); no
 * number is ever made up for it.
 */
import type { Tensor } from "@quantpass/ir";

export interface InterpreterRunner {
  run(feeds: Record<string, Tensor>): Record<string, Tensor>;
}

export type InterpreterLoad = { runner: InterpreterRunner } | { unavailable: string };

export async function loadInterpreterRunner(modelPath: string, threads: number): Promise<InterpreterLoad> {
  if (threads !== 1) return { unavailable: "CpuInterpreter has no thread-count option yet (runs on the calling thread)" };
  let backends: Record<string, unknown>;
  let frontends: Record<string, unknown>;
  try {
    backends = (await import("@quantpass/backends")) as Record<string, unknown>;
    frontends = (await import("@quantpass/frontends")) as Record<string, unknown>;
  } catch (e) {
    return { unavailable: `cannot import the interpreter packages: ${firstLine(e)}` };
  }
  const Interp = backends.CpuInterpreter as
    | (new () => { runSync(g: unknown, feeds: Record<string, Tensor>): Record<string, Tensor> })
    | undefined;
  const loadOnnx = frontends.loadOnnx as ((path: string) => unknown) | undefined;
  if (!Interp) return { unavailable: "@quantpass/backends exports no CpuInterpreter" };
  if (!loadOnnx) return { unavailable: "@quantpass/frontends exports no loadOnnx" };
  try {
    const graph = loadOnnx(modelPath);
    const interp = new Interp();
    return { runner: { run: (feeds) => interp.runSync(graph, feeds) } };
  } catch (e) {
    return { unavailable: `loading the model failed: ${firstLine(e)}` };
  }
}

export function firstLine(e: unknown): string {
  return String(e instanceof Error ? e.message : e).split("\n")[0]!.slice(0, 200);
}
