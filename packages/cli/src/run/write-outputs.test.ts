import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { UserError } from "@quantpass/ir";
import { listDir, tempDir } from "../testing/harness.js";
import { checkOutDir, writeAllOrNothing } from "./write-outputs.js";

const tmp = tempDir();
afterAll(tmp.cleanup);

const file = (name: string, text: string) => ({ name, write: (p: string) => writeFileSync(p, text) });
const failing = { name: "bad.npy", write: () => { throw new UserError("encoder refused"); } };

describe("writeAllOrNothing", () => {
  it("creates a missing directory with every file", async () => {
    const out = join(tmp.dir, "new");
    await writeAllOrNothing(out, [file("a.npy", "A"), file("b.npy", "B")]);
    expect(listDir(out)).toEqual(["a.npy", "b.npy"]);
    expect(listDir(tmp.dir)).toEqual(["new"]);
  });

  it("adds to an existing directory, replacing same-named files", async () => {
    const out = join(tmp.dir, "existing");
    mkdirSync(out);
    writeFileSync(join(out, "keep.txt"), "k");
    writeFileSync(join(out, "a.npy"), "old");
    await writeAllOrNothing(out, [file("a.npy", "new")]);
    expect(listDir(out)).toEqual(["a.npy", "keep.txt"]);
    expect(readFileSync(join(out, "a.npy"), "utf8")).toBe("new");
  });

  it("leaves nothing behind when a write fails", async () => {
    const base = join(tmp.dir, "fail");
    mkdirSync(base);
    await expect(writeAllOrNothing(join(base, "out"), [file("a.npy", "A"), failing])).rejects.toThrow("encoder refused");
    expect(listDir(base)).toEqual([]);
    mkdirSync(join(base, "out"));
    writeFileSync(join(base, "out", "a.npy"), "old");
    await expect(writeAllOrNothing(join(base, "out"), [file("a.npy", "A"), failing])).rejects.toThrow("encoder refused");
    expect(listDir(base)).toEqual(["out"]);
    expect(readFileSync(join(base, "out", "a.npy"), "utf8")).toBe("old");
  });

  it("rejects an --out that is a file or has no parent", () => {
    const f = join(tmp.dir, "plain-file");
    writeFileSync(f, "x");
    expect(() => checkOutDir(f)).toThrow(`--out '${f}' exists and is not a directory`);
    expect(() => checkOutDir(join(tmp.dir, "no", "such", "out"))).toThrow(/parent directory .*: no such file/);
  });
});
