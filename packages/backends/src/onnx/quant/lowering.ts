/**
 * The state of one int-graph → ONNX-form lowering: a GraphBuilder over the output graph that
 * never hands out a name the source graph uses later, source types with their QuantType
 * stripped (ONNX values carry only the storage dtype), and a final dead-code sweep (a fused
 * pattern leaves the dequantize nodes it no longer reads, and transposed or unpacked weights
 * may lose their last reader).
 */
import {
  GraphBuilder, nodeReads, Tensor, UnsupportedOpError,
  type Attrs, type Graph, type Node, type QuantType, type TensorType,
} from "@quantpass/ir";

export function plainType(t: TensorType): TensorType {
  return { dtype: t.dtype, shape: t.shape };
}

export class Lowering {
  readonly b: GraphBuilder;
  private readonly reserved = new Set<string>();
  /** Quantized constants added by the lowering (declare()). */
  private readonly extra: Record<string, TensorType> = {};
  /** Counts of the rewrites done ("unfused quant_matmul", "dynamic_quant decomposition"). */
  readonly counts = new Map<string, number>();

  constructor(readonly src: Graph) {
    this.b = new GraphBuilder(src.name, src.stage);
    for (const v of Object.keys(src.values)) this.reserved.add(v);
    for (const v of src.inputs) this.b.input(v, src.values[v]!.dtype, src.values[v]!.shape);
    for (const [v, t] of Object.entries(src.constants)) this.b.constant(v, t, plainType(src.values[v]!));
  }

  count(what: string): void {
    this.counts.set(what, (this.counts.get(what) ?? 0) + 1);
  }

  /** The source type of v (with its QuantType, if any). */
  type(v: string): TensorType {
    const t = this.src.values[v] ?? this.extra[v];
    if (!t) throw new Error(`quantized export: no type for '${v}'`);
    return t;
  }

  quant(v: string): QuantType | undefined {
    return (this.src.values[v] ?? this.extra[v])?.quant;
  }

  /** Static shape of a value, or an UnsupportedOpError naming `what` needs it. */
  staticShape(v: string, what: string, node: string): number[] {
    const s = this.type(v).shape;
    if (!s.every((d) => typeof d === "number"))
      throw new UnsupportedOpError(`onnx quantized export: node '${node}': ${what} needs a static shape for '${v}', got [${s.join(",")}]`, node);
    return s as number[];
  }

  /** A value name unused by both graphs. */
  fresh(prefix: string): string {
    let n = prefix;
    for (let k = 1; this.reserved.has(n) || this.b.has(n); k++) n = `${prefix}_${k}`;
    this.reserved.add(n);
    return n;
  }

  /**
   * Adds a new quantized constant under `name` (from fresh()), known to later steps by its
   * QuantType as if the source graph held it; the output graph gets its storage type.
   */
  declare(name: string, t: Tensor, quant: QuantType): void {
    this.extra[name] = { dtype: t.dtype, shape: t.shape, quant };
    this.b.constant(name, t);
  }

  constant(prefix: string, t: Tensor): string {
    return this.b.constant(this.fresh(prefix), t);
  }

  /** Emits one node; `out` names its outputs (fresh names derived from the node name when omitted). */
  node(op: string, name: string, inputs: readonly string[], attrs: Attrs = {}, out?: readonly string[], types?: (TensorType | undefined)[]): string[] {
    const outputs = out ? [...out] : [this.fresh(`${name}_out`)];
    return this.b.op(op, inputs, attrs, { name, outputs, ...(types ? { types } : {}) });
  }

  node1(op: string, name: string, inputs: readonly string[], attrs: Attrs = {}, out?: string): string {
    return this.node(op, name, inputs, attrs, out === undefined ? undefined : [out])[0]!;
  }

  /** Copies a source node unchanged (its declared output types kept, quant stripped). */
  copy(n: Node): void {
    this.b.op(n.op, n.inputs, n.attrs, { name: n.name, outputs: [...n.outputs], types: n.outputs.map((o) => (o ? plainType(this.type(o)) : undefined)) });
  }

  /** The output graph: source outputs, dead nodes and unread constants dropped. */
  finish(): Graph {
    for (const o of this.src.outputs) this.b.output(o);
    const g = this.b.build();
    const live = new Set(g.outputs);
    const keep: Node[] = [];
    for (let k = g.nodes.length - 1; k >= 0; k--) {
      const n = g.nodes[k]!;
      if (!n.outputs.some((o) => o && live.has(o))) continue;
      keep.push(n);
      for (const i of nodeReads(n)) live.add(i);
    }
    keep.reverse();
    const values: Record<string, TensorType> = {};
    for (const [v, t] of Object.entries(g.values)) if (live.has(v) || g.inputs.includes(v)) values[v] = t;
    for (const n of keep) for (const o of n.outputs) if (o) values[o] = g.values[o]!;
    const constants = Object.fromEntries(Object.entries(g.constants).filter(([v]) => live.has(v)));
    return { ...g, nodes: keep, values, constants, meta: { ...this.src.meta } };
  }
}
