/**
 * Per-layer SQNR: how much quantization noise each quantized layer's output carries.
 *
 *   SQNR(dB) = 10·log10( Σ y_float² / Σ (y_float − y_quant)² )
 *
 * summed over every element of the layer's output on a few batches, with y_float from the
 * float graph and y_quant from the quantized graph (fake-quant or int), both run with `fetch`.
 *
 * Name mapping: layers are matched by NODE name. The PTQ passes keep the names of the nodes
 * they quantize (a Gemm that becomes quant_matmul keeps its name) and the names of their
 * outputs, except that a graph output observed by insert-observers{outputs=true} moves to the
 * observer, its producer's output becoming `<name>.raw`. So the layer output compared is
 * `node.outputs[0]` of the node with the same name in each graph: in both graphs the layer's
 * own result, before any output quantization. A layer is a float-graph node of a layer op
 * (Conv, ConvTranspose, Gemm, MatMul) whose counterpart changed: it is a quantized op, it reads
 * a quantized value (the output of fake_quant / dequantize / dynamic_quant, or a quantized
 * constant), or one of its constant inputs is a different tensor (pruning). Nodes a pass
 * renamed or removed have no counterpart and are left out.
 */
import type { Executor, Graph, Node, Tensor } from "@quantpass/ir";

export const LAYER_OPS = new Set(["Conv", "ConvTranspose", "Gemm", "MatMul"]);
const QUANT_OPS = new Set(["quant_matmul", "weight_quant_matmul"]);
const QUANT_PRODUCERS = new Set(["fake_quant", "dequantize", "dynamic_quant", "quantize"]);

export interface Layer {
  /** Node name (the same in both graphs). */
  readonly name: string;
  readonly op: string;
  /** Op in the quantized graph (e.g. quant_matmul). */
  readonly quantOp: string;
  readonly floatValue: string;
  readonly quantValue: string;
}

export interface LayerSqnr extends Layer {
  /** dB; null when the outputs are identical (infinite SQNR) or the signal is zero. */
  readonly sqnrDb: number | null;
  readonly elements: number;
}

function changed(f: Graph, q: Graph, fn: Node, qn: Node): boolean {
  if (QUANT_OPS.has(qn.op) || qn.op !== fn.op) return true;
  const producer = new Map<string, Node>();
  for (const n of q.nodes) for (const o of n.outputs) producer.set(o, n);
  return qn.inputs.some((v, i) => {
    if (!v) return false;
    if (q.values[v]?.quant) return true;
    const p = producer.get(v);
    if (p && QUANT_PRODUCERS.has(p.op)) return true;
    const fv = fn.inputs[i];
    return v in q.constants && (!fv || f.constants[fv] !== q.constants[v]);
  });
}

/** The quantized layers, in float-graph order. */
export function matchLayers(float: Graph, quant: Graph): Layer[] {
  const byName = new Map(quant.nodes.map((n) => [n.name, n]));
  const out: Layer[] = [];
  for (const fn of float.nodes) {
    if (!LAYER_OPS.has(fn.op)) continue;
    const qn = byName.get(fn.name);
    const fv = fn.outputs[0];
    const qv = qn?.outputs[0];
    if (!qn || !fv || !qv || !quant.values[qv] || !changed(float, quant, fn, qn)) continue;
    out.push({ name: fn.name, op: fn.op, quantOp: qn.op, floatValue: fv, quantValue: qv });
  }
  return out;
}

/** Σ y² and Σ (y − ŷ)² accumulated over batches. */
class Acc {
  signal = 0;
  noise = 0;
  elements = 0;
  add(a: Tensor, b: Tensor): void {
    const x = a.toF32();
    const y = b.toF32();
    const n = Math.min(x.length, y.length);
    for (let i = 0; i < n; i++) {
      const s = x[i]!;
      const d = s - y[i]!;
      this.signal += s * s;
      this.noise += d * d;
    }
    this.elements += n;
  }
  db(): number | null {
    if (this.noise === 0 || this.signal === 0 || !Number.isFinite(this.signal / this.noise)) return null;
    return 10 * Math.log10(this.signal / this.noise);
  }
}

/**
 * Runs both graphs on each batch (at most `maxBatches`) with the layer outputs fetched, and
 * returns each layer's SQNR. Batches are the same feeds for both graphs.
 */
export async function layerSqnr(
  executor: Executor,
  float: Graph,
  quant: Graph,
  batches: Iterable<Readonly<Record<string, Tensor>>> | AsyncIterable<Readonly<Record<string, Tensor>>>,
  maxBatches = 4,
): Promise<LayerSqnr[]> {
  const layers = matchLayers(float, quant);
  if (!layers.length) return [];
  const accs = layers.map(() => new Acc());
  let k = 0;
  for await (const feeds of batches) {
    if (k++ >= maxBatches) break;
    const a = await executor.run(float, feeds, { fetch: layers.map((l) => l.floatValue) });
    const b = await executor.run(quant, feeds, { fetch: layers.map((l) => l.quantValue) });
    layers.forEach((l, i) => accs[i]!.add(a[l.floatValue]!, b[l.quantValue]!));
  }
  return layers.map((l, i) => ({ ...l, sqnrDb: accs[i]!.db(), elements: accs[i]!.elements }));
}
