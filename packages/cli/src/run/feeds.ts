/**
 * `--input name=file.npy` specs → feed tensors, checked against the graph's inputs with
 * messages that name the input and the file.
 */
import { formatShape, Tensor, UserError, type DType, type Graph } from "@quantpass/ir";
import { readNpy } from "@quantpass/formats";
import { checkReadableFile } from "../files.js";

export interface InputSpec {
  readonly name: string;
  readonly file: string;
}

/**
 * Parses `name=file` (split at the first `=`). A bare `file` is accepted when the model has
 * exactly one input.
 */
export function parseInputSpecs(specs: readonly string[], graph: Graph): InputSpec[] {
  const out: InputSpec[] = [];
  for (const spec of specs) {
    const eq = spec.indexOf("=");
    let name: string;
    let file: string;
    if (eq < 0) {
      if (graph.inputs.length !== 1)
        throw new UserError(`--input '${spec}': expected <name>=<file.npy> (model inputs: ${graph.inputs.join(", ") || "none"})`, "--input");
      name = graph.inputs[0]!;
      file = spec;
    } else {
      name = spec.slice(0, eq);
      file = spec.slice(eq + 1);
    }
    if (!file) throw new UserError(`--input '${spec}': no file given after '='`, "--input");
    if (!graph.inputs.includes(name))
      throw new UserError(`--input '${spec}': '${name}' is not an input of the model (inputs: ${graph.inputs.join(", ") || "none"})`, "--input");
    if (out.some((s) => s.name === name)) throw new UserError(`--input: input '${name}' given more than once`, "--input");
    out.push({ name, file });
  }
  const missing = graph.inputs.filter((n) => !out.some((s) => s.name === n));
  if (missing.length > 0) {
    const want = missing.map((n) => `'${n}' (${graph.values[n]?.dtype ?? "?"} ${formatShape(graph.values[n]?.shape ?? [])})`);
    throw new UserError(`missing --input for ${want.join(", ")}`, "--input");
  }
  return out;
}

/** Reads one npy file into a Tensor and checks its dtype and shape against the input's type. */
export async function readFeed(graph: Graph, spec: InputSpec, symbols: Map<string, number>): Promise<Tensor> {
  checkReadableFile(spec.file);
  const raw = await readNpy(spec.file);
  const t = new Tensor(raw.dtype as DType, raw.dims, raw.data);
  const want = graph.values[spec.name];
  if (!want) return t;
  const where = `input '${spec.name}' (from '${spec.file}')`;
  if (t.dtype !== want.dtype) throw new UserError(`${where} must be ${want.dtype}, got ${t.dtype}`, spec.name);
  const bad = () => new UserError(`${where} must have shape ${formatShape(want.shape)}, got ${formatShape(t.shape)}`, spec.name);
  if (t.shape.length !== want.shape.length) throw bad();
  want.shape.forEach((d, k) => {
    const got = t.shape[k]!;
    if (typeof d === "number") {
      if (d !== got) throw bad();
    } else if (d !== "?") {
      const seen = symbols.get(d);
      if (seen !== undefined && seen !== got)
        throw new UserError(`${where} has ${d}=${got}, but an earlier input set ${d}=${seen}`, spec.name);
      symbols.set(d, got);
    }
  });
  return t;
}

export async function readFeeds(graph: Graph, specs: readonly InputSpec[]): Promise<Record<string, Tensor>> {
  const symbols = new Map<string, number>();
  const feeds: Record<string, Tensor> = {};
  for (const s of specs) feeds[s.name] = await readFeed(graph, s, symbols);
  return feeds;
}
