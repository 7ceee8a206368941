/**
 * Calibration on onnxruntime-node. `observe` has no ONNX form, so the OrtExecutor cannot run
 * an observed graph; this Executor hands it a copy in which every `observe` is an `Identity`
 * (same output names, so the calibrate pass fetches the observer outputs as usual). The
 * copy is made once per graph object, so OrtExecutor's session cache still applies.
 * The statistics may differ from the cpu interpreter's where the two runtimes round float32
 * differently.
 */
import { OrtExecutor, type OrtExecutorOptions } from "@quantpass/backends";
import type { Executor, Graph, RunOptions, Stage, Tensor } from "@quantpass/ir";

export class OrtCalibrationExecutor implements Executor {
  readonly name = "onnxruntime (observe as Identity)";
  private readonly ort: OrtExecutor;
  private readonly plain = new WeakMap<Graph, Graph>();

  constructor(opts: OrtExecutorOptions = {}) {
    this.ort = new OrtExecutor(opts);
  }

  run(graph: Graph, feeds: Readonly<Record<string, Tensor>>, opts?: RunOptions): Promise<Record<string, Tensor>> {
    let g = this.plain.get(graph);
    if (!g) {
      g = {
        ...graph,
        stage: (graph.stage === "observed" || graph.stage === "calibrated" ? "float" : graph.stage) as Stage,
        nodes: graph.nodes.map((n) => (n.op === "observe" ? { ...n, op: "Identity", attrs: {} } : n)),
      };
      this.plain.set(graph, g);
    }
    return this.ort.run(g, feeds, opts);
  }

  dispose(): Promise<void> | void {
    return this.ort.dispose?.();
  }
}
