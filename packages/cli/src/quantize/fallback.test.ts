// `quantpass quantize --fallback`, in-process on fmnist-cnn with 64 calibration images.
// Logit SQNR of a8w8 on them (cpu interpreter): all int8 41.9 dB; /f2/Gemm alone in float
// 45.8 dB, then /c1/Conv 48.4 dB; so sqnr:47 needs exactly those two layers, in that order.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { CpuInterpreter, loadQuantizedCheckpoint, readQuantizedCheckpointConfig } from "@quantpass/backends";
import { loadOnnx } from "@quantpass/frontends";
import { parseGraph, Tensor } from "@quantpass/ir";
import { deployGraph } from "@quantpass/passes";
import { sameBits } from "@quantpass/passes/testing";
import { fmnistModel, tempDir } from "../testing/harness.js";
import { cli } from "../testing/in-process.js";

const MODEL = fmnistModel();
const tmp = tempDir("quantpass-fallback-");
afterAll(tmp.cleanup);
const out = (name: string) => join(tmp.dir, name);
const BASE = ["quantize", MODEL, "--preset", "a8w8", "--calib", "fashion-mnist:64", "--eval-samples", "0"];
const CHOSEN = ["/f2/Gemm", "/c1/Conv"];

describe("quantize --fallback", () => {
  it("keeps the chosen layers in float; --json, the report, and a checkpoint whose deploy graph equals the converted graph", async () => {
    const st = out("fb.safetensors");
    const html = out("fb.html");
    const r = await cli([...BASE, "--fallback", "sqnr:47", "--out", st, "--report", html, "--json"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(Object.keys(j.fallback)).toEqual(["metric", "target", "scoreBefore", "scoreAfter", "layers", "sensitivity"]);
    expect(j.fallback).toMatchObject({ metric: "sqnr", target: 47, layers: CHOSEN, sensitivity: "leave-one-out" });
    expect(j.fallback.scoreBefore).toBeLessThan(47);
    expect(j.fallback.scoreAfter).toBeGreaterThanOrEqual(47);
    expect(j.pipeline).toContain("skip=[/f2/Gemm,/c1/Conv]");
    expect(j.passes.map((p: { pass: string }) => p.pass)).toEqual(["insert-observers", "calibrate", "fake-quant", "fold-to-int", "insert-dequant", "dce"]);

    const page = readFileSync(html, "utf8");
    expect(page).toContain("<h2>Mixed precision (fallback)</h2>");
    for (const l of ["/c1/Conv", "/c2/Conv", "/f1/Gemm", "/f2/Gemm"]) expect(page).toContain(`<code>${l}</code>`);
    expect(page.match(/<tr class="chosen">/g)).toHaveLength(2);
    expect(page).toContain('<th class="num">score with only this layer float</th><th class="num">gain</th>');

    // The checkpoint records the effective config: the layers in skip, no search to redo.
    const cfg = (await readQuantizedCheckpointConfig(st)) as { skip: string[]; fallback?: unknown };
    expect(cfg.skip).toEqual(CHOSEN);
    expect(cfg.fallback).toBeUndefined();
    const deployed = await loadQuantizedCheckpoint(loadOnnx(MODEL), st, { build: deployGraph });
    const op = (name: string) => deployed.nodes.find((n) => n.name === name)!.op;
    expect(CHOSEN.map(op)).toEqual(["Gemm", "Conv"]);
    expect(op("/f1/Gemm")).toBe("quant_matmul");

    // The same command writing the int graph as text: the same layers, bit-identical outputs.
    const qir = out("fb.qir");
    const again = await cli([...BASE, "--fallback", "sqnr:47", "--out", qir, "--json"]);
    expect(JSON.parse(again.stdout).fallback.layers).toEqual(CHOSEN);
    const converted = parseGraph(readFileSync(qir, "utf8"));
    const cpu = new CpuInterpreter();
    const x = new Tensor("f32", [2, 1, 28, 28], Float32Array.from({ length: 2 * 784 }, (_, i) => (i % 97) / 97));
    const [a, b] = [await cpu.run(converted, { x }), await cpu.run(deployed, { x })];
    expect(sameBits(a[converted.outputs[0]!]!, b[deployed.outputs[0]!]!)).toBe(true);
  });

  it("prints the search in the human summary, with a progress bar on a terminal; a reached target needs no layer", async () => {
    const r = await cli([...BASE, "--fallback", "top1:0.9", "--out", out("fb-top1.onnx")], { tty: true });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/fallback search \[.*\] 13\/13 100%/); // at most 1 + 4 + 2 x 4 models (greedy and backward steps), done early
    expect(r.stdout).toMatch(/^fallback top1 ≥ 0\.9: 1\.0000 → 1\.0000, no layer needed \(1 evaluations, [\d.]+ s\)$/m);
  });

  it("--fallback-sensitivity local: ranks layers by the noise they add, from two runs; --json and the report say so", async () => {
    // Drops on these 64 images: /c1/Conv −49.6 (exact input: −SQNR_out), /c2/Conv +4.24,
    // /f1/Gemm −6.53, /f2/Gemm +0.14 dB; so c2 then f2 reach 47 dB (c1 and f2 did for leave-one-out).
    const html = out("fb-local.html");
    const r = await cli([...BASE, "--fallback", "sqnr:47", "--fallback-sensitivity", "local", "--out", out("fb-local.onnx"), "--report", html, "--json"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.fallback).toMatchObject({ metric: "sqnr", target: 47, layers: ["/c2/Conv", "/f2/Gemm"], sensitivity: "local" });
    expect(j.fallback.scoreAfter).toBeGreaterThanOrEqual(47);
    const page = readFileSync(html, "utf8");
    expect(page).toContain("Sensitivity: local");
    expect(page).toContain('<th class="num">input SQNR (all-quantized)</th><th class="num">output SQNR (all-quantized)</th>');
    expect(page).toMatch(/<td><code>\/c1\/Conv<\/code><\/td><td>Conv<\/td><td class="num">∞<\/td><td class="num">[\d.]+ dB<\/td><td class="num">-[\d.]+ dB<\/td>/);
    expect(page.match(/<tr class="chosen">/g)).toHaveLength(2);
    const human = await cli([...BASE, "--fallback", "sqnr:47", "--fallback-sensitivity", "local", "--out", out("fb-local2.onnx")]);
    expect(human.stdout).toMatch(/^fallback sqnr ≥ 47: .* 2 layers kept in float: \/c2\/Conv, \/f2\/Gemm \(local sensitivity, \d+ evaluations, [\d.]+ s\)$/m);
  });

  it("a --config file's fallback fields stay under the flags", async () => {
    const file = out("fb.json");
    const { writeFileSync } = await import("node:fs");
    writeFileSync(file, JSON.stringify({ fallback: { metric: "sqnr", target: 10, max_layers: 3 } }));
    const r = await cli([...BASE, "--config", file, "--fallback", "sqnr:60", "--fallback-max-layers", "1", "--out", out("fb-max.onnx")]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^quantpass: error: .*fallback: sqnr target 60 not reached with max_layers=1: best 45\.79\d* \(all-quantized 41\.86\d*\) keeping \/f2\/Gemm in float; tried \/f2\/Gemm; raise fallback\.max_layers or lower the target\n$/);
    expect(() => readFileSync(out("fb-max.onnx"))).toThrow();
  });

  it("bad flag values are one-line usage errors naming the flag (exit 2)", async () => {
    const bad = async (args: string[], re: RegExp) => {
      const r = await cli([...BASE, ...args, "--out", out("bad.onnx")]);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe("");
      expect(r.stderr).toMatch(re);
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
    };
    await bad(["--fallback", "top5:0.9"], /^quantpass: error: option '--fallback <metric:target>' argument 'top5:0\.9' is invalid\. expected <metric>:<target>/);
    await bad(["--fallback", "top1:1.5"], /--fallback <metric:target>.* a top1 target is a fraction of agreeing predictions in \[0, 1\]/);
    await bad(["--fallback", "sqnr"], /--fallback <metric:target>/);
    await bad(["--fallback", "sqnr:30", "--fallback-max-layers", "0"], /--fallback-max-layers <n>.*positive integer/);
    await bad(["--fallback-max-layers", "2"], /^quantpass: error: --fallback-max-layers needs --fallback <metric>:<target>/);
    await bad(["--fallback", "sqnr:30", "--fallback-sensitivity", "hessian"], /^quantpass: error: option '--fallback-sensitivity <measure>' argument 'hessian' is invalid\. expected leave-one-out .* or local/);
    await bad(["--fallback-sensitivity", "local"], /^quantpass: error: --fallback-sensitivity needs --fallback <metric>:<target>/);
    const passes = await cli(["quantize", MODEL, "--passes", "rtn,fold-to-int", "--fallback", "top1:0.9", "--out", out("bad.onnx")]);
    expect(passes.stderr).toBe("quantpass: error: --fallback chooses layers of a PTQ config: use --preset/--config instead of --passes\n");
    const nocalib = await cli(["quantize", MODEL, "--preset", "a16w8", "--fallback", "top1:0.9", "--out", out("bad.onnx")]);
    expect(nocalib.stderr).toMatch(/^quantpass: error: --fallback scores the quantized model against the float model on the calibration data: give --calib/);
  });
});
