/**
 * The executors `quantize` runs graphs with: the cpu interpreter (default) or onnxruntime-node
 * (`--executor ort`, faster calibration and evaluation of float graphs).
 *
 * onnxruntime has no `observe` op, so the ORT executor runs an observed graph with every
 * `observe` replaced by an `Identity` of the same output name (an observer passes its input
 * through; calibration fetches the observer outputs, which ORT then returns as extra graph
 * outputs). The rewritten graph is cached per graph object, so the OrtExecutor's session cache
 * (one session per graph object and fetch set) still applies across calibration batches.
 */
import { UserError, type Executor, type Graph, type RunOptions, type Tensor } from "@quantpass/ir";

export type ExecutorName = "cpu" | "ort";
export const EXECUTORS: readonly ExecutorName[] = ["cpu", "ort"];

export function parseExecutorName(v: string): ExecutorName {
  const name = v.trim().toLowerCase();
  if (name === "cpu" || name === "ort") return name;
  if (name === "onnxruntime") return "ort";
  throw new UserError(`--executor '${v}': unknown executor (executors: cpu, ort)`, "--executor");
}

/** Graph with observe → Identity (same outputs), or the graph itself when it has no observers. */
export function observersAsIdentity(g: Graph): Graph {
  if (!g.nodes.some((n) => n.op === "observe")) return g;
  return { ...g, stage: "float", nodes: g.nodes.map((n) => (n.op === "observe" ? { ...n, op: "Identity", attrs: {} } : n)) };
}

/** Wraps an onnxruntime executor so observed graphs run (observe → Identity). */
export class OrtCalibrationExecutor implements Executor {
  readonly name: string;
  private readonly rewritten = new WeakMap<Graph, Graph>();

  constructor(private readonly inner: Executor) {
    this.name = inner.name;
  }

  run(graph: Graph, feeds: Readonly<Record<string, Tensor>>, opts?: RunOptions): Promise<Record<string, Tensor>> {
    let g = this.rewritten.get(graph);
    if (!g) {
      g = observersAsIdentity(graph);
      this.rewritten.set(graph, g);
    }
    return this.inner.run(g, feeds, opts);
  }

  dispose(): Promise<void> | void {
    return this.inner.dispose?.();
  }
}

/** Creates the executor named on the command line (backends are loaded on first use). */
export async function createExecutor(name: ExecutorName): Promise<Executor> {
  const backends = await import("@quantpass/backends");
  if (name === "cpu") return new backends.CpuInterpreter();
  return new OrtCalibrationExecutor(new backends.OrtExecutor({ optimization: "basic" }));
}
