/** Dead-code analysis shared by dce and the lowering passes. */
import { nodeReads, type Graph, type GraphEditor } from "@quantpass/ir";

/** Names of nodes none of whose outputs reach a graph output. */
export function deadNodes(g: Graph): Set<string> {
  const live = new Set<string>(g.outputs);
  const dead = new Set<string>();
  for (let k = g.nodes.length - 1; k >= 0; k--) {
    const n = g.nodes[k]!;
    if (n.outputs.some((o) => o && live.has(o))) for (const i of nodeReads(n)) live.add(i);
    else dead.add(n.name);
  }
  return dead;
}

/** Removes dead nodes and unused values and constants (inside an edit); returns nodes removed. */
export function removeDeadCode(e: GraphEditor): number {
  const dead = deadNodes(e.draft as unknown as Graph);
  if (dead.size) e.draft.nodes = e.draft.nodes.filter((n) => !dead.has(n.name));
  e.pruneValues();
  return dead.size;
}

/** Whether g has dead nodes or values/constants nothing refers to. */
export function hasDeadCode(g: Graph): boolean {
  if (deadNodes(g).size) return true;
  const live = new Set<string>([...g.inputs, ...g.outputs]);
  for (const n of g.nodes) {
    for (const i of nodeReads(n)) live.add(i);
    for (const o of n.outputs) live.add(o);
  }
  return Object.keys(g.values).some((v) => !live.has(v)) || Object.keys(g.constants).some((c) => !live.has(c));
}
