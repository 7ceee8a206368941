/**
 * loadQuantizedCheckpoint: fills a deploy-mode int graph (passes: convert(apply(float,
 * { ...config, mode: "deploy" }))) with a quantized checkpoint's constants and activation
 * parameters. Every constant of the graph must be in the checkpoint with the same dtype,
 * shape, storage and granularity, every static `quantize` must have parameters, and every
 * checkpoint entry must have a place in the graph; a mismatch is a one-line UserError naming
 * the file and the tensor. A file that is not a quantized checkpoint, is inconsistent with
 * its own index, or fails a tensor's checksum is a FormatError naming the file and tensor.
 *
 * With `build` (passes' `deployGraph`), the graph may be the float graph: the deploy-mode
 * structure is built from it and the config the checkpoint records (backends cannot import
 * passes, so the caller supplies the builder).
 */
import { FormatError, openSafetensors, type RawTensor, type SafetensorsFile } from "@quantpass/formats";
import { describeQuant, edit, inferNode, intRange, Tensor, UserError, type Attrs, type Dim, type Graph, type QuantType, type TensorType } from "@quantpass/ir";
import { CHECKPOINT_FORMAT, describeGranularity, digest, granularityJson, META, paramShape, storedLayout, type IndexEntry } from "./format.js";

export interface LoadCheckpointOptions {
  /** Builds the deploy-mode int graph from a float graph and the checkpoint's config. */
  readonly build?: (float: Graph, config: unknown) => Graph | Promise<Graph>;
}

interface Opened {
  readonly file: SafetensorsFile;
  readonly config: unknown;
  readonly index: Record<string, IndexEntry>;
  readonly sha: Record<string, string>;
}

const KINDS = ["constant", "weight", "activation"];

function metaJson(f: SafetensorsFile, key: string): unknown {
  const text = f.metadata[key];
  if (text === undefined) throw new FormatError(`quantized checkpoint has no '${key}' metadata`, f.path);
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new FormatError(`metadata '${key}' is not JSON: ${(e as Error).message}`, f.path);
  }
}

async function openCheckpoint(path: string): Promise<Opened> {
  const file = await openSafetensors(path);
  try {
    const fmt = file.metadata[META.format];
    if (fmt !== CHECKPOINT_FORMAT)
      throw new FormatError(fmt ? `unsupported quantized checkpoint format '${fmt}' (this quantpass reads '${CHECKPOINT_FORMAT}')` : `not a quantpass quantized checkpoint (no '${META.format}' metadata)`, path);
    const config = metaJson(file, META.config);
    const index = metaJson(file, META.index) as Record<string, IndexEntry>;
    const sha = metaJson(file, META.sha256) as Record<string, string>;
    if (!index || typeof index !== "object" || !sha || typeof sha !== "object") throw new FormatError("metadata index or sha256 is not an object", path);
    const known = new Set<string>();
    for (const [name, e] of Object.entries(index)) {
      if (!e || !KINDS.includes(e.kind) || typeof e.dtype !== "string" || !Array.isArray(e.shape) || (e.kind !== "constant" && !e.granularity))
        throw new FormatError(`index entry '${name}' is malformed: ${JSON.stringify(e)}`, path);
      known.add(`${name}.scale`).add(`${name}.zero_point`);
      if (e.kind !== "activation") known.add(name);
    }
    for (const n of file.names) if (!known.has(n)) throw new FormatError(`tensor '${n}' is not described by the checkpoint's index`, path);
    return { file, config, index, sha };
  } catch (e) {
    await file.close();
    throw e;
  }
}

/** The PTQ config a quantized checkpoint was saved with (its metadata, as JSON). */
export async function readQuantizedCheckpointConfig(path: string): Promise<unknown> {
  const o = await openCheckpoint(path);
  await o.file.close();
  return o.config;
}

async function readTensor(o: Opened, name: string, dtype: string, shape: readonly number[]): Promise<RawTensor> {
  const path = o.file.path;
  const h = o.file.header[name];
  if (!h) throw new FormatError(`tensor '${name}' is missing (its index entry needs it)`, path);
  if (h.dtype !== dtype || h.shape.join() !== shape.join())
    throw new FormatError(`tensor '${name}' is ${h.dtype}[${h.shape.join(",")}], its index entry needs ${dtype}[${shape.join(",")}]`, path);
  const raw = await o.file.read(name);
  if (digest(raw) !== o.sha[name]) throw new FormatError(`tensor '${name}' fails its checksum (the file is corrupted)`, path);
  return raw;
}

const dims = (s: readonly Dim[]) => `[${s.join(",")}]`;

export async function loadQuantizedCheckpoint(graph: Graph, path: string, opts: LoadCheckpointOptions = {}): Promise<Graph> {
  const o = await openCheckpoint(path);
  const mismatch = (name: string, msg: string) => new UserError(`${path}: tensor '${name}': ${msg} (a checkpoint of another model or config?)`, path);

  const readQuant = async (name: string, e: IndexEntry, gq: QuantType, pdims: number[]): Promise<QuantType> => {
    const want = { storage: gq.storage, expressed: gq.expressed, granularity: describeGranularity(granularityJson(gq.granularity)) };
    const have = { storage: e.storage, expressed: e.expressed, granularity: describeGranularity(e.granularity) };
    if (JSON.stringify(want) !== JSON.stringify(have))
      throw mismatch(name, `the checkpoint has ${have.storage} ${have.granularity} (${have.expressed}), the graph ${want.storage} ${want.granularity} (${want.expressed})`);
    const hasZp = Object.hasOwn(o.file.header, `${name}.zero_point`);
    if (hasZp !== (gq.zeroPoint !== null)) throw mismatch(name, `${hasZp ? "asymmetric" : "symmetric"} in the checkpoint, ${describeQuant(gq)} in the graph`);
    const scale = (await readTensor(o, `${name}.scale`, "f32", pdims)).data as Float32Array;
    const zp = hasZp ? ((await readTensor(o, `${name}.zero_point`, "i32", pdims)).data as Int32Array) : null;
    const [lo, hi] = intRange(gq.storage);
    scale.forEach((s) => { if (!(s > 0 && Number.isFinite(s))) throw new FormatError(`tensor '${name}.scale' holds ${s}, not a positive finite scale`, path); });
    zp?.forEach((z) => { if (z < lo || z > hi) throw new FormatError(`tensor '${name}.zero_point' holds ${z}, outside the ${gq.storage} range`, path); });
    return { ...gq, scale, zeroPoint: zp };
  };

  try {
    let g = graph;
    if (g.stage === "float") {
      if (!opts.build) throw new UserError(`${path}: a quantized checkpoint loads into the deploy-mode int graph; to start from the float graph pass { build } (passes' deployGraph)`, path);
      g = await opts.build(g, o.config);
    }
    if (g.stage !== "int") throw new UserError(`${path}: a quantized checkpoint loads into an int graph (deploy mode: apply, then convert), not a graph at stage '${g.stage}'`, path);
    const used = new Set<string>();
    const consts = new Map<string, { tensor: Tensor; type: TensorType }>();
    for (const name of Object.keys(g.constants).sort()) {
      const t = g.constants[name]!;
      const type = g.values[name]!;
      const e = Object.hasOwn(o.index, name) ? o.index[name]! : undefined;
      if (!e || e.kind === "activation") throw mismatch(name, "the graph has this constant, the checkpoint does not");
      used.add(name);
      if (e.dtype !== t.dtype || dims(e.shape) !== dims(t.shape)) throw mismatch(name, `the checkpoint has ${e.dtype}${dims(e.shape)}, the graph ${t.dtype}${dims(t.shape)}`);
      if ((e.kind === "weight") !== Boolean(type.quant)) throw mismatch(name, `${e.kind === "weight" ? "quantized" : "not quantized"} in the checkpoint, ${type.quant ? "quantized" : "not quantized"} in the graph`);
      const lay = storedLayout(t.dtype, t.shape);
      const raw = await readTensor(o, name, lay.dtype, lay.shape);
      const tensor = new Tensor(t.dtype, t.shape, raw.data as Tensor["data"]);
      consts.set(name, { tensor, type: type.quant ? { ...type, quant: await readQuant(name, e, type.quant, paramShape(type.quant.granularity, t.shape)) } : type });
    }
    const acts = new Map<string, Attrs>();
    for (const n of g.nodes) {
      const v = n.outputs[0]!;
      const q = g.values[v]?.quant;
      if ((n.op !== "quantize" && n.op !== "kv_quant") || !q?.scale) continue;
      const e = Object.hasOwn(o.index, v) ? o.index[v]! : undefined;
      if (e?.kind !== "activation") throw mismatch(v, `the graph quantizes this activation (node '${n.name}'), the checkpoint has no parameters for it`);
      used.add(v);
      const p = await readQuant(v, e, q, [q.scale.length]);
      acts.set(n.name, { ...n.attrs, scale: Array.from(p.scale!), zero_point: p.zeroPoint ? Array.from(p.zeroPoint) : [] });
    }
    for (const name of Object.keys(o.index).sort()) if (!used.has(name)) throw mismatch(name, "in the checkpoint, but the graph has no such value");
    return edit(g, (ed) => {
      for (const [name, c] of consts) {
        (ed.draft.constants as Record<string, Tensor>)[name] = c.tensor;
        ed.setType(name, c.type);
      }
      for (const n of g.nodes) {
        const attrs = acts.get(n.name);
        if (!attrs) continue;
        ed.setAttrs(n.name, attrs);
        const [t] = inferNode({ ...n, attrs }, (v) => g.values[v], (v) => g.constants[v]);
        ed.setType(n.outputs[0]!, t!);
      }
    });
  } finally {
    await o.file.close();
  }
}
