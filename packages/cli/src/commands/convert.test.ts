import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readNpy } from "@quantpass/formats";
import { writeImagesNpy } from "../testing/fmnist-inputs.js";
import { errorLines, fmnistModel, listDir, quantpass, tempDir } from "../testing/harness.js";

const MODEL = fmnistModel();
const tmp = tempDir();
const images = join(tmp.dir, "images.npy");
beforeAll(async () => { await writeImagesNpy(images, 8); });
afterAll(tmp.cleanup);

async function logitsOf(model: string, tag: string): Promise<Float32Array> {
  const out = join(tmp.dir, `out-${tag}`);
  const r = quantpass(["run", model, "--input", `x=${images}`, "--out", out]);
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
  return (await readNpy(join(out, "logits.npy"))).data as Float32Array;
}

describe("quantpass convert", () => {
  it("onnx → qir → onnx keeps the model's outputs bit for bit", async () => {
    const qir = join(tmp.dir, "fmnist.qir");
    const onnx = join(tmp.dir, "fmnist.onnx");
    const a = quantpass(["convert", MODEL, qir]);
    expect(a.stderr).toBe("");
    expect(a.code).toBe(0);
    expect(readFileSync(qir, "utf8")).toMatch(/Conv/);
    const b = quantpass(["convert", qir, onnx, "--json"]);
    expect(b.code).toBe(0);
    expect(JSON.parse(b.stdout)).toMatchObject({ input: qir, output: onnx, from: "qir", to: "onnx" });
    const want = await logitsOf(MODEL, "orig");
    expect(Array.from(await logitsOf(qir, "qir"))).toEqual(Array.from(want));
    expect(Array.from(await logitsOf(onnx, "onnx"))).toEqual(Array.from(want));
  });

  it("qir → qir reprints the same text; onnx → onnx keeps the opset or re-exports at --opset", () => {
    const q1 = join(tmp.dir, "q1.qir");
    const q2 = join(tmp.dir, "q2.qir");
    expect(quantpass(["convert", MODEL, q1]).code).toBe(0);
    expect(quantpass(["convert", q1, q2]).code).toBe(0);
    expect(readFileSync(q2, "utf8")).toBe(readFileSync(q1, "utf8"));
    const same = join(tmp.dir, "same.onnx");
    expect(quantpass(["convert", MODEL, same]).code).toBe(0);
    expect(JSON.parse(quantpass(["inspect", same, "--json"]).stdout).opsets["ai.onnx"]).toBe("13");
    const o17 = join(tmp.dir, "o17.onnx");
    const r = quantpass(["convert", MODEL, o17, "--opset", "17"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const j = JSON.parse(quantpass(["inspect", o17, "--json"]).stdout);
    expect(j.opsets["ai.onnx"]).toBe("17");
  });

  it("--opset with .qir output is a usage error", () => {
    const r = quantpass(["convert", MODEL, join(tmp.dir, "x.qir"), "--opset", "17"]);
    expect(r.code).toBe(2);
    expect(errorLines(r)).toEqual([`quantpass: error: --opset applies to .onnx output only, not '${join(tmp.dir, "x.qir")}'`]);
  });

  it("leaves no output file when the input is bad", () => {
    const bad = join(tmp.dir, "bad.onnx");
    writeFileSync(bad, readFileSync(MODEL).subarray(0, 2000));
    const dir = join(tmp.dir, "fail");
    const before = listDir(tmp.dir);
    const r = quantpass(["convert", bad, join(tmp.dir, "fail.qir")]);
    expect(r.code).toBe(2);
    expect(errorLines(r)).toHaveLength(1);
    expect(r.stderr).toContain(bad);
    expect(listDir(tmp.dir)).toEqual(before);
    expect(existsSync(dir)).toBe(false);
  });

  it("names a missing output directory", () => {
    const out = join(tmp.dir, "no", "such", "m.qir");
    const r = quantpass(["convert", MODEL, out]);
    expect(r.code).toBe(2);
    expect(errorLines(r)).toHaveLength(1);
    expect(r.stderr).toContain(`cannot write '${out}'`);
  });

  it("rejects a malformed .qir naming the file", () => {
    const bad = join(tmp.dir, "bad.qir");
    writeFileSync(bad, "graph @g {\n  this is not ir\n");
    const r = quantpass(["convert", bad, join(tmp.dir, "never.onnx")]);
    expect(r.code).toBe(2);
    expect(errorLines(r)).toHaveLength(1);
    expect(r.stderr).toContain(bad);
    expect(existsSync(join(tmp.dir, "never.onnx"))).toBe(false);
  });
});
