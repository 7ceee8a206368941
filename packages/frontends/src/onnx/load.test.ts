import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { encodeOnnx, FormatError } from "@quantpass/formats";
import { Tensor, UnsupportedOpError, verify } from "@quantpass/ir";
import { loadOnnx } from "./load.js";
import { init, model, node, vinfo } from "./onnx-build.js";

const dir = mkdtempSync(join(tmpdir(), "qp-onnx-load-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const good = encodeOnnx(model({
  opset: 17,
  nodes: [node("MatMul", ["x", "w"], ["y"], {}, { name: "mm" })],
  inputs: [vinfo("x", "f32", ["b", 4])],
  outputs: [vinfo("y", "f32", ["b", 3])],
  initializers: [init("w", Tensor.f32([4, 3], Array.from({ length: 12 }, (_, i) => i / 10)))],
}));

function write(name: string, bytes: Uint8Array): string {
  const p = join(dir, name);
  writeFileSync(p, bytes);
  return p;
}

function errorOf(f: () => unknown): Error {
  try {
    f();
  } catch (e) {
    return e as Error;
  }
  throw new Error("expected an error");
}

describe("loadOnnx", () => {
  it("loads a model file", () => {
    const g = loadOnnx(write("good.onnx", good));
    verify(g);
    expect(g.inputs).toEqual(["x"]);
    expect(g.values.y).toEqual({ dtype: "f32", shape: ["b", 3] });
    expect(g.meta.file).toBe(join(dir, "good.onnx"));
  });

  it.each([
    ["truncated", () => good.subarray(0, Math.floor(good.length * 0.6))],
    ["corrupted", () => { const b = Uint8Array.from(good); b.fill(0xff, 10, 40); return b; }],
    ["empty", () => new Uint8Array(0)],
    ["not protobuf", () => new TextEncoder().encode("this is not an onnx model at all\n")],
  ])("reports a %s file as a one-line FormatError naming the file", (what, bytes) => {
    const p = write(`${what.replace(" ", "-")}.onnx`, bytes());
    const e = errorOf(() => loadOnnx(p));
    expect(e).toBeInstanceOf(FormatError);
    expect(e.message.startsWith(`${p}: `)).toBe(true);
    expect(e.message).not.toContain("\n");
  });

  it("reports a missing file as a FormatError naming it", () => {
    const p = join(dir, "nope.onnx");
    const e = errorOf(() => loadOnnx(p));
    expect(e).toBeInstanceOf(FormatError);
    expect(e.message).toBe(`${p}: cannot read: ENOENT`);
  });

  it("reports an unknown op as UnsupportedOpError naming the file and node", () => {
    const bytes = encodeOnnx(model({
      opset: 17,
      nodes: [node("Relu", ["x"], ["h"], {}, { name: "act" }), node("FancyOp", ["h"], ["y"], {}, { name: "mystery" })],
      inputs: [vinfo("x", "f32", [2])],
      outputs: [vinfo("y", "f32", [2])],
    }));
    const p = write("unknown-op.onnx", bytes);
    const e = errorOf(() => loadOnnx(p));
    expect(e).toBeInstanceOf(UnsupportedOpError);
    expect(e.message).toBe(`${p}: node 'mystery' uses op 'FancyOp' (domain ai.onnx) which quantpass does not support`);
    expect((e as UnsupportedOpError).subject).toBe("mystery");
  });

  it("reports a bad initializer as a FormatError naming the file and tensor", () => {
    const m = model({ opset: 17, nodes: [node("Relu", ["w"], ["y"])], inputs: [], outputs: [vinfo("y", "f32", [4])], initializers: [init("w", Tensor.f32([4], [1, 2, 3, 4]))] });
    m.graph!.initializer![0]!.rawData = new Uint8Array(7);
    const p = write("bad-init.onnx", encodeOnnx(m));
    const e = errorOf(() => loadOnnx(p));
    expect(e).toBeInstanceOf(FormatError);
    expect(e.message).toMatch(new RegExp(`^${p.replace(/[.]/g, "\\.")}: tensor 'w'`));
  });
});
