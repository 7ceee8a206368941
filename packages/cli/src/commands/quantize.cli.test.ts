// `quantpass quantize` as a real subprocess (the binary, tsx start-up included): the README's
// plugin command verbatim, stdout purity of --json, and plugin failures. Most cases run
// in-process in quantize.test.ts.
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { describeConfig } from "@quantpass/passes";
import { errorLines, quantpass, REPO, tempDir } from "../testing/harness.js";

const tmp = tempDir("quantpass-quantize-cli-");
afterAll(tmp.cleanup);
const README = readFileSync(join(REPO, "README.md"), "utf8");

describe("quantpass quantize (subprocess)", () => {
  it("runs the README's plugin command exactly, from the repository root", () => {
    const line = README.split("\n").find((l) => l.startsWith("quantpass quantize ") && l.includes("--plugin"));
    expect(line).toBe(
      "quantpass quantize testdata/models/fmnist-cnn/model.onnx --passes zero-small-weights{threshold=0.01},rtn,fold-to-int --plugin ./examples/my-pass/my-pass.ts --out small.onnx",
    );
    const out = join(REPO, "small.onnx");
    expect(existsSync(out)).toBe(false);
    try {
      const r = quantpass(line!.split(" ").slice(1), { cwd: REPO });
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^wrote small\.onnx \(onnx-qdq, /);
      expect(r.stdout).toContain("pipeline: zero-small-weights{threshold=0.01},rtn,fold-to-int\n");
      expect(readFileSync(out).includes(Buffer.from("DequantizeLinear"))).toBe(true);
    } finally {
      rmSync(out, { force: true });
    }
  });

  it("a8w8 --calib fashion-mnist:64 --json: stdout is exactly one JSON object, stderr empty", () => {
    const out = join(tmp.dir, "a8w8.onnx");
    const r = quantpass(["quantize", "testdata/models/fmnist-cnn/model.onnx", "--preset", "a8w8", "--calib", "fashion-mnist:64", "--eval-samples", "100", "--out", out, "--json"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(r.stdout).toBe(JSON.stringify(j, null, 2) + "\n");
    expect(Object.keys(j).slice(0, 4)).toEqual(["output", "bytesBefore", "bytesAfter", "layers"]);
    expect(j.layers).toHaveLength(4);
    expect(j.accuracy.samples).toBe(100);
  });

  it("a plugin pass that throws at run time is a user error naming the plugin; nothing is written", () => {
    // A plugin outside the workspace imports quantpass by path (the same files the CLI loads).
    const plugin = join(tmp.dir, "explodes.mts"); // .mts: ESM without a package.json around it
    writeFileSync(
      plugin,
      `import { z } from ${JSON.stringify(join(REPO, "packages/passes/node_modules/zod/index.js"))};\n` +
        `import { definePass } from ${JSON.stringify(join(REPO, "packages/passes/src/index.ts"))};\n` +
        `definePass({ name: "explode", summary: "throws", options: z.object({}), run() { throw new TypeError("kaboom"); } });\n`,
    );
    const out = join(tmp.dir, "never.onnx");
    const r = quantpass(["quantize", "testdata/models/fmnist-cnn/model.onnx", "--passes", "rtn,explode,fold-to-int", "--plugin", plugin, "--out", out]);
    expect(r.code).toBe(2);
    expect(errorLines(r)).toEqual([`quantpass: error: --plugin ${plugin}: pass 'explode' (step 2 of 3, after rtn) failed: kaboom`]);
    expect(existsSync(out)).toBe(false);
  });
});

describe("README", () => {
  it("lists the PTQ config fields exactly as describeConfig() prints them", () => {
    expect(README).toContain("```\n" + describeConfig() + "\n```");
  });
});
