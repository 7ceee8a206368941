/**
 * An Executor backed by onnxruntime-node: exports the graph (requested `fetch` values become
 * extra outputs), creates one InferenceSession per (graph object, fetch set) and reuses it.
 * Use optimization 'basic' (the default) for exact comparisons: at higher levels ORT fuses
 * DequantizeLinear→MatMul into kernels that change numerics.
 */
import * as ort from "onnxruntime-node";
import { UserError, type Executor, type Graph, type RunOptions, type Tensor } from "@quantpass/ir";
import { checkFeeds } from "../cpu/feeds.js";
import { exportOnnxBytes, type ExportOptions } from "./export.js";
import { fromOrt, toOrt } from "./ort-tensor.js";

export interface OrtExecutorOptions {
  /** Intra-op threads (default: onnxruntime's choice). */
  readonly threads?: number;
  /** Graph optimization level (default 'basic'). */
  readonly optimization?: "disabled" | "basic" | "extended" | "all";
  /** onnxruntime log severity: 0 verbose .. 4 fatal (default 3, errors only). */
  readonly logLevel?: 0 | 1 | 2 | 3 | 4;
  /** Export options (target opset, extra lowering rules). */
  readonly export?: ExportOptions;
}

type Sessions = Map<string, Promise<ort.InferenceSession>>;

export class OrtExecutor implements Executor {
  readonly name = "onnxruntime";
  private readonly cache = new WeakMap<Graph, Sessions>();
  private readonly live = new Set<Promise<ort.InferenceSession>>();
  /** Releases a graph's sessions once the graph is garbage. */
  private readonly finalizer = new FinalizationRegistry<Sessions>((sessions) => {
    for (const p of sessions.values()) {
      this.live.delete(p);
      void p.then((s) => s.release()).catch(() => undefined);
    }
  });

  constructor(private readonly opts: OrtExecutorOptions = {}) {}

  async run(graph: Graph, feeds: Readonly<Record<string, Tensor>>, opts: RunOptions = {}): Promise<Record<string, Tensor>> {
    checkFeeds(graph, feeds);
    const extra = [...new Set(opts.fetch ?? [])].filter((f) => !graph.outputs.includes(f));
    for (const f of extra) if (!graph.values[f]) throw new UserError(`onnxruntime: cannot fetch '${f}': the graph has no such value`, f);
    const session = await this.session(graph, extra);
    const inputs: Record<string, ort.Tensor> = {};
    for (const k of graph.inputs) inputs[k] = toOrt(feeds[k]!, k);
    const results = await session.run(inputs);
    const out: Record<string, Tensor> = {};
    for (const k of [...graph.outputs, ...extra]) {
      const v = results[k];
      if (!v) throw new Error(`onnxruntime: output '${k}' missing from the session results`);
      out[k] = fromOrt(v, k);
    }
    return out;
  }

  private session(graph: Graph, extra: readonly string[]): Promise<ort.InferenceSession> {
    let sessions = this.cache.get(graph);
    if (!sessions) {
      sessions = new Map();
      this.cache.set(graph, sessions);
      this.finalizer.register(graph, sessions);
    }
    const key = JSON.stringify(extra);
    let p = sessions.get(key);
    if (!p) {
      const g: Graph = extra.length ? { ...graph, outputs: [...graph.outputs, ...extra] } : graph;
      const bytes = exportOnnxBytes(g, this.opts.export);
      const options: ort.InferenceSession.SessionOptions = {
        graphOptimizationLevel: this.opts.optimization ?? "basic",
        executionMode: "sequential",
        logSeverityLevel: this.opts.logLevel ?? 3,
        ...(this.opts.threads ? { intraOpNumThreads: this.opts.threads, interOpNumThreads: 1 } : {}),
      };
      p = ort.InferenceSession.create(bytes, options);
      p.catch(() => sessions!.delete(key));
      sessions.set(key, p);
      this.live.add(p);
    }
    return p;
  }

  async dispose(): Promise<void> {
    const ps = [...this.live];
    this.live.clear();
    await Promise.all(ps.map((p) => p.then((s) => s.release()).catch(() => undefined)));
  }
}
