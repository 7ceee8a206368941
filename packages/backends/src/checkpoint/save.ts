/**
 * saveQuantizedCheckpoint: writes an int graph's constants and static activation parameters
 * as a quantized checkpoint (layout in format.ts). Deterministic: the same graph and config
 * give the same bytes. The file is written atomically (a failure leaves no partial file).
 */
import { writeSafetensors, type RawTensor } from "@quantpass/formats";
import { UserError, type Graph, type QuantType, type TensorType } from "@quantpass/ir";
import { CHECKPOINT_FORMAT, digest, granularityJson, META, paramShape, storedRaw, type IndexEntry } from "./format.js";

/** Graph meta key where passes' `apply` records its config. */
const PTQ_META = "quantpass.ptq";

function canonicalJson(v: unknown): string {
  const sort = (x: unknown): unknown =>
    Array.isArray(x) ? x.map(sort) : x && typeof x === "object" ? Object.fromEntries(Object.keys(x as object).sort().map((k) => [k, sort((x as Record<string, unknown>)[k])])) : x;
  return JSON.stringify(sort(v));
}

function quantEntry(kind: "weight" | "activation", t: TensorType, q: QuantType, node?: string): IndexEntry {
  const e: IndexEntry = { kind, dtype: t.dtype, shape: [...t.shape], storage: q.storage, expressed: q.expressed, granularity: granularityJson(q.granularity) };
  if (node) e.node = node;
  return e;
}

/**
 * Saves the int graph `graph` (convert's output) to `path`. `config` is the PTQ config to
 * record (default: the one apply recorded in the graph's meta).
 */
export async function saveQuantizedCheckpoint(graph: Graph, path: string, config?: unknown): Promise<void> {
  if (graph.stage !== "int") throw new UserError(`${path}: a quantized checkpoint is saved from the int graph (convert's output), not a graph at stage '${graph.stage}'`, path);
  let cfg = config;
  if (cfg === undefined && graph.meta[PTQ_META] !== undefined) {
    try {
      cfg = JSON.parse(graph.meta[PTQ_META]);
    } catch (e) {
      throw new UserError(`${path}: the graph's '${PTQ_META}' meta is not JSON: ${(e as Error).message}`, path);
    }
  }
  if (cfg === undefined) throw new UserError(`${path}: no PTQ config to record (pass one, or save a graph produced by apply and convert)`, path);
  const tensors: Record<string, RawTensor> = {};
  const index: Record<string, IndexEntry> = {};
  const put = (name: string, raw: RawTensor) => {
    if (Object.hasOwn(tensors, name)) throw new UserError(`${path}: cannot save: tensor name '${name}' is used twice (a value named like another value's parameters)`, path);
    tensors[name] = raw;
  };
  const params = (value: string, q: QuantType, dims: number[]) => {
    put(`${value}.scale`, { dtype: "f32", dims, data: q.scale! });
    if (q.zeroPoint) put(`${value}.zero_point`, { dtype: "i32", dims, data: q.zeroPoint });
  };
  for (const name of Object.keys(graph.constants).sort()) {
    const t = graph.constants[name]!;
    const type = graph.values[name]!;
    put(name, storedRaw(t));
    if (type.quant) {
      index[name] = quantEntry("weight", type, type.quant);
      params(name, type.quant, paramShape(type.quant.granularity, t.shape));
    } else index[name] = { kind: "constant", dtype: t.dtype, shape: [...t.shape] };
  }
  for (const n of graph.nodes) {
    if (n.op !== "quantize" && n.op !== "kv_quant") continue;
    const v = n.outputs[0]!;
    const type = graph.values[v]!;
    if (!type.quant?.scale) continue;
    index[v] = quantEntry("activation", type, type.quant, n.name);
    params(v, type.quant, [type.quant.scale.length]);
  }
  const sha: Record<string, string> = {};
  for (const name of Object.keys(tensors).sort()) sha[name] = digest(tensors[name]!);
  await writeSafetensors(path, tensors, {
    [META.format]: CHECKPOINT_FORMAT,
    [META.config]: canonicalJson(cfg),
    [META.index]: canonicalJson(index),
    [META.sha256]: canonicalJson(sha),
  });
}
