/**
 * insert-observers (float → observed): one `observe` per activation value read by a
 * quantizable node, shared by the quantizable nodes reading it, which are rewired to the
 * observer (other readers, e.g. a residual Add, keep the float value).
 *
 *   %y = Conv(%x, %w, %b)              →     %x.q = observe(%x) {method="minmax"}
 *   %r = Relu(%y)                            %y = Conv(%x.q, %w, %b)
 *                                            %r = Relu(%y)
 *
 * With `outputs=true` the node's output is observed too, after a directly following
 * Relu/Clip (a fused activation) when that is its only reader; every reader of an
 * observed output reads the observer. A graph output keeps its
 * name: the observer takes it and the producer's output is renamed `<name>.raw`.
 * Options: method (minmax | moving-average | percentile | mse | histogram; default minmax),
 * percentile (default 99.99), outputs (default false), per_channel (default false:
 * per-tensor statistics), and the layer policy (ops, skip, include, exclude).
 */
import { edit, consumers, producers, type Attrs, type Graph, type Stage } from "@quantpass/ir";
import { z } from "zod";
import { methodSpec, OBSERVER_METHODS } from "../observers/index.js";
import { DEFAULT_PERCENTILE } from "../observers/percentile.js";
import { definePass } from "../pass.js";
import { LayerPolicyOptions, selectNodes } from "./policy.js";
import { quantSites } from "./sites.js";

export const InsertObserversOptions = z.object({
  /** Statistics method; default minmax. */
  method: z.enum(OBSERVER_METHODS).default("minmax"),
  /** Percentile for method=percentile, in (50, 100]; default 99.99. */
  percentile: z.number().gt(50).lte(100).default(DEFAULT_PERCENTILE),
  /** Also observe each node's output (after a fused Relu/Clip); default false. */
  outputs: z.boolean().default(false),
  /** Per-channel activation statistics; default false (per-tensor). */
  per_channel: z.boolean().default(false),
  ...LayerPolicyOptions,
});

const FUSED = ["Relu", "Clip"];

export const insertObservers = definePass({
  name: "insert-observers",
  summary: "insert observe nodes on the activations of quantizable nodes",
  options: InsertObserversOptions,
  requires: ["float"],
  ensures: "observed",
  run(g: Graph, o, ctx) {
    const readers = consumers(g);
    const prod = producers(g);
    // value -> channel axis, and the readers to rewire ("all" for observed outputs)
    const want = new Map<string, { axis: number; readers: Set<string> | "all" }>();
    const add = (v: string, axis: number, reader: string | "all") => {
      const w = want.get(v) ?? { axis, readers: new Set<string>() };
      if (reader === "all") w.readers = "all";
      else if (w.readers !== "all") w.readers.add(reader);
      want.set(v, w);
    };
    for (const n of selectNodes(g, o)) {
      for (const a of quantSites(g, n).activations) add(a.value, a.axis, n.name);
      const y = n.outputs[0];
      if (!o.outputs || !y || !g.values[y]) continue;
      const r = readers.get(y) ?? [];
      const fused = r.length === 1 && FUSED.includes(r[0]!.op) && !g.outputs.includes(y) ? r[0]!.outputs[0] : undefined;
      const out = fused ?? y;
      const rank = g.values[out]!.shape.length;
      add(out, n.op === "Conv" ? 1 : Math.max(0, rank - 1), "all");
    }
    const method = methodSpec(o.method, o.percentile);
    return edit(g, (e) => {
      let front = 0; // observers of graph inputs go first, in order
      for (const [v, { axis, readers: rw }] of want) {
        const t = g.values[v]!;
        const attrs: Attrs = o.per_channel ? { method, per_channel: 1, axis } : { method };
        const p = prod.get(v);
        const name = e.freshNodeName(`${v}.q`);
        if (p && g.outputs.includes(v)) {
          // Keep the graph output's name: the observer takes it over, readers keep reading it.
          const raw = e.freshValue(`${v}.raw`);
          const k = e.indexOf(p.name);
          e.draft.nodes[k]!.outputs = p.outputs.map((x) => (x === v ? raw : x));
          e.setType(raw, t);
          e.insertNode({ name, op: "observe", inputs: [raw], outputs: [v], attrs }, [t], k + 1);
        } else {
          const out = e.freshValue(`${v}.q`);
          if (rw === "all") e.replaceAllUses(v, out);
          else for (const n of e.draft.nodes) if (rw.has(n.name) && n.inputs.includes(v)) n.inputs = n.inputs.map((i) => (i === v ? out : i));
          e.insertNode({ name, op: "observe", inputs: [v], outputs: [out], attrs }, [t], p ? e.indexOf(p.name) + 1 : front++);
        }
      }
      ctx.count("observers", want.size);
      (e.draft as { stage: Stage }).stage = "observed";
    });
  },
});
