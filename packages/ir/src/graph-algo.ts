/** Graph algorithms over the IR through @dagrejs/graphlib, behind this one adapter. */
import { Graph as GLGraph, alg } from "@dagrejs/graphlib";
import { VerifyError } from "./errors.js";
import type { Graph, Node } from "./graph.js";


/** A graphlib digraph whose nodes are IR node names, edges producer → consumer. */
export function toGraphlib(g: Graph): GLGraph {
  const gl: GLGraph = new GLGraph({ directed: true });
  const producer = new Map<string, string>();
  for (const n of g.nodes) {
    gl.setNode(n.name, n);
    for (const o of n.outputs) if (o) producer.set(o, n.name);
  }
  for (const n of g.nodes)
    for (const i of n.inputs) {
      const p = i ? producer.get(i) : undefined;
      if (p !== undefined) gl.setEdge(p, n.name);
    }
  return gl;
}

/** Nodes in a topological order; stable (keeps the given order where it is already valid). */
export function topoSort(g: Graph): Node[] {
  const gl = toGraphlib(g);
  if (!alg.isAcyclic(gl)) {
    const cyc = alg.findCycles(gl)[0] ?? [];
    throw new VerifyError(`graph '${g.name}' has a cycle through node '${cyc[0]}'`, cyc[0]);
  }
  const index = new Map(g.nodes.map((n, k) => [n.name, k]));
  const indeg = new Map<string, number>();
  for (const n of g.nodes) indeg.set(n.name, gl.predecessors(n.name)?.length ?? 0);
  // Kahn's algorithm with a ready list ordered by original position.
  const ready = g.nodes.filter((n) => indeg.get(n.name) === 0).map((n) => n.name);
  const out: Node[] = [];
  while (ready.length) {
    ready.sort((a, b) => index.get(a)! - index.get(b)!);
    const name = ready.shift()!;
    out.push(gl.node(name) as Node);
    for (const s of gl.successors(name) ?? []) {
      const d = indeg.get(s)! - 1;
      indeg.set(s, d);
      if (d === 0) ready.push(s);
    }
  }
  return out;
}

export function hasCycle(g: Graph): boolean {
  return !alg.isAcyclic(toGraphlib(g));
}

/** Names of nodes reachable downstream from the given node. */
export function reachableFrom(g: Graph, nodeName: string): Set<string> {
  return new Set(alg.preorder(toGraphlib(g), [nodeName]).filter((n: string) => n !== nodeName));
}

/** For each value, the index of the last node that reads it (graph outputs live to the end). */
export function lastUse(g: Graph): Map<string, number> {
  const m = new Map<string, number>();
  g.nodes.forEach((n, k) => {
    for (const i of n.inputs) if (i) m.set(i, k);
  });
  for (const o of g.outputs) m.set(o, g.nodes.length);
  return m;
}
