import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { atomicWrite, atomicWriteSync } from "./atomic.js";
import { scratchDir } from "./testdata.js";

const { dir, cleanup } = scratchDir();
afterAll(cleanup);

function* failingChunks(): Generator<Uint8Array> {
  yield new Uint8Array([1, 2, 3]);
  throw new Error("disk on fire");
}

describe("atomicWrite", () => {
  it("writes one buffer or a sequence of chunks", async () => {
    await atomicWrite(join(dir, "a"), new Uint8Array([1, 2]));
    atomicWriteSync(join(dir, "b"), [new Uint8Array([3]), new Uint8Array(0), new Uint8Array([4, 5])]);
    expect([...readFileSync(join(dir, "a"))]).toEqual([1, 2]);
    expect([...readFileSync(join(dir, "b"))]).toEqual([3, 4, 5]);
  });

  it("replaces an existing file only when the write succeeded", async () => {
    const path = join(dir, "keep");
    writeFileSync(path, "old");
    await expect(atomicWrite(path, failingChunks())).rejects.toThrow("disk on fire");
    expect(() => atomicWriteSync(path, failingChunks())).toThrow("disk on fire");
    expect(readFileSync(path, "utf8")).toBe("old");
    await atomicWrite(path, new TextEncoder().encode("new"));
    expect(readFileSync(path, "utf8")).toBe("new");
    expect(readdirSync(dir).filter((f) => f.endsWith(".tmp"))).toEqual([]);
  });
});
