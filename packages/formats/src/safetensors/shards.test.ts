import { copyFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { normalize, scratchDir, testdata } from "../testdata.js";
import { readSafetensors } from "./read.js";
import { INDEX_FILE, openSafetensorsCheckpoint, readSafetensorsIndex, writeSafetensorsSharded } from "./shards.js";

const SOTU = testdata("sotu-llama/model.safetensors");
const scratch: (() => void)[] = [];
afterAll(() => scratch.forEach((c) => c()));
const newDir = () => {
  const s = scratchDir();
  scratch.push(s.cleanup);
  return s.dir;
};

async function readAll(dir: string) {
  const f = await openSafetensorsCheckpoint(dir);
  try {
    const out: Record<string, unknown> = {};
    for (const n of f.names) out[n] = await f.read(n);
    return { header: f.header, tensors: normalize(out) };
  } finally {
    await f.close();
  }
}

describe("sharded safetensors checkpoints", () => {
  it("write shards + index, then read them back as one checkpoint", async () => {
    const dir = newDir();
    const { tensors, metadata } = await readSafetensors(SOTU);
    const index = await writeSafetensorsSharded(dir, tensors, { maxShardBytes: 1_000_000, metadata });
    expect(index.shards).toEqual(["model-00001-of-00004.safetensors", "model-00002-of-00004.safetensors", "model-00003-of-00004.safetensors", "model-00004-of-00004.safetensors"]);
    expect(index.metadata).toEqual({ total_size: 758_912 * 4 });
    expect(readdirSync(dir).sort()).toEqual([...index.shards, INDEX_FILE].sort());
    const back = await readSafetensorsIndex(dir);
    expect(back.weightMap).toEqual(index.weightMap);
    const all = await readAll(dir);
    expect(Object.keys(all.header)).toHaveLength(38);
    expect(all.tensors).toEqual(normalize(tensors));
  });

  it("a directory with a single model.safetensors reads the same", async () => {
    const dir = newDir();
    copyFileSync(SOTU, join(dir, "model.safetensors"));
    const single = await readAll(dir);
    expect(single.tensors).toEqual(normalize((await readSafetensors(SOTU)).tensors));
  });

  it("rejects bad indexes", async () => {
    const dir = newDir();
    copyFileSync(SOTU, join(dir, "a.safetensors"));
    const withMap = (m: unknown) => writeFileSync(join(dir, INDEX_FILE), JSON.stringify({ weight_map: m }));
    withMap({ "model.norm.weight": "../a.safetensors" });
    await expect(readSafetensorsIndex(dir)).rejects.toThrow(/weight_map entry 'model\.norm\.weight': location '\.\.\/a\.safetensors' escapes/);
    withMap({ "lm_head.weight": "a.safetensors" });
    await expect(openSafetensorsCheckpoint(dir)).rejects.toThrow(/weight_map puts 'lm_head\.weight' in a\.safetensors, which does not hold it/);
    withMap({ "model.norm.weight": "b.safetensors" });
    await expect(openSafetensorsCheckpoint(dir)).rejects.toThrow(/b\.safetensors: cannot open: ENOENT/);
    withMap(["x"]);
    await expect(readSafetensorsIndex(dir)).rejects.toThrow(/index has no weight_map object/);
    writeFileSync(join(dir, INDEX_FILE), "{");
    await expect(readSafetensorsIndex(dir)).rejects.toThrow(/cannot read index: /);
  });
});
