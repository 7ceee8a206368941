import fc from "fast-check";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { arbRawTensor, rawKey } from "../arb.js";
import type { RawTensor } from "../dtype.js";
import { FormatError } from "../errors.js";
import { scratchDir, testdata } from "../testdata.js";
import { decodeSafetensors, readSafetensors } from "./read.js";
import { encodeSafetensors, writeSafetensors } from "./write.js";

const { dir, cleanup } = scratchDir();
afterAll(cleanup);
const keyed = (ts: Record<string, RawTensor>) => Object.fromEntries(Object.entries(ts).map(([k, v]) => [k, rawKey(v)]));

describe("writeSafetensors", () => {
  it("round-trips random tensors of every numeric dtype, in memory and on disk", async () => {
    const arbTensors = fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }), arbRawTensor(), { maxKeys: 5 });
    const meta = fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 2 });
    let i = 0;
    await fc.assert(
      fc.asyncProperty(arbTensors, meta, async (tensors, metadata) => {
        const bytes = encodeSafetensors(tensors, metadata);
        expect((8 + Number(new DataView(bytes.buffer).getBigUint64(0, true))) % 8).toBe(0);
        const back = decodeSafetensors(bytes);
        expect(keyed(back.tensors)).toEqual(keyed(tensors));
        expect(back.metadata).toEqual(metadata);
        const path = join(dir, `p${i++}.safetensors`);
        await writeSafetensors(path, tensors, metadata);
        expect(Buffer.from(readFileSync(path)).equals(Buffer.from(bytes))).toBe(true);
        expect(keyed((await readSafetensors(path)).tensors)).toEqual(keyed(tensors));
      }),
      { numRuns: 100 },
    );
  });

  it("is deterministic: names sorted, insertion order irrelevant", () => {
    const a = { dtype: "f32" as const, dims: [1], data: new Float32Array([1]) };
    const b = { dtype: "u8" as const, dims: [2], data: new Uint8Array([1, 2]) };
    const x = encodeSafetensors({ b, a });
    expect(Buffer.from(x).equals(Buffer.from(encodeSafetensors({ a, b })))).toBe(true);
    const json = new TextDecoder().decode(x.subarray(8, 8 + Number(new DataView(x.buffer).getBigUint64(0, true))));
    expect(json).toBe(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"U8","shape":[2],"data_offsets":[4,6]}}${" ".repeat(6)}`);
  });

  it("rewrites the sotu-llama checkpoint byte for byte", async () => {
    const src = testdata("sotu-llama/model.safetensors");
    const { tensors, metadata } = await readSafetensors(src);
    const out = join(dir, "sotu.safetensors");
    await writeSafetensors(out, tensors, metadata);
    expect(readFileSync(out).equals(readFileSync(src))).toBe(true);
  });

  it("rejects what safetensors cannot hold, leaving no file behind", async () => {
    const path = join(dir, "bad.safetensors");
    const f32 = { dtype: "f32" as const, dims: [1], data: new Float32Array(1) };
    await expect(writeSafetensors(path, { s: { dtype: "string", dims: [1], data: ["x"] } })).rejects.toThrow(/string tensors cannot be stored/);
    await expect(writeSafetensors(path, { __metadata__: f32 })).rejects.toThrow(/cannot be a tensor name/);
    await expect(writeSafetensors(path, { a: { ...f32, dims: [2] } })).rejects.toThrow(FormatError);
    await expect(writeSafetensors(path, { a: f32 }, { n: 1 as unknown as string })).rejects.toThrow(/metadata value of 'n' is not a string/);
    expect(existsSync(path)).toBe(false);
    expect(readdirSync(dir).filter((f) => f.endsWith(".tmp"))).toEqual([]);
  });
});
