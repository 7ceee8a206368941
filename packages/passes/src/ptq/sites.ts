/**
 * Where a quantizable node is quantized: its activation inputs (non-constant float
 * inputs: Conv 0; Gemm 0, and 1 when not constant; MatMul 0 and 1 when not constant) and
 * its weight (a constant float input 1) with the weight's output- and input-channel axes
 * (Conv [O,I,k..]: 0 and 1; Gemm: 0 and 1 when transB=1, else 1 and 0; MatMul [..,K,N]:
 * rank-1 and rank-2). Activation channel axis for per-channel observers: Conv 1 (NCHW),
 * MatMul/Gemm the reduction axis (last for input 0, rank-2 for input 1).
 */
import { isFloat, type Graph, type Node } from "@quantpass/ir";

export interface ActivationSite {
  readonly input: number;
  readonly value: string;
  /** Channel axis for per-channel statistics (non-negative). */
  readonly axis: number;
}

export interface WeightSite {
  readonly input: number;
  readonly value: string;
  readonly outAxis: number;
  readonly inAxis: number;
}

export interface QuantSites {
  readonly activations: readonly ActivationSite[];
  readonly weight?: WeightSite;
}

export function quantSites(g: Graph, n: Node): QuantSites {
  const floatValue = (i: number) => {
    const v = n.inputs[i];
    const t = v ? g.values[v] : undefined;
    return v && t && isFloat(t.dtype) && !t.quant ? v : undefined;
  };
  const isConst = (v: string) => v in g.constants;
  const rank = (v: string) => g.values[v]!.shape.length;
  const acts: ActivationSite[] = [];
  let weight: WeightSite | undefined;
  const act = (i: number, axis: (r: number) => number) => {
    const v = floatValue(i);
    if (v && !isConst(v)) acts.push({ input: i, value: v, axis: Math.max(0, axis(rank(v))) });
  };
  const w = floatValue(1);
  switch (n.op) {
    case "Conv":
      act(0, () => 1);
      if (w && isConst(w) && rank(w) >= 3) weight = { input: 1, value: w, outAxis: 0, inAxis: 1 };
      break;
    case "Gemm": {
      const transA = n.attrs.transA === 1;
      const transB = n.attrs.transB === 1;
      act(0, () => (transA ? 0 : 1));
      act(1, () => (transB ? 1 : 0));
      if (w && isConst(w) && rank(w) === 2) weight = { input: 1, value: w, outAxis: transB ? 0 : 1, inAxis: transB ? 1 : 0 };
      break;
    }
    case "MatMul":
      act(0, (r) => r - 1);
      act(1, (r) => r - 2);
      if (w && isConst(w) && rank(w) >= 2) weight = { input: 1, value: w, outAxis: rank(w) - 1, inAxis: rank(w) - 2 };
      break;
    default:
      // Other ops chosen by `ops`: every non-constant float input is an activation, no weight.
      n.inputs.forEach((_, i) => act(i, (r) => (r > 1 ? 1 : 0)));
  }
  return weight ? { activations: acts, weight } : { activations: acts };
}
