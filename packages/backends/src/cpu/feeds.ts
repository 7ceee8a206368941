/** Checks feeds against a graph's declared inputs: names, dtypes, ranks, dims (binding symbols). */
import { UserError, formatShape, type Graph, type Tensor } from "@quantpass/ir";

export function checkFeeds(graph: Graph, feeds: Readonly<Record<string, Tensor>>): void {
  const symbols = new Map<string, number>();
  for (const name of graph.inputs) {
    const t = feeds[name];
    if (!t) throw new UserError(`missing input '${name}'`, name);
    const want = graph.values[name]!;
    if (t.dtype !== want.dtype) throw new UserError(`input '${name}' must be ${want.dtype}, got ${t.dtype}`, name);
    const bad = () => new UserError(`input '${name}' must have shape ${formatShape(want.shape)}, got ${formatShape(t.shape)}`, name);
    if (t.shape.length !== want.shape.length) throw bad();
    want.shape.forEach((d, k) => {
      const got = t.shape[k]!;
      if (typeof d === "number") { if (d !== got) throw bad(); }
      else if (d !== "?") {
        const seen = symbols.get(d);
        if (seen !== undefined && seen !== got) throw bad();
        symbols.set(d, got);
      }
    });
  }
  for (const k of Object.keys(feeds))
    if (!graph.inputs.includes(k)) throw new UserError(`'${k}' is not an input of the model (inputs: ${graph.inputs.join(", ")})`, k);
}
