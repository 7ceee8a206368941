import type { Tensor } from "./tensor.js";
import type { Stage, TensorType } from "./types.js";

/** Attribute values. Kinds follow the op table's schema (int vs float is decided there). */
export type AttrValue = number | string | readonly number[] | readonly string[] | Tensor | Graph;
export type Attrs = Readonly<Record<string, AttrValue>>;

/**
 * A node: op name from the op table, SSA value names in and out.
 * An empty string in `inputs` marks an omitted optional input.
 */
export interface Node {
  readonly name: string;
  readonly op: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attrs: Attrs;
}

/**
 * The graph: SSA values named by strings, nodes in topological order.
 * `constants` holds weights by reference (Tensor is a class; immer leaves it alone).
 * Subgraphs (If branches) are Graph values in attrs and may read outer values.
 */
export interface Graph {
  readonly name: string;
  readonly stage: Stage;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  /** Type of every value: graph inputs, constants and node outputs. */
  readonly values: Readonly<Record<string, TensorType>>;
  readonly constants: Readonly<Record<string, Tensor>>;
  readonly nodes: readonly Node[];
  /** Free-form provenance: source format, opsets ("opset.ai.onnx" → "17"), producer. */
  readonly meta: Readonly<Record<string, string>>;
}

export function isGraph(v: unknown): v is Graph {
  return typeof v === "object" && v !== null && "nodes" in v && "values" in v && "constants" in v;
}

/** Map from value name to the node producing it. */
export function producers(g: Graph): Map<string, Node> {
  const m = new Map<string, Node>();
  for (const n of g.nodes) for (const o of n.outputs) if (o) m.set(o, n);
  return m;
}

/** Map from value name to the nodes reading it (graph outputs are not nodes). */
export function consumers(g: Graph): Map<string, Node[]> {
  const m = new Map<string, Node[]>();
  for (const n of g.nodes)
    for (const i of n.inputs) {
      if (!i) continue;
      const l = m.get(i);
      if (l) { if (!l.includes(n)) l.push(n); } else m.set(i, [n]);
    }
  return m;
}

/** Total constant parameters and bytes, grouped by dtype. */
export function constantStats(g: Graph): Map<string, { count: number; params: number; bytes: number }> {
  const m = new Map<string, { count: number; params: number; bytes: number }>();
  for (const t of Object.values(g.constants)) {
    const s = m.get(t.dtype) ?? { count: 0, params: 0, bytes: 0 };
    s.count++; s.params += t.size; s.bytes += t.byteLength;
    m.set(t.dtype, s);
  }
  return m;
}

/** Values read by a node: its inputs plus outer values its subgraphs (If branches) read. */
export function nodeReads(n: Node): string[] {
  const out = n.inputs.filter((i) => i !== "");
  for (const v of Object.values(n.attrs)) if (isGraph(v)) out.push(...freeValues(v));
  return out;
}

/** Values a graph reads but does not define itself (outer-scope captures of a subgraph). */
export function freeValues(g: Graph): string[] {
  const defined = new Set<string>([...g.inputs, ...Object.keys(g.constants)]);
  const free = new Set<string>();
  for (const n of g.nodes) {
    for (const i of nodeReads(n)) if (!defined.has(i)) free.add(i);
    for (const o of n.outputs) defined.add(o);
  }
  for (const o of g.outputs) if (!defined.has(o)) free.add(o);
  return [...free];
}
