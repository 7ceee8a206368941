/**
 * Immer-based graph editing. `edit(g, fn)` returns a new Graph and never mutates
 * g; if fn changes nothing, the very same object comes back. Tensors (class
 * instances) and typed arrays pass through by reference.
 */
import { produce, type Draft } from "immer";
import { nodeReads, type Attrs, type Graph, type Node } from "./graph.js";
import type { Tensor } from "./tensor.js";
import type { TensorType } from "./types.js";

export class GraphEditor {
  private counter = 0;
  constructor(readonly draft: Draft<Graph>) {}

  /** A value name not used yet, starting with prefix. */
  freshValue(prefix: string): string {
    let n = prefix;
    while (n in this.draft.values) n = `${prefix}_${++this.counter}`;
    return n;
  }

  freshNodeName(prefix: string): string {
    const used = new Set(this.draft.nodes.map((x) => x.name));
    let n = prefix;
    while (used.has(n)) n = `${prefix}_${++this.counter}`;
    return n;
  }

  setType(name: string, t: TensorType): void {
    (this.draft.values as Record<string, TensorType>)[name] = t as Draft<TensorType>;
  }

  addConstant(prefix: string, t: Tensor, type?: TensorType): string {
    const name = this.freshValue(prefix);
    (this.draft.constants as Record<string, Tensor>)[name] = t;
    this.setType(name, type ?? { dtype: t.dtype, shape: t.shape });
    return name;
  }

  /** Inserts a node at position index (default: end) with typed outputs. */
  insertNode(node: Node, outputTypes: TensorType[], index = this.draft.nodes.length): void {
    node.outputs.forEach((o, k) => o && this.setType(o, outputTypes[k]!));
    this.draft.nodes.splice(index, 0, node as Draft<Node>);
  }

  indexOf(nodeName: string): number {
    return this.draft.nodes.findIndex((n) => n.name === nodeName);
  }

  removeNode(nodeName: string): void {
    const k = this.indexOf(nodeName);
    if (k >= 0) this.draft.nodes.splice(k, 1);
  }

  setAttrs(nodeName: string, attrs: Attrs): void {
    const n = this.draft.nodes[this.indexOf(nodeName)];
    if (n) n.attrs = attrs as Draft<Attrs>;
  }

  /** Replaces every read of `from` with `to` (node inputs, graph outputs), except in nodes listed. */
  replaceAllUses(from: string, to: string, except: readonly string[] = []): void {
    for (const n of this.draft.nodes) {
      if (except.includes(n.name)) continue;
      n.inputs = n.inputs.map((i) => (i === from ? to : i));
    }
    this.draft.outputs = this.draft.outputs.map((o) => (o === from ? to : o));
  }

  /** Drops types and constants of values no node, input or output refers to. */
  pruneValues(): void {
    const live = new Set<string>([...this.draft.inputs, ...this.draft.outputs]);
    for (const n of this.draft.nodes as readonly Node[]) {
      for (const i of nodeReads(n)) live.add(i);
      for (const o of n.outputs) live.add(o);
    }
    const values = this.draft.values as Record<string, TensorType>;
    const consts = this.draft.constants as Record<string, Tensor>;
    for (const k of Object.keys(values)) if (!live.has(k)) delete values[k];
    for (const k of Object.keys(consts)) if (!live.has(k)) delete consts[k];
  }
}

/** Returns an edited copy of g; g itself is never mutated. */
export function edit(g: Graph, fn: (e: GraphEditor) => void): Graph {
  return produce(g, (draft) => {
    fn(new GraphEditor(draft));
  });
}
