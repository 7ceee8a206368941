/**
 * Local sensitivity for the fallback search (`fallback.sensitivity: "local"`): instead of one
 * full-model evaluation per candidate layer, two runs over the batches — the float graph and
 * the all-quantized fake-quant graph — fetching every candidate layer L's float activation
 * input x_L and its output y_L in both:
 *
 *   x_L   input 0 of L; in the fake-quant graph the value BEFORE the fake_quant on it (the
 *         fake_quant's input), so x_L carries the noise of the layers before L only
 *   y_L   output 0 of L (before any fake_quant of the output, which L's readers see)
 *
 *   SQNR_in(L)  = 10·log10( Σ x² / Σ (x̂ − x)² )     SQNR_out(L) = the same for y
 *   drop(L)     = 10·log10( 10^(−SQNR_out/10) − 10^(−SQNR_in/10) )
 *
 * drop is the noise-to-signal ratio L adds (its output's minus its input's: the error of its
 * own weight and input quantization), in dB: higher is more sensitive, and every layer is on
 * the same scale whether or not its input is exact (then drop = −SQNR_out).
 *
 * Sums run per value over every element of every batch; one batch's tensors are held at a
 * time. Values are found by node name in each graph (the PTQ passes keep node names; a graph
 * output may be renamed `<name>.raw` in the quantized graph).
 * Edge cases: an input that is a graph input or constant is identical in both graphs
 * (SQNR_in = +∞, "input exact": the whole output error is L's own), and so is any input with
 * zero noise; then drop = −SQNR_out. Identical outputs, or an output whose
 * noise-to-signal ratio is no higher than its input's, give drop = −∞ (least sensitive). A zero signal with noise is −∞ dB, NaN noise counts as infinite noise.
 * Ranking: largest drop first, ties in candidate (node) order.
 */
import { producers, type Executor, type Graph, type Tensor } from "@quantpass/ir";
import { SqnrSums, type Feeds } from "./score.js";

export interface LocalSensitivity {
  readonly layer: string;
  /** SQNR (dB) of the layer's float input in the quantized graph (+∞: identical). */
  readonly sqnrIn: number;
  /** SQNR (dB) of the layer's output 0 in the quantized graph. */
  readonly sqnrOut: number;
  /** The noise-to-signal ratio the layer adds, in dB (−sqnrOut when sqnrIn = +∞, input exact). The order key, largest first. */
  readonly drop: number;
}

/** A layer's input and output values in one graph; input undefined when exact (graph input, constant, none). */
interface Taps {
  readonly input?: string;
  readonly output: string;
}

function taps(g: Graph, layers: readonly string[]): Taps[] {
  const byName = new Map(g.nodes.map((n) => [n.name, n]));
  const prod = producers(g);
  return layers.map((name) => {
    const n = byName.get(name);
    if (!n) throw new Error(`fallback: layer '${name}' is not a node of graph '${g.name}'`);
    let x: string | undefined = n.inputs[0] || undefined;
    const p = x ? prod.get(x) : undefined;
    if (p && (p.op === "fake_quant" || p.op === "observe")) x = p.inputs[0];
    const exact = !x || g.inputs.includes(x) || x in g.constants;
    return exact ? { output: n.outputs[0]! } : { input: x!, output: n.outputs[0]! };
  });
}

/** 10·log10(NSR_out − NSR_in) with NSR = 10^(−SQNR/10): −sqnrOut for an exact input, −∞ when nothing is added. */
export function localDrop(sqnrIn: number, sqnrOut: number): number {
  if (Number.isNaN(sqnrIn) || Number.isNaN(sqnrOut)) return -Infinity;
  if (sqnrIn === Infinity) return -sqnrOut;
  if (sqnrOut === -Infinity) return sqnrIn === -Infinity ? -Infinity : Infinity;
  const added = 10 ** (-sqnrOut / 10) - 10 ** (-sqnrIn / 10);
  return added > 0 ? 10 * Math.log10(added) : -Infinity;
}


/**
 * Runs `float` and `quantized` on every batch (one run each per batch) and measures every
 * layer's SQNR_in, SQNR_out and drop, in the order of `layers`.
 */
export async function localSensitivity(executor: Executor, float: Graph, quantized: Graph, layers: readonly string[], feeds: readonly Feeds[]): Promise<LocalSensitivity[]> {
  const tf = taps(float, layers);
  const tq = taps(quantized, layers);
  const fetchOf = (t: Taps[]) => [...new Set(t.flatMap((x) => (x.input ? [x.input, x.output] : [x.output])))];
  const [ff, fq] = [fetchOf(tf), fetchOf(tq)];
  const sums = layers.map(() => ({ x: new SqnrSums(), y: new SqnrSums(), inputExact: true }));
  for (const f of feeds) {
    const rf = await executor.run(float, f, { fetch: ff });
    const rq = await executor.run(quantized, f, { fetch: fq });
    const get = (r: Record<string, Tensor>, v: string) => {
      const t = r[v];
      if (!t) throw new Error(`executor '${executor.name}' returned no value for fetched '%${v}'`);
      return t;
    };
    layers.forEach((name, k) => {
      const [a, b, s] = [tf[k]!, tq[k]!, sums[k]!];
      if (a.input && b.input) {
        s.inputExact = false;
        s.x.add(get(rf, a.input).toF32(), get(rq, b.input).toF32(), `the input of '${name}'`);
      }
      s.y.add(get(rf, a.output).toF32(), get(rq, b.output).toF32(), `the output of '${name}'`);
    });
  }
  return layers.map((layer, k) => {
    const s = sums[k]!;
    const sqnrIn = s.inputExact ? Infinity : s.x.db();
    const sqnrOut = s.y.db();
    return { layer, sqnrIn, sqnrOut, drop: localDrop(sqnrIn, sqnrOut) };
  });
}

/** The layers by decreasing drop; equal drops keep the given (node) order. */
export function rankByDrop(s: readonly LocalSensitivity[]): string[] {
  return s
    .map((x, k) => ({ x, k }))
    .sort((a, b) => (a.x.drop === b.x.drop ? a.k - b.k : a.x.drop > b.x.drop ? -1 : 1))
    .map((e) => e.x.layer);
}
