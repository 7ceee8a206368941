import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { FormatError } from "../errors.js";
import { normalize, scratchDir, testdata } from "../testdata.js";
import { decodeSafetensors, openSafetensors, readSafetensors } from "./read.js";

const SOTU = testdata("sotu-llama/model.safetensors");
const { dir, cleanup } = scratchDir();
afterAll(cleanup);

/** A safetensors file from a header object and a data section. */
function craft(header: unknown, data = new Uint8Array(0), lengthOverride?: bigint): Uint8Array {
  const json = new TextEncoder().encode(typeof header === "string" ? header : JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, lengthOverride ?? BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

async function openError(bytes: Uint8Array, name = "w.safetensors"): Promise<string> {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  let fileErr: unknown;
  await openSafetensors(path).then((f) => f.close(), (e) => (fileErr = e));
  let memErr: unknown;
  try { decodeSafetensors(bytes, path); } catch (e) { memErr = e; }
  expect(fileErr).toBeInstanceOf(FormatError);
  expect((memErr as Error).message).toBe((fileErr as Error).message);
  return (fileErr as Error).message.replace(`${path}: `, "");
}

describe("openSafetensors on the sotu-llama checkpoint", () => {
  it("reads the header, metadata and every tensor", async () => {
    const f = await openSafetensors(SOTU);
    try {
      expect(f.metadata).toEqual({ format: "pt" });
      expect(f.names).toHaveLength(38);
      expect(f.names.reduce((s, n) => s + f.header[n].shape.reduce((a, b) => a * b, 1), 0)).toBe(758_912);
      expect(f.header["model.embed_tokens.weight"]).toEqual({ dtype: "f32", shape: [256, 128], offsets: [0, 131072] });
      const q = await f.read("model.layers.0.self_attn.q_proj.weight");
      expect(q.dims).toEqual([128, 128]);
      expect(q.data).toBeInstanceOf(Float32Array);
      const file = readFileSync(SOTU);
      const start = 8 + Number(file.readBigUInt64LE(0)) + f.header["model.layers.0.self_attn.q_proj.weight"].offsets[0];
      expect(Buffer.from((q.data as Float32Array).buffer).equals(file.subarray(start, start + 128 * 128 * 4))).toBe(true);
      await expect(f.read("lm_head.weight")).rejects.toThrow(/no tensor 'lm_head.weight'/);
    } finally {
      await f.close();
    }
  });

  it("readSafetensors and decodeSafetensors agree", async () => {
    const all = await readSafetensors(SOTU);
    expect(Object.keys(all.tensors)).toHaveLength(38);
    expect(normalize(decodeSafetensors(readFileSync(SOTU)))).toEqual(normalize(all));
  });
});

describe("safetensors header validation", () => {
  const ok = { a: { dtype: "F32", shape: [2], data_offsets: [0, 8] } };
  it("checks the length prefix", async () => {
    expect(await openError(craft(ok, new Uint8Array(8), 99999999n))).toMatch(/^header length 99999999 exceeds file size 70$/);
    expect(await openError(craft(ok, new Uint8Array(8), 2n ** 63n))).toMatch(/header length 9223372036854775808 exceeds the 100000000-byte limit/);
    expect(await openError(new Uint8Array(5))).toBe("file is 5 bytes, too short for a safetensors header");
  });

  it("checks the JSON and every entry", async () => {
    const e = (h: unknown, data = new Uint8Array(8)) => openError(craft(h, data));
    expect(await e("{not json")).toMatch(/^invalid JSON header: /);
    expect(await e("[1,2]")).toBe("header is not a JSON object");
    expect(await e({ a: { dtype: "F8_E4M3", shape: [8], data_offsets: [0, 8] } })).toBe(`tensor 'a': unknown dtype "F8_E4M3"`);
    expect(await e({ a: { dtype: "F32", shape: [-2], data_offsets: [0, 8] } })).toMatch(/shape \[-2\] is not a list of non-negative integers/);
    expect(await e({ a: { dtype: "F32", shape: [2], data_offsets: [0, 16] } })).toMatch(/data_offsets \[0, 16\] lie outside the 8-byte data section/);
    expect(await e({ a: { dtype: "F32", shape: [3], data_offsets: [0, 8] } })).toBe("tensor 'a': data_offsets span 8 bytes, f32 [3] needs 12");
    expect(await e({ a: { dtype: "F32", shape: [1], data_offsets: [0, 4] }, b: { dtype: "U8", shape: [4], data_offsets: [2, 6] } })).toBe("tensors 'a' and 'b' overlap");
    expect(await e({ a: { dtype: "F32", shape: [2], data_offsets: [0] } })).toMatch(/data_offsets \[0\] is not \[start, end\]/);
    expect(await e({ __metadata__: { n: 1 }, ...ok })).toBe("__metadata__ value of 'n' is not a string");
  });

  it("accepts int4 packing, bool, zero-size and 0-d tensors", () => {
    const h = {
      q: { dtype: "I4", shape: [3], data_offsets: [0, 2] },
      b: { dtype: "BOOL", shape: [2], data_offsets: [2, 4] },
      z: { dtype: "F32", shape: [0, 5], data_offsets: [4, 4] },
      s: { dtype: "I64", shape: [], data_offsets: [4, 12] },
    };
    const data = new Uint8Array([0x21, 0x0f, 1, 0, 7, 0, 0, 0, 0, 0, 0, 0]);
    const { tensors } = decodeSafetensors(craft(h, data));
    expect(tensors.q).toEqual({ dtype: "i4", dims: [3], data: new Uint8Array([0x21, 0x0f]) });
    expect(tensors.b).toEqual({ dtype: "bool", dims: [2], data: new Uint8Array([1, 0]) });
    expect(tensors.z).toEqual({ dtype: "f32", dims: [0, 5], data: new Float32Array(0) });
    expect(tensors.s).toEqual({ dtype: "i64", dims: [], data: new BigInt64Array([7n]) });
  });

  it("reports files that do not exist", async () => {
    await expect(openSafetensors(join(dir, "missing.safetensors"))).rejects.toThrow(/missing\.safetensors: cannot open: ENOENT/);
  });
});
