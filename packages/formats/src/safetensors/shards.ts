/**
 * Sharded Hugging Face checkpoints: `model.safetensors.index.json` maps each tensor name to
 * the shard file holding it (`weight_map`). `openSafetensorsCheckpoint` gives one view over
 * a directory holding either that index and its shards or a single `model.safetensors`.
 */
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { atomicWrite } from "../atomic.js";
import type { RawTensor } from "../dtype.js";
import { fail } from "../errors.js";
import { byteLengthOf, elemCount, setOwn } from "../raw.js";
import { resolveInside } from "../paths.js";
import type { SafetensorsEntry } from "./header.js";
import { openSafetensors, type SafetensorsFile } from "./read.js";
import { writeSafetensors } from "./write.js";

export const INDEX_FILE = "model.safetensors.index.json";

export interface SafetensorsIndex {
  metadata: Record<string, unknown>;
  /** Tensor name → shard file name (relative to the directory). */
  weightMap: Record<string, string>;
  /** Distinct shard file names, sorted. */
  shards: string[];
}

/** Reads and checks `dir/model.safetensors.index.json` (or `indexName`). */
export async function readSafetensorsIndex(dir: string, indexName = INDEX_FILE): Promise<SafetensorsIndex> {
  const file = join(dir, indexName);
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(file, "utf8"));
  } catch (e) {
    fail(`cannot read index: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, file);
  }
  const obj = parsed as { metadata?: unknown; weight_map?: unknown };
  if (!obj || typeof obj !== "object" || !obj.weight_map || typeof obj.weight_map !== "object" || Array.isArray(obj.weight_map)) {
    fail("index has no weight_map object", file);
  }
  const weightMap: Record<string, string> = {};
  for (const [name, shard] of Object.entries(obj.weight_map as Record<string, unknown>)) {
    if (typeof shard !== "string") fail(`weight_map entry '${name}' is not a file name`, file);
    resolveInside(dir, shard, `weight_map entry '${name}'`, file);
    setOwn(weightMap, name, shard);
  }
  const metadata = obj.metadata && typeof obj.metadata === "object" ? (obj.metadata as Record<string, unknown>) : {};
  return { metadata, weightMap, shards: [...new Set(Object.values(weightMap))].sort() };
}

/** One view over a checkpoint directory (sharded with an index, or `model.safetensors`). */
export async function openSafetensorsCheckpoint(dir: string): Promise<SafetensorsFile> {
  if (!existsSync(join(dir, INDEX_FILE))) return openSafetensors(join(dir, "model.safetensors"));
  const index = await readSafetensorsIndex(dir);
  const files = new Map<string, SafetensorsFile>();
  const closeAll = () => Promise.all([...files.values()].map((f) => f.close()));
  try {
    for (const shard of index.shards) files.set(shard, await openSafetensors(join(dir, shard)));
    const header: Record<string, SafetensorsEntry> = {};
    for (const [name, shard] of Object.entries(index.weightMap)) {
      const f = files.get(shard)!;
      if (!Object.hasOwn(f.header, name)) fail(`weight_map puts '${name}' in ${shard}, which does not hold it`, join(dir, INDEX_FILE));
      setOwn(header, name, f.header[name]);
    }
    return {
      path: dir,
      header,
      metadata: files.size > 0 ? files.get(index.shards[0])!.metadata : {},
      names: index.shards.flatMap((s) => files.get(s)!.names.filter((n) => index.weightMap[n] === s)),
      read: (name) => (Object.hasOwn(index.weightMap, name) ? files.get(index.weightMap[name])!.read(name) : fail(`no tensor '${name}'`, dir)),
      close: async () => void (await closeAll()),
    };
  } catch (e) {
    await closeAll();
    throw e;
  }
}

/**
 * Writes tensors as HF-style shards `model-0000i-of-0000n.safetensors` of at most
 * `maxShardBytes` data each (a larger tensor gets a shard of its own) plus the index.
 */
export async function writeSafetensorsSharded(
  dir: string,
  tensors: Record<string, RawTensor>,
  opts: { maxShardBytes?: number; metadata?: Record<string, string> } = {},
): Promise<SafetensorsIndex> {
  const max = opts.maxShardBytes ?? 2 ** 30;
  const groups: string[][] = [[]];
  let used = 0;
  let total = 0;
  for (const name of Object.keys(tensors).sort()) {
    const t = tensors[name];
    const size = t.dtype === "string" ? 0 : byteLengthOf(t.dtype, elemCount(t.dims));
    if (used > 0 && used + size > max) {
      groups.push([]);
      used = 0;
    }
    groups[groups.length - 1].push(name);
    used += size;
    total += size;
  }
  const pad = (i: number) => String(i).padStart(5, "0");
  const weightMap: Record<string, string> = {};
  const shards: string[] = [];
  for (const [i, names] of groups.entries()) {
    const shard = `model-${pad(i + 1)}-of-${pad(groups.length)}.safetensors`;
    const part: Record<string, RawTensor> = {};
    for (const n of names) {
      setOwn(part, n, tensors[n]);
      setOwn(weightMap, n, shard);
    }
    await writeSafetensors(join(dir, shard), part, opts.metadata);
    shards.push(shard);
  }
  const index = { metadata: { total_size: total }, weight_map: weightMap };
  await atomicWrite(join(dir, INDEX_FILE), new TextEncoder().encode(`${JSON.stringify(index, null, 2)}\n`));
  return { metadata: index.metadata, weightMap, shards };
}
