/**
 * ONNX requires nodes in topological order, but some exporters break it. Returns the nodes in
 * file order when that is valid, otherwise a stable topological order (values a subgraph reads
 * from the outer graph count as inputs of the node owning the subgraph).
 */
import type { onnx } from "@quantpass/formats";

function reads(n: onnx.INodeProto): string[] {
  const out = [...(n.input ?? [])];
  const walk = (g: onnx.IGraphProto) => {
    for (const m of g.node ?? []) {
      out.push(...(m.input ?? []));
      for (const a of m.attribute ?? []) {
        if (a.g) walk(a.g);
        for (const sg of a.graphs ?? []) walk(sg);
      }
    }
  };
  for (const a of n.attribute ?? []) {
    if (a.g) walk(a.g);
    for (const g of a.graphs ?? []) walk(g);
  }
  return out.filter((v) => v);
}

export function topoOrder(nodes: readonly onnx.INodeProto[], known: (v: string) => boolean): onnx.INodeProto[] {
  const producer = new Map<string, number>();
  nodes.forEach((n, k) => (n.output ?? []).forEach((o) => o && producer.set(o, k)));
  const deps = nodes.map((n, k) => [...new Set(reads(n).filter((v) => producer.has(v) && !known(v)).map((v) => producer.get(v)!))].filter((d) => d !== k));
  if (deps.every((ds, k) => ds.every((d) => d < k))) return [...nodes];
  const done = new Array<boolean>(nodes.length).fill(false);
  const order: onnx.INodeProto[] = [];
  for (let progress = true; progress && order.length < nodes.length; ) {
    progress = false;
    for (let k = 0; k < nodes.length; k++) {
      if (done[k] || !deps[k]!.every((d) => done[d])) continue;
      done[k] = true;
      order.push(nodes[k]!);
      progress = true;
    }
  }
  // Nodes left on a cycle keep file order; lowering then reports the undefined value they read.
  nodes.forEach((n, k) => !done[k] && order.push(n));
  return order;
}
