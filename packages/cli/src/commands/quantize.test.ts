// `quantpass quantize`, run in-process (see testing/in-process.ts) on the fmnist-cnn model.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as ort from "onnxruntime-node";
import { writeNpy } from "@quantpass/formats";
import { loadFashionMnistTest } from "../data/fashion-mnist.js";
import { fmnistModel, listDir, tempDir } from "../testing/harness.js";
import { cli, lines } from "../testing/in-process.js";

const MODEL = fmnistModel();
const tmp = tempDir("quantpass-quantize-");
afterAll(tmp.cleanup);
const out = (name: string) => join(tmp.dir, name);

/** The first n test images as the model's x input, and the float model's logits for them. */
async function ortLogits(model: string | Uint8Array, n: number): Promise<Float32Array> {
  const d = loadFashionMnistTest(n);
  const s = await ort.InferenceSession.create(model as string, { graphOptimizationLevel: "basic" });
  const x = new ort.Tensor("float32", Float32Array.from(d.pixels, (p) => p / 255), [n, 1, 28, 28]);
  const y = (await s.run({ x })).logits!.data as Float32Array;
  await s.release();
  return y;
}

let floatLogits: Float32Array;
beforeAll(async () => { floatLogits = await ortLogits(MODEL, 16); });

describe("quantize a16w8 → onnx-qdq", () => {
  it("writes a QDQ model that onnxruntime runs, close to the float model; --json has exactly the documented fields first", async () => {
    const file = out("w8.onnx");
    const r = await cli(["quantize", MODEL, "--preset", "a16w8", "--out", file, "--json"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(Object.keys(j).slice(0, 4)).toEqual(["output", "bytesBefore", "bytesAfter", "layers"]);
    expect(j.output).toBe(file);
    expect(j.bytesBefore).toBe(readFileSync(MODEL).length);
    expect(j.bytesAfter).toBe(readFileSync(file).length);
    expect(j.bytesAfter).toBeLessThan(j.bytesBefore / 3.5); // int8 weights: ~4x smaller
    expect(j.layers.map((l: { name: string }) => l.name)).toEqual(["/c1/Conv", "/c2/Conv", "/f1/Gemm", "/f2/Gemm"]);
    for (const l of j.layers) {
      expect(Object.keys(l)).toEqual(["name", "sqnrDb"]);
      expect(l.sqnrDb).toBeGreaterThan(35); // 8-bit per-channel weights
    }
    expect(j.format).toBe("onnx-qdq");
    expect(j.pipeline).toBe("rtn{weight_dtype=int8,weight_symmetric=true,granularity=per-channel},fold-to-int,dce");
    expect(j.notes).toEqual([expect.stringMatching(/random inputs \(no --calib\)/)]);
    const q = await ortLogits(file, 16);
    const scale = Math.max(...floatLogits.map(Math.abs));
    q.forEach((v, i) => expect(Math.abs(v - floatLogits[i]!)).toBeLessThan(0.05 * scale));
  });

  it("prints a human summary without --json", async () => {
    const r = await cli(["quantize", MODEL, "--preset", "a16w8", "--out", out("w8-text.onnx")]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^wrote .*w8-text\.onnx \(onnx-qdq, 810 KiB → \d+ KiB, 3\.\d\dx smaller\)\n/);
    expect(r.stdout).toMatch(/\/f2\/Gemm\s+\d+\.\d dB {2}\(Gemm → weight_quant_matmul\)/);
  });
});

describe("quantize a8w8 with --calib fashion-mnist", () => {
  it("calibrates on training images, measures accuracy and writes the report", async () => {
    const file = out("a8w8.onnx");
    const report = out("a8w8.html");
    const r = await cli(["quantize", MODEL, "--preset", "a8w8", "--calib", "fashion-mnist:64", "--eval-samples", "200", "--out", file, "--report", report, "--json"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.pipeline).toMatch(/^insert-observers\{method=minmax,outputs=true\},calibrate,fake-quant/);
    expect(j.passes.map((p: { pass: string }) => p.pass)).toEqual(["insert-observers", "calibrate", "fake-quant", "fold-to-int", "insert-dequant", "dce"]);
    expect(j.sqnrData).toBe("the first 2 calibration batches of fashion-mnist:64 (training set)");
    for (const l of j.layers) expect(l.sqnrDb).toBeGreaterThan(30);
    expect(j.accuracy).toMatchObject({ samples: 200, executor: "cpu" });
    expect(j.accuracy.float).toBeGreaterThan(0.85);
    expect(j.accuracy.quantized).toBeGreaterThan(j.accuracy.float - 0.03);

    const html = readFileSync(report, "utf8");
    expect(html).toMatch(/^<!DOCTYPE html>/);
    expect(html).toContain("<svg");
    expect(html.match(/<rect /g)!.length).toBeGreaterThanOrEqual(4 + 2); // 4 layer bars, 2 size bars
    for (const l of j.layers) expect(html).toContain(`>${l.name}<`);
    expect(html).toContain("810 KiB");
    expect(html).toContain(`${j.bytesAfter.toLocaleString("en-US")} bytes`);
    expect(html).toContain("insert-observers{method=minmax,outputs=true},calibrate");
    expect(html).toContain("Time per pass");
    expect(html).toContain(`${j.accuracy.quantized.toFixed(4)}`);
    // Self-contained: no scripts, stylesheets, images or fetches.
    expect(html).not.toMatch(/<script|<link|<img|<iframe|\s(src|href)=|url\(|@import/i);
  });

  it("writes QOperator ONNX (--format onnx-qop) and a checkpoint (.safetensors)", async () => {
    const qop = await cli(["quantize", MODEL, "--preset", "a8w8", "--calib", "fashion-mnist:32", "--eval-samples", "0", "--format", "onnx-qop", "--out", out("qop.onnx"), "--json"]);
    expect(qop.code).toBe(0);
    const model = readFileSync(out("qop.onnx"));
    expect(model.includes(Buffer.from("QLinearConv"))).toBe(true);
    expect(JSON.parse(qop.stdout).accuracy).toBeUndefined();
    const y = await ortLogits(out("qop.onnx"), 16);
    const right = Array.from({ length: 16 }, (_, r) => [...y.subarray(r * 10, r * 10 + 10)].indexOf(Math.max(...y.subarray(r * 10, r * 10 + 10))));
    const want = Array.from({ length: 16 }, (_, r) => [...floatLogits.subarray(r * 10, r * 10 + 10)].indexOf(Math.max(...floatLogits.subarray(r * 10, r * 10 + 10))));
    expect(right.filter((c, k) => c === want[k]).length).toBeGreaterThanOrEqual(15);

    const st = await cli(["quantize", MODEL, "--preset", "a16w4", "--out", out("w4.safetensors"), "--json"]);
    expect(st.code).toBe(0);
    const j = JSON.parse(st.stdout);
    expect(j.format).toBe("safetensors");
    expect(j.bytesAfter).toBe(readFileSync(out("w4.safetensors")).length);
    expect(j.bytesAfter).toBeLessThan(j.bytesBefore / 5);
  });

  it("calibrates from a folder of <input>.npy files, batching along the first axis", async () => {
    const dir = out("calib");
    const { mkdirSync } = await import("node:fs");
    mkdirSync(dir);
    const d = loadFashionMnistTest(40);
    await writeNpy(join(dir, "x.npy"), { dtype: "f32", dims: [40, 1, 28, 28], data: Float32Array.from(d.pixels, (p) => p / 255) });
    const r = await cli(["quantize", MODEL, "--preset", "a8w8", "--calib", dir, "--calib-batch", "16", "--out", out("npy.qir"), "--json", "--verify-each"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.format).toBe("qir");
    expect(j.passes[1].pass).toBe("calibrate");
    expect(j.sqnrData).toBe(`the first 3 calibration batches of ${dir}`); // 16 + 16 + 8
    expect(readFileSync(out("npy.qir"), "utf8")).toMatch(/^graph @\S+ stage=int \{/);
  });
});

describe("quantize options", () => {
  it("--print-ir-after-all prints the IR after each pass on stderr", async () => {
    const r = await cli(["quantize", MODEL, "--passes", "rtn,fold-to-int", "--out", out("ir.qir"), "--print-ir-after-all", "--json"]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^\/\/ ----- IR after rtn -----\ngraph @\S+ stage=fake-quant \{/);
    expect(r.stderr).toContain("// ----- IR after fold-to-int -----\ngraph");
    JSON.parse(r.stdout);
  });

  it("--config fields merge over the preset", async () => {
    const cfg = out("w4g32.json");
    writeFileSync(cfg, JSON.stringify({ weight: { group_size: 32 }, skip: ["/f2/Gemm"] }));
    const r = await cli(["quantize", MODEL, "--preset", "a16w4", "--config", cfg, "--out", out("g32.qir"), "--json"]);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.pipeline).toContain("granularity=per-group,group_size=32,skip=[/f2/Gemm]");
    expect(j.layers.map((l: { name: string }) => l.name)).toEqual(["/c1/Conv", "/c2/Conv", "/f1/Gemm"]);
  });

  it("--executor ort calibrates and evaluates through onnxruntime-node", async () => {
    const r = await cli(["quantize", MODEL, "--preset", "a8w8", "--calib", "fashion-mnist:64", "--executor", "ort", "--eval-samples", "300", "--out", out("ort.onnx"), "--json"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.accuracy).toMatchObject({ samples: 300, executor: "onnxruntime" });
    // Same calibration ranges as the interpreter's: the same SQNR to a few hundredths of a dB.
    const cpu = JSON.parse((await cli(["quantize", MODEL, "--preset", "a8w8", "--calib", "fashion-mnist:64", "--eval-samples", "0", "--out", out("cpu.onnx"), "--json"])).stdout);
    j.layers.forEach((l: { sqnrDb: number }, k: number) => expect(Math.abs(l.sqnrDb - cpu.layers[k].sqnrDb)).toBeLessThan(0.05));
  });

  it("draws a calibration progress bar on stderr only when it is a terminal", async () => {
    const r = await cli(["quantize", MODEL, "--preset", "a8w8", "--calib", "fashion-mnist:64", "--eval-samples", "0", "--out", out("tty.qir")], { tty: true });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/calibrate \[.*\] 2\/2 100%/);
    const quiet = await cli(["quantize", MODEL, "--preset", "a8w8", "--calib", "fashion-mnist:64", "--eval-samples", "0", "--out", out("tty.qir"), "--json"], { tty: true });
    expect(quiet.stderr).toBe("");
  });
});

describe("quantize errors: exit 2, one line naming the flag or file, no output", () => {
  const cases: [string, string[], RegExp][] = [
    ["an unknown preset", ["--preset", "a4w4"], /^quantpass: error: --preset 'a4w4': PTQ config: unknown preset 'a4w4' in 'a4w4' \(presets: a16w8, a16w4, a8w8, a8w8-dynamic, c8; combine with '\+'\)$/],
    ["an unknown pass", ["--passes", "rtn,frobnicate,fold-to-int"], /^quantpass: error: --passes: unknown pass 'frobnicate' \(passes: .*calibrate.*\)$/],
    ["a bad pass option", ["--passes", "rtn{weight_dtype=int3}"], /^quantpass: error: --passes: pass 'rtn': option 'weight_dtype': /],
    ["a missing calibration for a8w8", ["--preset", "a8w8"], /^quantpass: error: .*the pipeline calibrates activations .*give --calib/],
    ["a missing calibration folder", ["--preset", "a8w8", "--calib", "/nonexistent/calib"], /^quantpass: error: --calib \/nonexistent\/calib: no such folder/],
    ["a format that does not apply (nbits of a8w8)", ["--preset", "a8w8", "--calib", "fashion-mnist:32", "--format", "onnx-nbits", "--eval-samples", "0"], /^quantpass: error: --format onnx-nbits: the result has no weight-only int4\/int8 MatMul\/Gemm weight/],
    ["a format that does not apply (qop of a16w8)", ["--preset", "a16w8", "--format", "onnx-qop"], /^quantpass: error: --format onnx-qop: the result has no layer with int8 activations/],
    ["a checkpoint of a --passes pipeline", ["--passes", "rtn,fold-to-int", "--out", "OUT.safetensors"], /^quantpass: error: --format safetensors: a quantized checkpoint records the PTQ config/],
    ["--passes with --preset", ["--passes", "rtn", "--preset", "a16w8"], /^quantpass: error: --passes replaces the pipeline/],
    ["no preset, config or passes", [], /^quantpass: error: give --preset <name>/],
    ["a bad --format", ["--preset", "a16w8", "--format", "tflite"], /^quantpass: error: option '--format <format>' argument 'tflite' is invalid/],
    ["an unknown extension", ["--preset", "a16w8", "--out", "OUT.tflite"], /^quantpass: error: --out '.*q\.tflite': cannot tell the format from the extension/],
    ["a missing plugin", ["--passes", "rtn", "--plugin", "./nope.js"], /^quantpass: error: --plugin \.\/nope\.js: no such file/],
    ["a stage the format cannot write", ["--passes", "rtn"], /^quantpass: error: --format onnx-qdq: the pipeline leaves the graph at stage 'fake-quant'; .*end the pipeline with fold-to-int$/],
  ];
  it.each(cases)("%s", async (_what, args, want) => {
    const dir = out(`err-${Math.random().toString(36).slice(2)}`);
    const { mkdirSync } = await import("node:fs");
    mkdirSync(dir);
    const target = args.includes("--out") ? args.map((a) => a.replace("OUT", join(dir, "q"))) : [...args, "--out", join(dir, "q.onnx")];
    const r = await cli(["quantize", MODEL, ...target, "--report", join(dir, "r.html")]);
    expect(r.code).toBe(2);
    expect(lines(r.stderr)).toHaveLength(1);
    expect(r.stderr.trim()).toMatch(want);
    expect(r.stdout).toBe("");
    expect(listDir(dir)).toEqual([]);
  });

  it("a bad --config field names the field and the file", async () => {
    const cfg = out("bad.json");
    writeFileSync(cfg, JSON.stringify({ weight: { dtype: "int3" } }));
    const r = await cli(["quantize", MODEL, "--preset", "a16w8", "--config", cfg, "--out", out("never.onnx")]);
    expect(r.code).toBe(2);
    expect(lines(r.stderr)).toEqual([expect.stringMatching(new RegExp(`^quantpass: error: --config ${cfg}: PTQ config: 'weight.dtype': `))]);
    const unknown = out("unknown.json");
    writeFileSync(unknown, JSON.stringify({ wieght: {} }));
    const u = await cli(["quantize", MODEL, "--config", unknown, "--out", out("never.onnx")]);
    expect(lines(u.stderr)).toEqual([`quantpass: error: --config ${unknown}: PTQ config: unknown field 'wieght'`]);
    writeFileSync(unknown, "{ not json");
    const nj = await cli(["quantize", MODEL, "--config", unknown, "--out", out("never.onnx")]);
    expect(lines(nj.stderr)).toEqual([expect.stringMatching(new RegExp(`^quantpass: error: --config ${unknown}: not valid JSON: `))]);
    expect(existsSync(out("never.onnx"))).toBe(false);
  });

  it("a calibration file of the wrong shape names the file", async () => {
    const dir = out("badcalib");
    const { mkdirSync } = await import("node:fs");
    mkdirSync(dir);
    await writeNpy(join(dir, "x.npy"), { dtype: "f32", dims: [4, 1, 14, 14], data: new Float32Array(4 * 196) });
    const r = await cli(["quantize", MODEL, "--preset", "a8w8", "--calib", dir, "--out", out("never.onnx")]);
    expect(r.code).toBe(2);
    expect(lines(r.stderr)).toEqual([`quantpass: error: --calib: '${join(dir, "x.npy")}' has shape [4,1,14,14], which does not fit graph input 'x' [b,1,28,28] (axis 2 is 14, the input wants 28)`]);
    const empty = out("emptycalib");
    mkdirSync(empty);
    const m = await cli(["quantize", MODEL, "--preset", "a8w8", "--calib", empty, "--out", out("never.onnx")]);
    expect(lines(m.stderr)).toEqual([`quantpass: error: --calib ${empty}: no file '${join(empty, "x.npy")}' for graph input 'x' (one <input name>.npy per input)`]);
  });

  it("a plugin that throws while loading is named", async () => {
    const plugin = out("throws.mjs");
    writeFileSync(plugin, `throw new Error("plugin exploded\\non two lines");\n`);
    const r = await cli(["quantize", MODEL, "--passes", "rtn,fold-to-int", "--plugin", plugin, "--out", out("never.onnx")]);
    expect(r.code).toBe(2);
    expect(lines(r.stderr)).toEqual([`quantpass: error: --plugin ${plugin}: loading it failed: plugin exploded on two lines`]);
    expect(existsSync(out("never.onnx"))).toBe(false);
  });
});
