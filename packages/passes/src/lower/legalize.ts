/**
 * The legalisation shared by fold-to-int and insert-dequant: every quantized value read
 * by an op that computes in float gets one `dequantize` in front of it, shared by all
 * such readers. Ops that read quantized values natively: dequantize, kv_dequant,
 * quant_matmul (x, w) and weight_quant_matmul (w). Per-token values (no static scale)
 * are left alone. Graph outputs count as float readers when `outputs` is set.
 */
import type { Graph, GraphEditor, TensorType } from "@quantpass/ir";

const INT_READERS: Readonly<Record<string, readonly number[] | "all">> = {
  dequantize: "all",
  kv_dequant: "all",
  quant_matmul: [0, 1],
  weight_quant_matmul: [1],
};

export interface LegalizeOptions {
  /** Treat graph outputs as float readers (default false: outputs may stay integer). */
  readonly outputs?: boolean;
  /** Name to give the dequantized value of an int value (else `<value>.dq`). */
  readonly names?: ReadonlyMap<string, string>;
}

interface Need {
  readonly value: string;
  /** [node index, input index] of each float reader. */
  readonly uses: [number, number][];
  output: boolean;
}

function readsNatively(op: string, i: number): boolean {
  const r = INT_READERS[op];
  return r === "all" || (r !== undefined && r.includes(i));
}

function dequantizable(t: TensorType | undefined): boolean {
  return t?.quant !== undefined && t.quant.scale !== null;
}

/** The int values that need a dequantize, in order of first use. */
export function planDequantize(g: Graph, opts: LegalizeOptions = {}): Need[] {
  const needs = new Map<string, Need>();
  const need = (v: string) => {
    let n = needs.get(v);
    if (!n) needs.set(v, (n = { value: v, uses: [], output: false }));
    return n;
  };
  g.nodes.forEach((n, k) =>
    n.inputs.forEach((v, i) => {
      if (v && dequantizable(g.values[v]) && !readsNatively(n.op, i)) need(v).uses.push([k, i]);
    }),
  );
  if (opts.outputs) for (const o of g.outputs) if (dequantizable(g.values[o])) need(o).output = true;
  return [...needs.values()];
}

/** Inserts the dequantize nodes (inside an edit); returns how many. */
export function insertDequantize(e: GraphEditor, opts: LegalizeOptions = {}): number {
  const g = e.draft as unknown as Graph;
  const plan = planDequantize(g, opts);
  const inserts: { at: number; value: string; out: string; type: TensorType }[] = [];
  for (const p of plan) {
    const t = g.values[p.value]!;
    const out = opts.names?.get(p.value) ?? e.freshValue(`${p.value}.dq`);
    for (const [k, i] of p.uses) {
      const inputs = [...g.nodes[k]!.inputs];
      inputs[i] = out;
      e.draft.nodes[k]!.inputs = inputs;
    }
    if (p.output) e.draft.outputs = g.outputs.map((o) => (o === p.value ? out : o));
    const at = p.uses.length ? Math.min(...p.uses.map(([k]) => k)) : g.nodes.length;
    inserts.push({ at, value: p.value, out, type: { dtype: t.quant!.expressed, shape: [...t.shape] } });
  }
  // Insert from the back so earlier positions stay valid; equal positions end up in plan order.
  const order = inserts.map((ins, k) => ({ ins, k })).sort((a, b) => b.ins.at - a.ins.at || b.k - a.k);
  for (const { ins } of order) {
    const name = e.freshNodeName(`${ins.value}.dq`);
    e.insertNode({ name, op: "dequantize", inputs: [ins.value], outputs: [ins.out], attrs: {} }, [ins.type], ins.at);
  }
  return inserts.length;
}
