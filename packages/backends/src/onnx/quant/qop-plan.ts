/**
 * QOperator pattern recognition on the int graph (qop.ts emits what this finds).
 *
 * Sites (x: a per-tensor u8/i8 activation; w: u8/i8, per tensor or per output channel):
 *   conv:    Conv(dequantize(%xq), dequantize(%wq), %bias const?)   (w's zero points all equal)
 *   matmul:  quant_matmul(%xq, %w, %x_scale?, %bias?)  or  MatMul(dequantize(%xq), dequantize(%w)) with a 2-D w
 *
 * Output chain: from the site's output, single-reader non-output values through
 *   Relu | MaxPool (one output) | Flatten | Reshape | Squeeze | Unsqueeze | Transpose | Identity
 * (extra inputs constant) to a `quantize` that is per tensor, u8/i8. Quantization is monotone
 * and these ops only pick or move values, so quantize(chain(y)) = chain(quantize(y)) exactly;
 * Relu only when the quantize's zero point is its storage minimum (then saturation is Relu).
 * With such a chain the site is requantized by ONNX (QLinearConv; QLinearMatMul when there is
 * no bias and no per-token scale) and the chain runs on the integers; otherwise the site
 * becomes ConvInteger / MatMulInteger + Cast + Mul(x_scale · w_scale) (+ Add bias) in float.
 * The weight is written in the activation's signedness (qop.ts), so a site whose weight
 * storage differs from x's needs a constant weight; onnxruntime has no ConvInteger with
 * per-channel weight zero points (such a Conv stays QDQ).
 */
import { consumers, intRange, producers, type Graph, type Node, type QuantType } from "@quantpass/ir";

export interface QopSite {
  readonly kind: "conv" | "matmul";
  readonly anchor: Node;
  readonly xq: string;
  readonly w: string;
  /** Per-token x scale (quant_matmul input 2), or "". */
  readonly xScale: string;
  readonly bias: string;
  /** The absorbed chain and its final quantize, when requantized by a QLinear op. */
  readonly chain: readonly Node[];
  readonly q: Node | undefined;
}

export interface QopPlan {
  readonly sites: ReadonlyMap<string, QopSite>;
  /** Chain and quantize nodes a site emits (skipped where they stand). */
  readonly absorbed: ReadonlySet<string>;
}

const CHAIN_OPS = new Set(["Relu", "MaxPool", "Flatten", "Reshape", "Squeeze", "Unsqueeze", "Transpose", "Identity"]);
const Q8 = ["u8", "i8"];

const isQ8 = (q: QuantType | undefined): q is QuantType => !!q && Q8.includes(q.storage) && q.expressed === "f32";
const uniform = (z: Int32Array | null) => !z || z.every((v) => v === z[0]);

function weightOk(q: QuantType | undefined, outAxis: number): boolean {
  if (!isQ8(q)) return false;
  const g = q.granularity;
  return g.kind === "per-tensor" || (g.kind === "per-axis" && g.axis === outAxis);
}

export function planQop(g: Graph): QopPlan {
  const prod = producers(g);
  const cons = consumers(g);
  const outputs = new Set(g.outputs);
  const deq = (v: string | undefined) => {
    const p = v ? prod.get(v) : undefined;
    return p?.op === "dequantize" ? p.inputs[0]! : undefined;
  };
  const sites = new Map<string, QopSite>();
  const absorbed = new Set<string>();

  const chainOf = (y: string): { chain: Node[]; q: Node | undefined } => {
    const chain: Node[] = [];
    for (let v = y; ; ) {
      const rs = cons.get(v) ?? [];
      if (outputs.has(v) || rs.length !== 1) return { chain, q: undefined };
      const r = rs[0]!;
      if (r.inputs[0] !== v || r.inputs.slice(1).some((i) => i === v)) return { chain, q: undefined };
      if (r.op === "quantize") {
        const q = g.values[r.outputs[0]!]!.quant;
        const ok = isQ8(q) && q.granularity.kind === "per-tensor" && (!chain.some((c) => c.op === "Relu") || (q.zeroPoint?.[0] ?? 0) === intRange(q.storage)[0]);
        return { chain, q: ok ? r : undefined };
      }
      if (!CHAIN_OPS.has(r.op) || r.outputs.length !== 1 || r.inputs.slice(1).some((i) => i && !(i in g.constants))) return { chain, q: undefined };
      chain.push(r);
      v = r.outputs[0]!;
    }
  };

  for (const n of g.nodes) {
    let site: Omit<QopSite, "chain" | "q"> | undefined;
    if (n.op === "Conv") {
      const xq = deq(n.inputs[0]), w = deq(n.inputs[1]), bias = n.inputs[2] ?? "";
      const xt = xq ? g.values[xq]!.quant : undefined, wt = w ? g.values[w]!.quant : undefined;
      if (xq && w && isQ8(xt) && xt.granularity.kind === "per-tensor" && weightOk(wt, 0) && uniform(wt!.zeroPoint) && (!bias || bias in g.constants))
        site = { kind: "conv", anchor: n, xq, w, xScale: "", bias };
    } else if (n.op === "quant_matmul") {
      const [xq, w, xs, b] = n.inputs;
      const xt = g.values[xq!]!.quant;
      const tokenOk = xs ? xt?.granularity.kind === "per-token" && xt.storage === "i8" : isQ8(xt) && xt.granularity.kind === "per-tensor";
      if (tokenOk && weightOk(g.values[w!]!.quant, 1)) site = { kind: "matmul", anchor: n, xq: xq!, w: w!, xScale: xs ?? "", bias: b ?? "" };
    } else if (n.op === "MatMul") {
      const xq = deq(n.inputs[0]), w = deq(n.inputs[1]);
      const xt = xq ? g.values[xq]!.quant : undefined;
      if (xq && w && g.values[w]!.shape.length === 2 && isQ8(xt) && xt.granularity.kind === "per-tensor" && weightOk(g.values[w]!.quant, 1))
        site = { kind: "matmul", anchor: n, xq, w, xScale: "", bias: "" };
    }
    if (!site) continue;
    const xt = g.values[site.xq]!.quant!, wt = g.values[site.w]!.quant!;
    if (xt.storage !== wt.storage && !(site.w in g.constants)) continue;
    let { chain, q } = chainOf(n.outputs[0]!);
    const qlinear = q && (site.kind === "conv" || (!site.bias && !site.xScale));
    if (!qlinear) [chain, q] = [[], undefined];
    sites.set(n.name, { ...site, chain, q });
    if (q) for (const c of [...chain, q]) absorbed.add(c.name);
  }
  return { sites, absorbed };
}
