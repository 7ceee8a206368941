/**
 * GraphBuilder: builds a Graph op by op, inferring every output type from the
 * op table as it goes. Names are deterministic (counters), so the same build
 * steps give the same graph.
 */
import { UserError } from "./errors.js";
import type { Attrs, Graph, Node } from "./graph.js";
import { inferNode } from "./op-registry.js";
import type { Tensor } from "./tensor.js";
import { tensorType, type Dim, type Stage, type TensorType } from "./types.js";
import type { DType } from "./dtype.js";

export interface OpOptions {
  /** Node name (default: `<op>_<n>`). */
  name?: string;
  /** Output value names, or how many outputs to create (default 1). */
  outputs?: string[] | number;
  /** Override an inferred output type (e.g. an ONNX model's declared value_info). */
  types?: (TensorType | undefined)[];
}

export class GraphBuilder {
  private readonly values: Record<string, TensorType> = {};
  private readonly constants: Record<string, Tensor> = {};
  private readonly nodes: Node[] = [];
  private readonly inputs: string[] = [];
  private readonly outputs: string[] = [];
  private readonly meta: Record<string, string> = {};
  private readonly nodeNames = new Set<string>();
  private counter = 0;

  constructor(
    readonly name = "main",
    readonly stage: Stage = "float",
    /** Types visible from an enclosing graph (for subgraphs). */
    private readonly outer?: (name: string) => TensorType | undefined,
  ) {}

  has(name: string): boolean {
    return name in this.values;
  }

  typeOf(name: string): TensorType | undefined {
    return this.values[name] ?? this.outer?.(name);
  }

  /** A fresh value name starting with prefix. */
  fresh(prefix: string): string {
    let n = prefix;
    while (n in this.values || this.outer?.(n)) n = `${prefix}_${++this.counter}`;
    return n;
  }

  input(name: string, dtype: DType, shape: readonly Dim[]): string {
    this.declare(name, tensorType(dtype, shape));
    this.inputs.push(name);
    return name;
  }

  constant(name: string, t: Tensor, type?: TensorType): string {
    this.declare(name, type ?? tensorType(t.dtype, t.shape));
    this.constants[name] = t;
    return name;
  }

  setMeta(key: string, value: string): this {
    this.meta[key] = value;
    return this;
  }

  /** Adds a node; returns its output names. Empty-string inputs are omitted optionals. */
  op(op: string, inputs: readonly string[], attrs: Attrs = {}, opts: OpOptions = {}): string[] {
    for (const i of inputs)
      if (i && !this.typeOf(i)) throw new UserError(`builder: '${op}' reads undefined value '%${i}'`, i);
    let name = opts.name ?? `${op.toLowerCase()}_${this.nodes.length}`;
    if (this.nodeNames.has(name)) {
      let k = 1;
      while (this.nodeNames.has(`${name}_${k}`)) k++;
      name = `${name}_${k}`;
    }
    const outs = Array.isArray(opts.outputs)
      ? opts.outputs
      : Array.from({ length: opts.outputs ?? 1 }, (_, k) => this.fresh(`${name}${k ? `_${k}` : ""}_out`));
    const node: Node = { name, op, inputs: [...inputs], outputs: outs, attrs };
    const inferred = inferNode(node, (n) => this.typeOf(n), (n) => this.constants[n]);
    outs.forEach((o, k) => {
      if (!o) return;
      const t = opts.types?.[k] ?? inferred[k];
      if (!t) throw new UserError(`builder: '${op}' at node '${name}' has no type for output ${k}`, name);
      this.declare(o, t);
    });
    this.nodeNames.add(name);
    this.nodes.push(node);
    return outs;
  }

  /** Single-output convenience for op(). */
  op1(op: string, inputs: readonly string[], attrs: Attrs = {}, opts: OpOptions = {}): string {
    return this.op(op, inputs, attrs, opts)[0]!;
  }

  output(...names: string[]): this {
    for (const n of names) {
      if (!this.typeOf(n)) throw new UserError(`builder: output '%${n}' is not defined`, n);
      this.outputs.push(n);
    }
    return this;
  }

  build(): Graph {
    return {
      name: this.name,
      stage: this.stage,
      inputs: [...this.inputs],
      outputs: [...this.outputs],
      values: { ...this.values },
      constants: { ...this.constants },
      nodes: [...this.nodes],
      meta: { ...this.meta },
    };
  }

  private declare(name: string, t: TensorType): void {
    if (!name) throw new UserError("builder: empty value name");
    if (name in this.values) throw new UserError(`builder: value '%${name}' is defined twice`, name);
    this.values[name] = t;
  }
}
