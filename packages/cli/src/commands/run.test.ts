import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readNpy, writeNpy } from "@quantpass/formats";
import { CpuInterpreter } from "@quantpass/backends";
import { loadOnnx } from "@quantpass/frontends";
import { Tensor } from "@quantpass/ir";
import { writeImagesNpy } from "../testing/fmnist-inputs.js";
import { errorLines, fmnistModel, listDir, quantpass, tempDir } from "../testing/harness.js";

const MODEL = fmnistModel();
const tmp = tempDir();
const images = join(tmp.dir, "images.npy");
let pixels: Float32Array;

beforeAll(async () => {
  pixels = await writeImagesNpy(images, 4);
});
afterAll(tmp.cleanup);

describe("quantpass run", () => {
  it("writes <out>/logits.npy equal to the interpreter's output", async () => {
    const out = join(tmp.dir, "out1");
    const r = quantpass(["run", MODEL, "--input", `x=${images}`, "--out", out]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^logits +f32 \[4,10\] +-> .*logits\.npy$/m);
    expect(listDir(out)).toEqual(["logits.npy"]);
    const got = await readNpy(join(out, "logits.npy"));
    expect(got.dtype).toBe("f32");
    expect(got.dims).toEqual([4, 10]);
    const graph = await loadOnnx(MODEL);
    const want = new CpuInterpreter().runSync(graph, { x: new Tensor("f32", [4, 1, 28, 28], pixels) }).logits!;
    expect(Array.from(got.data as Float32Array)).toEqual(Array.from(want.data as Float32Array));
    // The first four test images are labelled 9, 2, 1, 1; the model gets them right.
    const argmax = (r: number) => { const row = Array.from((got.data as Float32Array).subarray(r * 10, r * 10 + 10)); return row.indexOf(Math.max(...row)); };
    expect([0, 1, 2, 3].map(argmax)).toEqual([9, 2, 1, 1]);
  });

  it("--json prints one object describing every output", () => {
    const out = join(tmp.dir, "out2");
    const r = quantpass(["run", MODEL, "-i", images, "-o", out, "--json"]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ outputs: [{ name: "logits", file: join(out, "logits.npy"), dtype: "f32", shape: [4, 10] }] });
  });

  it("adds to an existing --out directory", () => {
    const out = join(tmp.dir, "out3");
    mkdirSync(out);
    writeFileSync(join(out, "other.txt"), "keep");
    expect(quantpass(["run", MODEL, "-i", `x=${images}`, "-o", out]).code).toBe(0);
    expect(listDir(out)).toEqual(["logits.npy", "other.txt"]);
  });

  it("rejects a wrong input shape naming the input, writing nothing", async () => {
    const bad = join(tmp.dir, "flat.npy");
    await writeNpy(bad, { dtype: "f32", dims: [2, 28, 28], data: new Float32Array(2 * 784) });
    const out = join(tmp.dir, "never1");
    const r = quantpass(["run", MODEL, "--input", `x=${bad}`, "--out", out]);
    expect(r.code).toBe(2);
    expect(errorLines(r)).toHaveLength(1);
    expect(r.stderr).toMatch(/^quantpass: error: input 'x' .*shape/);
    expect(listDir(out)).toEqual([]);
    expect(listDir(tmp.dir).filter((f) => f.startsWith("."))).toEqual([]);
  });

  it("rejects a wrong input dtype naming the input", async () => {
    const bad = join(tmp.dir, "f64.npy");
    await writeNpy(bad, { dtype: "f64", dims: [1, 1, 28, 28], data: new Float64Array(784) });
    const r = quantpass(["run", MODEL, "--input", `x=${bad}`, "--out", join(tmp.dir, "never2")]);
    expect(r.code).toBe(2);
    expect(errorLines(r)).toEqual([`quantpass: error: input 'x' (from '${bad}') must be f32, got f64`]);
  });

  it("rejects an unknown input name, a missing input and a missing npy file", () => {
    const out = join(tmp.dir, "never3");
    const unknown = quantpass(["run", MODEL, "--input", `y=${images}`, "--out", out]);
    expect(unknown.code).toBe(2);
    expect(errorLines(unknown)).toEqual([`quantpass: error: --input 'y=${images}': 'y' is not an input of the model (inputs: x)`]);
    const missing = quantpass(["run", MODEL, "--out", out]);
    expect(missing.code).toBe(2);
    expect(errorLines(missing)[0]).toMatch(/^quantpass: error: missing --input for 'x' \(f32 \[/);
    const nofile = quantpass(["run", MODEL, "--input", "x=nope.npy", "--out", out]);
    expect(nofile.code).toBe(2);
    expect(errorLines(nofile)).toEqual(["quantpass: error: cannot read 'nope.npy': no such file"]);
    expect(listDir(out)).toEqual([]);
  });

  it("rejects a corrupt npy file naming it", () => {
    const bad = join(tmp.dir, "corrupt.npy");
    writeFileSync(bad, "\x93NUMPY garbage");
    const r = quantpass(["run", MODEL, "--input", `x=${bad}`, "--out", join(tmp.dir, "never4")]);
    expect(r.code).toBe(2);
    expect(errorLines(r)).toHaveLength(1);
    expect(r.stderr).toContain(bad);
  });

  it("rejects an --out that is a file", () => {
    const f = join(tmp.dir, "a-file");
    writeFileSync(f, "x");
    const r = quantpass(["run", MODEL, "--input", `x=${images}`, "--out", f]);
    expect(r.code).toBe(2);
    expect(errorLines(r)).toEqual([`quantpass: error: --out '${f}' exists and is not a directory`]);
  });
});
