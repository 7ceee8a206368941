import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { writeNpy } from "@quantpass/formats";
import { GraphBuilder, type Tensor } from "@quantpass/ir";
import { tempDir } from "../testing/harness.js";
import { fashionMnistCalibration, npyCalibration } from "./calib.js";

const tmp = tempDir("quantpass-calib-");
afterAll(tmp.cleanup);
let k = 0;
function dir(files: Record<string, { dims: number[]; dtype?: "f32" | "i64" }>): Promise<string> {
  const d = join(tmp.dir, `d${k++}`);
  mkdirSync(d);
  return Promise.all(
    Object.entries(files).map(([name, f]) => {
      const n = f.dims.reduce((a, b) => a * b, 1);
      const data = f.dtype === "i64" ? BigInt64Array.from({ length: n }, (_, i) => BigInt(i)) : Float32Array.from({ length: n }, (_, i) => i);
      return writeNpy(join(d, name), { dtype: f.dtype ?? "f32", dims: f.dims, data });
    }),
  ).then(() => d);
}

function twoInputs(batch: number | string = "n") {
  const b = new GraphBuilder("g");
  const a = b.input("a", "f32", [batch, 3]);
  const c = b.input("enc/c:0", "f32", [batch, 3]);
  b.output(b.op1("Add", [a, c]));
  return b.build();
}

const shapes = (batches: Iterable<Readonly<Record<string, Tensor>>>) => [...batches].map((f) => Object.fromEntries(Object.entries(f).map(([n, t]) => [n, t.shape.join("x")])));

describe("npyCalibration", () => {
  it("slices every input along the first axis into batches (sanitized file names accepted)", async () => {
    const d = await dir({ "a.npy": { dims: [70, 3] }, "enc_c_0.npy": { dims: [70, 3] } });
    const c = await npyCalibration(twoInputs(), d, 32);
    expect(c.size).toBe(3);
    expect(c.samples).toBe(70);
    expect(shapes(c.batches())).toEqual([{ a: "32x3", "enc/c:0": "32x3" }, { a: "32x3", "enc/c:0": "32x3" }, { a: "6x3", "enc/c:0": "6x3" }]);
    const last = [...c.batches()][2]!.a!;
    expect(last.get(0)).toBe(64 * 3); // row 64's first element
  });

  it("feeds one whole input per run when the file has one more axis; a fixed batch dim sets the batch", async () => {
    const stacked = await dir({ "a.npy": { dims: [5, 2, 3] }, "enc_c_0.npy": { dims: [5, 2, 3] } });
    expect(shapes((await npyCalibration(twoInputs(), stacked)).batches())).toHaveLength(5);
    const fixed = await dir({ "a.npy": { dims: [8, 3] }, "enc_c_0.npy": { dims: [8, 3] } });
    expect(shapes((await npyCalibration(twoInputs(4), fixed, 32)).batches())).toEqual([{ a: "4x3", "enc/c:0": "4x3" }, { a: "4x3", "enc/c:0": "4x3" }]);
    const odd = await dir({ "a.npy": { dims: [6, 3] }, "enc_c_0.npy": { dims: [6, 3] } });
    await expect(npyCalibration(twoInputs(4), odd)).rejects.toThrow(/has 6 samples; graph input 'a' has a fixed batch of 4, so the count must be a multiple of 4/);
  });

  it("names the file in every error", async () => {
    const g = twoInputs();
    const counts = await dir({ "a.npy": { dims: [10, 3] }, "enc_c_0.npy": { dims: [9, 3] } });
    await expect(npyCalibration(g, counts)).rejects.toThrow(`--calib: '${join(counts, "enc_c_0.npy")}' has 9 samples but '${join(counts, "a.npy")}' has 10; every input needs the same number`);
    const dtype = await dir({ "a.npy": { dims: [10, 3], dtype: "i64" }, "enc_c_0.npy": { dims: [10, 3] } });
    await expect(npyCalibration(g, dtype)).rejects.toThrow(`--calib: '${join(dtype, "a.npy")}' holds i64 values; graph input 'a' is f32`);
    const rank = await dir({ "a.npy": { dims: [10] }, "enc_c_0.npy": { dims: [10, 3] } });
    await expect(npyCalibration(g, rank)).rejects.toThrow(/'.*a\.npy' has shape \[10\]; graph input 'a' is \[n,3\]: expected rank 2 \(samples along the first axis\) or 3/);
    const missing = await dir({ "a.npy": { dims: [10, 3] } });
    await expect(npyCalibration(g, missing)).rejects.toThrow(`no file '${join(missing, "enc/c:0.npy")}' for graph input 'enc/c:0'`);
    const bad = join(tmp.dir, "corrupt");
    mkdirSync(bad);
    writeFileSync(join(bad, "a.npy"), "not an npy file");
    writeFileSync(join(bad, "enc_c_0.npy"), "");
    await expect(npyCalibration(g, bad)).rejects.toThrow(/a\.npy/);
    const file = join(tmp.dir, "plain.txt");
    writeFileSync(file, "x");
    await expect(npyCalibration(g, file)).rejects.toThrow(`--calib ${file}: not a folder`);
  });
});

describe("fashionMnistCalibration", () => {
  it("uses the first N training images as [batch,1,28,28] batches and refuses other models", async () => {
    const b = new GraphBuilder("g");
    b.output(b.op1("Relu", [b.input("img", "f32", ["b", 1, 28, 28])]));
    const c = fashionMnistCalibration(b.build(), "fashion-mnist:70", 32);
    expect(c.labeled).toBe(true);
    expect(c.label).toBe("fashion-mnist:70 (training set)");
    expect(shapes(c.batches())).toEqual([{ img: "32x1x28x28" }, { img: "32x1x28x28" }, { img: "6x1x28x28" }]);
    expect(() => fashionMnistCalibration(twoInputs(), "fashion-mnist:10")).toThrow(/^--calib fashion-mnist: the model has 2 inputs/);
    expect(() => fashionMnistCalibration(b.build(), "fashion-mnist:60001")).toThrow("--calib fashion-mnist:60001: the training set has only 60000 images");
    expect(() => fashionMnistCalibration(b.build(), "fashion-mnist:x")).toThrow("--calib 'fashion-mnist:x': N must be a positive integer");
  });
});
