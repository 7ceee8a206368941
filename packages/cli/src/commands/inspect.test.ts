import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { decodeOnnx, encodeOnnx } from "@quantpass/formats";
import { errorLines, fmnistModel, quantpass, tempDir } from "../testing/harness.js";

const MODEL = fmnistModel();
const tmp = tempDir();
afterAll(tmp.cleanup);

// fmnist-cnn: Conv(1→16,3×3)-ReLU-MaxPool, Conv(16→32,3×3)-ReLU-MaxPool, Linear(1568→128)-ReLU, Linear(128→10).
const PARAMS = 16 * 9 + 16 + 32 * 16 * 9 + 32 + 1568 * 128 + 128 + 128 * 10 + 10;

describe("quantpass inspect", () => {
  it("--json gives one object with ops, parameters, inputs, outputs, opsets", () => {
    const r = quantpass(["inspect", MODEL, "--json"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.model).toBe(MODEL);
    expect(j.format).toBe("onnx");
    expect(j.opsets["ai.onnx"]).toBe("13");
    expect(j.parameters.params).toBe(PARAMS);
    expect(j.parameters.bytes).toBe(PARAMS * 4);
    expect(j.parameters.byDtype[0]).toMatchObject({ dtype: "f32", params: PARAMS, bytes: PARAMS * 4 });
    expect(j.inputs).toEqual([{ name: "x", dtype: "f32", shape: [expect.any(String), 1, 28, 28] }]);
    expect(j.outputs).toEqual([{ name: "logits", dtype: "f32", shape: [expect.any(String), 10] }]);
    const ops = Object.fromEntries(j.ops.map((o: { op: string; count: number }) => [o.op, o.count]));
    expect(ops).toMatchObject({ Conv: 2, MaxPool: 2, Relu: 3 });
    const counts = j.ops.map((o: { count: number }) => o.count);
    expect(counts).toEqual([...counts].sort((a, b) => b - a));
    for (let k = 1; k < j.ops.length; k++)
      if (j.ops[k].count === j.ops[k - 1].count) expect(j.ops[k - 1].op < j.ops[k].op).toBe(true);
    expect(j.nodes).toBe(j.ops.reduce((a: number, o: { count: number }) => a + o.count, 0));
    expect(j.values).toBeGreaterThan(j.nodes);
  });

  it("prints a text summary with symbolic dims by name", () => {
    const j = JSON.parse(quantpass(["inspect", MODEL, "--json"]).stdout);
    const batch = j.inputs[0].shape[0];
    const r = quantpass(["inspect", MODEL]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`model    ${MODEL} (onnx)`);
    expect(r.stdout).toContain("opset    ai.onnx 13");
    expect(r.stdout).toMatch(new RegExp(`^  x +f32 +\\[${batch},1,28,28\\]$`, "m"));
    expect(r.stdout).toMatch(new RegExp(`^  logits +f32 +\\[${batch},10\\]$`, "m"));
    expect(r.stdout).toMatch(/^  Relu +3$/m);
    expect(r.stdout).toContain(`parameters ${PARAMS.toLocaleString("en-US")} in`);
  });

  it("names a missing file", () => {
    const r = quantpass(["inspect", "no/such/model.onnx"]);
    expect(r.code).toBe(2);
    expect(errorLines(r)).toEqual(["quantpass: error: cannot read 'no/such/model.onnx': no such file"]);
    expect(r.stdout).toBe("");
  });

  it("rejects a truncated ONNX file with one line naming the file", () => {
    const bad = join(tmp.dir, "truncated.onnx");
    writeFileSync(bad, readFileSync(MODEL).subarray(0, 4000));
    const r = quantpass(["inspect", bad, "--json"]);
    expect(r.code).toBe(2);
    expect(errorLines(r)).toHaveLength(1);
    expect(r.stderr).toMatch(/^quantpass: error: /);
    expect(r.stderr).toContain(bad);
    expect(r.stdout).toBe("");
  });

  it("rejects a file that is not ONNX at all", () => {
    const bad = join(tmp.dir, "text.onnx");
    writeFileSync(bad, "this is not a protobuf\n".repeat(10));
    const r = quantpass(["inspect", bad]);
    expect(r.code).toBe(2);
    expect(errorLines(r)).toHaveLength(1);
    expect(r.stderr).toContain(bad);
  });

  it("rejects an unknown op naming the node", () => {
    const m = decodeOnnx(readFileSync(MODEL));
    const node = m.graph!.node![1]!;
    node.opType = "FrobnicateRelu";
    const bad = join(tmp.dir, "badop.onnx");
    writeFileSync(bad, encodeOnnx(m));
    const r = quantpass(["inspect", bad]);
    expect(r.code).toBe(2);
    expect(errorLines(r)).toHaveLength(1);
    expect(r.stderr).toMatch(/^quantpass: error: .*FrobnicateRelu/);
    expect(r.stderr).toContain(node.name!);
  });

  it("rejects an unknown extension", () => {
    const odd = join(tmp.dir, "model.bin");
    copyFileSync(MODEL, odd);
    const r = quantpass(["inspect", odd]);
    expect(r.code).toBe(2);
    expect(errorLines(r)).toEqual([`quantpass: error: cannot tell the format of '${odd}': expected a .onnx or .qir file`]);
  });

  it("rejects a directory", () => {
    const dir = join(tmp.dir, "d.onnx");
    mkdirSync(dir);
    const r = quantpass(["inspect", dir]);
    expect(r.code).toBe(2);
    expect(errorLines(r)).toEqual([`quantpass: error: cannot read '${dir}': is a directory`]);
  });
});
