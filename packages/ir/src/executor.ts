import type { Graph } from "./graph.js";
import type { Tensor } from "./tensor.js";

export interface RunOptions {
  /** Extra value names to return besides the graph outputs (observer taps). */
  readonly fetch?: readonly string[];
}

/**
 * Runs a graph. Implemented by the cpu interpreter and the onnxruntime-node
 * executor in @quantpass/backends; passes (calibration) receive one from their caller.
 */
export interface Executor {
  readonly name: string;
  run(graph: Graph, feeds: Readonly<Record<string, Tensor>>, opts?: RunOptions): Promise<Record<string, Tensor>>;
  /** Releases sessions, workers and other resources. */
  dispose?(): Promise<void> | void;
}
