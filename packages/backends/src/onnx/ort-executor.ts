/**
 * An Executor backed by onnxruntime-node, for graphs at every stage (float, observed,
 * calibrated, fake-quant, int): ort-lowering.ts turns `observe` into Identity, `fake_quant` of
 * a weight into the interpreter's constant and of an activation into QuantizeLinear →
 * DequantizeLinear, and int ops into QDQ (lowerQuantized); requested `fetch` values become
 * extra outputs. One InferenceSession per (graph object, fetch set), reused across runs and
 * released when the graph is garbage, when more than `maxSessions` are open (least recently
 * used first), by release(graph) or by dispose().
 * Use optimization 'basic' (the default) for exact comparisons: at higher levels ORT fuses
 * DequantizeLinear→MatMul into kernels that change numerics.
 */
import * as ort from "onnxruntime-node";
import { UnsupportedOpError, UserError, type Executor, type Graph, type RunOptions, type Tensor } from "@quantpass/ir";
import { checkFeeds } from "../cpu/feeds.js";
import { exportOnnxBytes, type ExportOptions } from "./export.js";
import { lowerForOrt } from "./ort-lowering.js";
import { fromOrt, toOrt } from "./ort-tensor.js";
import type { QuantFormat } from "./quant/export-quant.js";

export interface OrtExecutorOptions {
  /** Intra-op threads (default: onnxruntime's choice). */
  readonly threads?: number;
  /** Graph optimization level (default 'basic'). */
  readonly optimization?: "disabled" | "basic" | "extended" | "all";
  /** onnxruntime log severity: 0 verbose .. 4 fatal (default 3, errors only). */
  readonly logLevel?: 0 | 1 | 2 | 3 | 4;
  /** Export options (target opset, extra lowering rules). */
  readonly export?: ExportOptions;
  /** How int graphs are written (default 'qdq': the interpreter's insert-dequant{unfuse=true} graph). */
  readonly intFormat?: QuantFormat;
  /**
   * Let onnxruntime run its QDQ graph transformers (default false: session.disable_quant_qdq=1).
   * At 'basic' they already change numerics: WeightBiasQuantization quantizes a float weight
   * whose node reads a DequantizeLinear (a fake-quant graph's folded weights) to int8.
   */
  readonly qdqTransforms?: boolean;
  /** Open sessions kept before the least recently used idle one is released (default 8). */
  readonly maxSessions?: number;
}

interface Entry {
  readonly sessions: Map<string, Entry>;
  readonly key: string;
  readonly session: Promise<ort.InferenceSession>;
  /** Runs in flight; a dropped entry is released when the last one ends. */
  busy: number;
  dropped: boolean;
}

function releaseSession(e: Entry): Promise<void> {
  return e.session.then((s) => s.release()).catch(() => undefined);
}

export class OrtExecutor implements Executor {
  readonly name = "onnxruntime";
  private cache = new WeakMap<Graph, Map<string, Entry>>();
  /** Open sessions, least recently used first. */
  private readonly lru = new Set<Entry>();
  /** Releases a graph's sessions once the graph is garbage. */
  private readonly finalizer = new FinalizationRegistry<Map<string, Entry>>((sessions) => {
    for (const e of sessions.values()) if (this.lru.delete(e)) void releaseSession(e);
    sessions.clear();
  });

  constructor(private readonly opts: OrtExecutorOptions = {}) {}

  /** Sessions currently open (for tests and memory checks). */
  get openSessions(): number {
    return this.lru.size;
  }

  async run(graph: Graph, feeds: Readonly<Record<string, Tensor>>, opts: RunOptions = {}): Promise<Record<string, Tensor>> {
    checkFeeds(graph, feeds);
    const extra = [...new Set(opts.fetch ?? [])].filter((f) => !graph.outputs.includes(f));
    for (const f of extra) if (!graph.values[f]) throw new UserError(`onnxruntime: cannot fetch '${f}': the graph has no such value`, f);
    const e = this.entry(graph, extra);
    try {
      const session = await e.session;
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
    } finally {
      e.busy--;
      if (e.dropped && e.busy === 0) void releaseSession(e);
      this.trim();
    }
  }

  /** The cached or new session entry, marked busy (the caller ends the run). */
  private entry(graph: Graph, extra: readonly string[]): Entry {
    let sessions = this.cache.get(graph);
    if (!sessions) {
      sessions = new Map();
      this.cache.set(graph, sessions);
      this.finalizer.register(graph, sessions);
    }
    const key = JSON.stringify(extra);
    let e = sessions.get(key);
    if (e) {
      this.lru.delete(e);
      this.lru.add(e);
      e.busy++;
      return e;
    }
    const g: Graph = extra.length ? { ...graph, outputs: [...graph.outputs, ...extra] } : graph;
    const lowered = lowerForOrt(g, this.opts.intFormat ?? "qdq", this.opts.export?.opset);
    for (const o of lowered.graph.outputs) {
      const t = lowered.graph.values[o];
      // onnxruntime-node 1.30 aborts the process when it hands back an int4 tensor.
      if (t && (t.dtype === "i4" || t.dtype === "u4"))
        throw new UnsupportedOpError(`onnxruntime: cannot return '${o}' (${t.dtype}): onnxruntime-node cannot output int4 tensors; fetch its dequantized value`, o);
    }
    const bytes = exportOnnxBytes(lowered.graph, { ...this.opts.export, ...(lowered.opset !== undefined ? { opset: lowered.opset } : {}) });
    const options: ort.InferenceSession.SessionOptions = {
      graphOptimizationLevel: this.opts.optimization ?? "basic",
      executionMode: "sequential",
      logSeverityLevel: this.opts.logLevel ?? 3,
      ...(this.opts.qdqTransforms ? {} : { extra: { session: { disable_quant_qdq: "1" } } }),
      ...(this.opts.threads ? { intraOpNumThreads: this.opts.threads, interOpNumThreads: 1 } : {}),
    };
    const map = sessions;
    const created: Entry = { sessions: map, key, session: ort.InferenceSession.create(bytes, options), busy: 1, dropped: false };
    created.session.catch(() => {
      if (map.get(key) === created) map.delete(key);
      this.lru.delete(created);
    });
    map.set(key, created);
    this.lru.add(created);
    this.trim();
    return created;
  }

  /** Releases idle least-recently-used sessions beyond maxSessions. */
  private trim(): void {
    const max = Math.max(1, this.opts.maxSessions ?? 8);
    for (const e of this.lru) {
      if (this.lru.size <= max) break;
      if (e.busy > 0) continue;
      this.drop(e);
    }
  }

  /** Forgets an entry; its session is released now, or when its last run ends. */
  private drop(e: Entry): Promise<void> {
    this.lru.delete(e);
    if (e.sessions.get(e.key) === e) e.sessions.delete(e.key);
    e.dropped = true;
    return e.busy === 0 ? releaseSession(e) : Promise.resolve();
  }

  /** Releases the sessions of one graph (they are recreated if the graph runs again). */
  async release(graph: Graph): Promise<void> {
    const sessions = this.cache.get(graph);
    if (sessions) await Promise.all([...sessions.values()].map((e) => this.drop(e)));
  }

  /** Releases every session (runs in flight finish first). The executor stays usable. */
  async dispose(): Promise<void> {
    const es = [...this.lru];
    this.cache = new WeakMap();
    await Promise.all(es.map((e) => this.drop(e)));
  }
}
