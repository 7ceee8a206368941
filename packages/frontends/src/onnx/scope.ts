/** Lowering state: value scopes (a chain for subgraphs), fresh names, declared-type merging. */
import type { Tensor, TensorType, Dim } from "@quantpass/ir";
import type { onnx } from "@quantpass/formats";

/** Values and constants of one graph, with its enclosing graph's scope as parent. */
export class Scope {
  readonly values: Record<string, TensorType> = Object.create(null) as Record<string, TensorType>;
  readonly constants: Record<string, Tensor> = Object.create(null) as Record<string, Tensor>;
  constructor(readonly parent?: Scope) {}

  typeOf(name: string): TensorType | undefined {
    return this.values[name] ?? this.parent?.typeOf(name);
  }

  constantOf(name: string): Tensor | undefined {
    if (name in this.values) return this.constants[name];
    return this.parent?.constantOf(name);
  }

  /** Whether this graph (not an enclosing one) defines the value. */
  definesLocally(name: string): boolean {
    return name in this.values;
  }
}

/** Unique value and node names across the whole model (subgraphs see outer names). */
export class Names {
  private readonly values = new Set<string>();
  private readonly nodes = new Set<string>();

  constructor(model: onnx.IModelProto) {
    if (model.graph) this.collect(model.graph);
  }

  private collect(g: onnx.IGraphProto): void {
    for (const t of g.initializer ?? []) this.values.add(t.name ?? "");
    for (const vi of [...(g.input ?? []), ...(g.output ?? []), ...(g.valueInfo ?? [])]) this.values.add(vi.name ?? "");
    for (const n of g.node ?? []) {
      for (const v of [...(n.input ?? []), ...(n.output ?? [])]) this.values.add(v);
      for (const a of n.attribute ?? []) {
        if (a.g) this.collect(a.g);
        for (const sg of a.graphs ?? []) this.collect(sg);
      }
    }
  }

  /** A value name starting with prefix that the model does not use. */
  freshValue(prefix: string): string {
    let n = prefix;
    for (let k = 1; this.values.has(n); k++) n = `${prefix}_${k}`;
    this.values.add(n);
    return n;
  }

  /** Reserves a node name, suffixing `_k` when it is taken (ONNX names may be empty or repeated). */
  node(name: string): string {
    let n = name;
    for (let k = 1; this.nodes.has(n); k++) n = `${name}_${k}`;
    this.nodes.add(n);
    return n;
  }
}

/**
 * Declared (value_info) and inferred types combined: the declared dtype and rank win; per dim a
 * known number wins over a symbol or "?", and a declared symbol wins over an inferred one.
 */
export function mergeTypes(declared: TensorType | undefined, inferred: TensorType | undefined): TensorType | undefined {
  if (!declared) return inferred;
  if (!inferred || inferred.dtype !== declared.dtype || inferred.shape.length !== declared.shape.length) return declared;
  const shape: Dim[] = declared.shape.map((d, k) => {
    const i = inferred.shape[k]!;
    if (typeof d === "number") return d;
    if (typeof i === "number") return i;
    return d === "?" ? i : d;
  });
  return inferred.quant ? { dtype: declared.dtype, shape, quant: inferred.quant } : { dtype: declared.dtype, shape };
}
