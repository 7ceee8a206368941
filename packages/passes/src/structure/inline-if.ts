/**
 * inline-if (any stage): an `If` whose condition is a constant is replaced by the nodes of
 * the branch it takes. The branch's outputs take the If's output names, branch values and
 * node names that clash with names of the outer graph are renamed, the branch's constants
 * move to the outer graph, and reads of outer values keep working (they are the same names).
 * Ifs brought to the top level by inlining are inlined in turn when their condition is a
 * constant; Ifs with a computed condition are left alone (run fold-constants first).
 *
 *   const %c : bool[] = dense<[true]>
 *   %y = If(%c) {then_branch=graph @t {           →     %y = Add(%x, %x) #t.add
 *     %s = Add(%x, %x) #t.add  output %s },             output %y
 *     else_branch=...} #if
 *   output %y
 *
 * A branch output that is not a value the branch computes (an outer value, or one value
 * given for two outputs) becomes an `Identity` named after the If.
 */
import { edit, freeValues, isGraph, type Graph, type Node, type Tensor, type TensorType } from "@quantpass/ir";
import { z } from "zod";
import { definePass } from "../pass.js";

export const InlineIfOptions = z.object({});

/** Every value and node name used in g and its subgraphs. */
function namesIn(g: Graph, values: Set<string>, nodes: Set<string>): void {
  for (const v of [...Object.keys(g.values), ...g.inputs, ...g.outputs]) values.add(v);
  for (const n of g.nodes) {
    nodes.add(n.name);
    for (const v of [...n.inputs, ...n.outputs]) if (v) values.add(v);
    for (const a of Object.values(n.attrs)) if (isGraph(a)) namesIn(a, values, nodes);
  }
}

function fresh(base: string, used: Set<string>): string {
  let k = 1;
  let n = base;
  while (used.has(n)) n = `${base}_${k++}`;
  used.add(n);
  return n;
}

/** Renames the reads of outer values inside a subgraph (names it defines itself shadow them). */
function renameFree(g: Graph, r: Map<string, string>): Graph {
  const free = new Set(freeValues(g));
  const map = new Map([...r].filter(([k]) => free.has(k)));
  if (!map.size) return g;
  const m = (v: string) => map.get(v) ?? v;
  const local = new Set<string>([...g.inputs, ...Object.keys(g.constants)]);
  const nodes = g.nodes.map((n) => {
    const out: Node = { ...n, inputs: n.inputs.map((i) => (local.has(i) ? i : m(i))), attrs: renameAttrs(n, map, local) };
    for (const o of n.outputs) local.add(o);
    return out;
  });
  return { ...g, nodes, outputs: g.outputs.map((o) => (local.has(o) ? o : m(o))) };
}

function renameAttrs(n: Node, r: Map<string, string>, shadow: Set<string> = new Set()): Node["attrs"] {
  if (!Object.values(n.attrs).some(isGraph)) return n.attrs;
  const visible = new Map([...r].filter(([k]) => !shadow.has(k)));
  return Object.fromEntries(Object.entries(n.attrs).map(([k, a]) => [k, isGraph(a) ? renameFree(a, visible) : a]));
}

interface Inlined {
  readonly nodes: Node[];
  readonly values: Record<string, TensorType>;
  readonly constants: Record<string, Tensor>;
}

/** The nodes, types and constants replacing node `iff` of g, which takes `branch`. */
function inline(g: Graph, iff: Node, branch: Graph, usedValues: Set<string>, usedNodes: Set<string>): Inlined {
  const r = new Map<string, string>();
  const defined = [...branch.inputs, ...Object.keys(branch.constants), ...branch.nodes.flatMap((n) => n.outputs.filter((o) => o))];
  const definedSet = new Set(defined);
  // The branch output k becomes the If's output k when the branch computes it, once.
  const identities: [string, string][] = [];
  branch.outputs.forEach((o, k) => {
    const target = iff.outputs[k]!;
    if (!target) return;
    if (definedSet.has(o) && !r.has(o)) r.set(o, target);
    else identities.push([o, target]);
  });
  for (const d of defined) if (!r.has(d)) r.set(d, usedValues.has(d) ? fresh(d, usedValues) : (usedValues.add(d), d));
  const m = (v: string) => (v ? r.get(v) ?? v : v);
  const nodes: Node[] = branch.nodes.map((n) => ({
    ...n,
    name: fresh(n.name, usedNodes),
    inputs: n.inputs.map(m),
    outputs: n.outputs.map(m),
    attrs: renameAttrs(n, r),
  }));
  const values: Record<string, TensorType> = {};
  for (const d of defined) values[m(d)] = branch.values[d]!;
  for (const [src, target] of identities) {
    nodes.push({ name: fresh(iff.name, usedNodes), op: "Identity", inputs: [m(src)], outputs: [target], attrs: {} });
    values[target] = branch.values[src] ?? g.values[src] ?? g.values[target]!;
  }
  const constants: Record<string, Tensor> = {};
  for (const [c, t] of Object.entries(branch.constants)) constants[m(c)] = t;
  return { nodes, values, constants };
}

/** The taken branch of a top-level If whose condition is a constant, if any. */
function takenBranch(g: Graph, n: Node): Graph | undefined {
  if (n.op !== "If") return undefined;
  const c = g.constants[n.inputs[0]!];
  if (!c || c.size !== 1) return undefined;
  const b = c.get(0) ? n.attrs.then_branch : n.attrs.else_branch;
  return isGraph(b) ? b : undefined;
}

export const inlineIf = definePass({
  name: "inline-if",
  summary: "replace each If with a constant condition by the nodes of the branch it takes",
  options: InlineIfOptions,
  idempotent: true,
  run(g: Graph, _o, ctx) {
    if (!g.nodes.some((n) => takenBranch(g, n))) return g;
    return edit(g, (e) => {
      const d = e.draft as unknown as { nodes: Node[]; values: Record<string, TensorType>; constants: Record<string, Tensor> };
      let cur = g;
      let inlined = 0;
      // Inlining can bring nested Ifs with constant conditions to the top level: repeat.
      for (let k = 0; k < cur.nodes.length; k++) {
        const n = cur.nodes[k]!;
        const branch = takenBranch(cur, n);
        if (!branch) continue;
        // Names the branch must not take: everything of the graph except the If itself.
        const usedValues = new Set<string>();
        const usedNodes = new Set<string>();
        namesIn({ ...cur, nodes: cur.nodes.filter((_, j) => j !== k) }, usedValues, usedNodes);
        const x = inline(cur, n, branch, usedValues, usedNodes);
        const values = { ...cur.values, ...x.values };
        cur = { ...cur, nodes: [...cur.nodes.slice(0, k), ...x.nodes, ...cur.nodes.slice(k + 1)], values, constants: { ...cur.constants, ...x.constants } };
        inlined++;
        k--;
      }
      d.nodes = cur.nodes as Node[];
      for (const [v, t] of Object.entries(cur.values)) if (!(v in g.values) || g.values[v] !== t) d.values[v] = t;
      for (const [c, t] of Object.entries(cur.constants)) if (!(c in g.constants)) d.constants[c] = t;
      ctx.count("ifs inlined", inlined);
      e.pruneValues();
    });
  },
});
