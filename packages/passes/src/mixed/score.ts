/**
 * Scores of a quantized graph against its float graph, for the accuracy-driven fallback
 * search (search.ts, config/fallback.ts). Both read the graph outputs positionally (the PTQ
 * passes keep graph output names and order), over the same feeds:
 *
 *   sqnr   min over outputs k of 10·log10( Σ y_k² / Σ (y_k − ŷ_k)² ), each output's sums pooled
 *          over every element of every batch; +Infinity when identical (and never NaN: a zero
 *          signal with noise is -Infinity)
 *   top1   fraction of positions where argmax over the LAST axis of the first output agrees
 *          (a classifier's [N, C] logits: per sample; a CTC head's [N, T, C]: per time step);
 *          argmax ties go to the lowest index, as numpy's
 *
 * Higher is better for both. A Scorer runs the float graph once (`reference`) and then any
 * number of candidate graphs with the same Executor.
 */
import { UserError, type Executor, type Graph, type Tensor } from "@quantpass/ir";
import type { CalibrationData } from "../pass.js";

export type Feeds = Readonly<Record<string, Tensor>>;
export type BuiltinMetric = "sqnr" | "top1";

/** The graph outputs of every batch, as f32 arrays in graph output order. */
export type Outputs = Float32Array[][];

/** Collects at most `limit` batches (0: all) of calibration data into memory. */
export async function collectFeeds(data: CalibrationData, limit = 0): Promise<Feeds[]> {
  const out: Feeds[] = [];
  for await (const f of data.batches()) {
    if (limit && out.length >= limit) break;
    out.push(f);
  }
  if (!out.length) throw new UserError("fallback: the calibration data has no batches to score on");
  return out;
}

/** Runs g on every batch and returns its outputs (f32) in graph output order. */
export async function runOutputs(executor: Executor, g: Graph, feeds: readonly Feeds[]): Promise<{ outputs: Outputs; shapes: number[][] }> {
  const outputs: Outputs = [];
  let shapes: number[][] = [];
  for (const f of feeds) {
    const r = await executor.run(g, f);
    outputs.push(
      g.outputs.map((o) => {
        const t = r[o];
        if (!t) throw new Error(`executor '${executor.name}' returned no value for graph output '%${o}'`);
        return t.toF32();
      }),
    );
    shapes = g.outputs.map((o) => [...r[o]!.shape]);
  }
  return { outputs, shapes };
}

/**
 * Σ ref² and Σ (got − ref)² accumulated over batches; NaN differences count as infinite noise.
 * db(): +∞ without noise, −∞ for noise on a zero signal.
 */
export class SqnrSums {
  sig = 0;
  noise = 0;
  add(ref: Float32Array, got: Float32Array, what: string): void {
    if (got.length !== ref.length) throw new Error(`fallback: ${what} has ${got.length} elements in the quantized graph and ${ref.length} in the float graph`);
    for (let i = 0; i < ref.length; i++) {
      const d = got[i]! - ref[i]!;
      this.sig += ref[i]! * ref[i]!;
      this.noise += Number.isNaN(d) ? Infinity : d * d;
    }
  }
  db(): number {
    return this.noise === 0 ? Infinity : this.sig === 0 ? -Infinity : 10 * Math.log10(this.sig / this.noise);
  }
}

/** The lowest per-output SQNR (dB) of `got` against `ref`. */
export function sqnrScore(ref: Outputs, got: Outputs): number {
  const n = ref[0]?.length ?? 0;
  let worst = Infinity;
  for (let k = 0; k < n; k++) {
    const sums = new SqnrSums();
    ref.forEach((batch, b) => sums.add(batch[k]!, got[b]![k]!, `output ${k}`));
    worst = Math.min(worst, sums.db());
  }
  return worst;
}

function argmax(x: Float32Array, start: number, len: number): number {
  let best = 0;
  for (let c = 1; c < len; c++) if (x[start + c]! > x[start + best]!) best = c;
  return best;
}

/** Fraction of positions where the argmax over the last axis of output 0 agrees. */
export function top1Score(ref: Outputs, got: Outputs, lastDim: number): number {
  if (lastDim < 1) throw new UserError("fallback: metric top1 needs a first graph output with a non-empty last axis");
  let agree = 0;
  let total = 0;
  ref.forEach((batch, b) => {
    const y = batch[0]!;
    const q = got[b]![0]!;
    for (let s = 0; s < y.length; s += lastDim) {
      if (argmax(y, s, lastDim) === argmax(q, s, lastDim)) agree++;
      total++;
    }
  });
  return total ? agree / total : 1;
}

export interface Scorer {
  /** Scores a graph with the same inputs and outputs as the float graph (higher is better). */
  score(g: Graph): Promise<number>;
}

/** Runs the float graph once over `feeds`; the scorer compares candidates with its outputs. */
export async function builtinScorer(metric: BuiltinMetric, executor: Executor, float: Graph, feeds: readonly Feeds[]): Promise<Scorer> {
  const { outputs: ref, shapes } = await runOutputs(executor, float, feeds);
  const last = shapes[0]?.[shapes[0].length - 1] ?? 1;
  return {
    async score(g) {
      const { outputs } = await runOutputs(executor, g, feeds);
      return metric === "sqnr" ? sqnrScore(ref, outputs) : top1Score(ref, outputs, last);
    },
  };
}
