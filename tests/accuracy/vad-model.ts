/**
 * Silero VAD at 16 kHz as a flat graph. The opset-18 model computes
 * `If(sr == 16000, then: 16 kHz network, else: 8 kHz network)`, and the PTQ passes only see
 * top-level nodes, so the tests bind sr = 16000: the If is replaced by its then-branch
 * (whose nodes read the outer input, state and weights), `sr` stops being an input, and the
 * 8 kHz weights are dropped.
 *
 *   %eq = Equal(Gather(Reshape(%sr)), 16000)            →     (then-branch nodes)
 *   %output, %stateN = If(%eq) {then_branch=..., ...}          output %output, %stateN
 */
import { edit, isGraph, verify, type Graph, type Node } from "@quantpass/ir";

export function vad16k(g: Graph): Graph {
  const cond = g.nodes.find((n) => n.op === "If");
  const then = cond?.attrs.then_branch;
  if (!cond || !isGraph(then) || cond.outputs.length !== then.outputs.length)
    throw new Error("silero VAD: expected one If over the sample rate with a then-branch (the 16 kHz network)");
  // The branch's outputs take the If's output names.
  const rename = new Map(then.outputs.map((o, k) => [o, cond.outputs[k]!]));
  const r = (v: string) => rename.get(v) ?? v;
  const nodes: Node[] = then.nodes.map((n) => ({ ...n, inputs: n.inputs.map(r), outputs: n.outputs.map(r) }));
  const flat = edit(g, (e) => {
    const d = e.draft as unknown as { inputs: string[]; nodes: Node[]; values: Record<string, unknown> };
    for (const [v, t] of Object.entries(then.values)) if (!rename.has(v)) d.values[v] = t;
    d.inputs = g.inputs.filter((i) => i !== "sr");
    d.nodes = nodes;
    e.pruneValues();
  });
  verify(flat);
  return flat;
}
